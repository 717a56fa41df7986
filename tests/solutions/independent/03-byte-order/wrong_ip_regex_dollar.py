"""Mistake (ip_to_int): a regex anchored with ^...$ and re.match: $ also matches before a final
newline, so "1.2.3.4\n" is accepted."""

import re

QUAD = re.compile(r"^(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})$")


def ip_to_int(text):
    match = QUAD.match(text)
    if not match:
        raise ValueError(f"not a dotted quad: {text!r}")
    number = 0
    for group in match.groups():
        value = int(group)
        if value > 255:
            raise ValueError(f"{value} is not a byte")
        number = (number << 8) | value
    return number
