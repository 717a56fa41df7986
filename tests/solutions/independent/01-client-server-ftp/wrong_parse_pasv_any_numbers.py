"""Mistake (parse_pasv): takes the last six numbers anywhere in the text, comma-separated or not
(re.findall of digit runs), so numbers that are not the address get in."""

import re


def parse_pasv(text):
    numbers = [int(n) for n in re.findall(r"[0-9]+", text)][-6:]
    if len(numbers) != 6:
        raise ValueError(f"no address in {text!r}")
    if max(numbers) > 255:
        raise ValueError("a number over 255")
    return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]
