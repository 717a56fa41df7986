"""Mistake (parse_pasv): the port returned as text (the two numbers glued together), not as the
int p1 * 256 + p2."""

import re


def parse_pasv(text):
    match = re.search(r"([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+)", text)
    if not match:
        raise ValueError(f"no address in {text!r}")
    numbers = match.groups()
    if max(map(int, numbers)) > 255:
        raise ValueError("a number over 255")
    return ".".join(numbers[:4]), numbers[4] + numbers[5]
