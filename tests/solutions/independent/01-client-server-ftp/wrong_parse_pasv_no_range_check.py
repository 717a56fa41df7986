"""Mistake (parse_pasv): no check that each number fits in a byte: 256 or 300 goes through."""

import re


def parse_pasv(text):
    match = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text)
    if not match:
        raise ValueError(f"no address in {text!r}")
    numbers = [int(n) for n in match.groups()]
    return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]
