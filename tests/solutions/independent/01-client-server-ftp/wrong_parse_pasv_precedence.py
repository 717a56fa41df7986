"""Mistake (parse_pasv): the port computed as p1 << 8 + p2, which Python reads as
p1 << (8 + p2): + binds tighter than <<."""

import re


def parse_pasv(text):
    match = re.search(r"([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+)", text)
    if not match:
        raise ValueError(f"no address in {text!r}")
    numbers = [int(n) for n in match.groups()]
    if max(numbers) > 255:
        raise ValueError("a number over 255")
    h1, h2, h3, h4, p1, p2 = numbers
    return f"{h1}.{h2}.{h3}.{h4}", p1 << 8 + p2
