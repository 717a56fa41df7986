"""Mistake (ip_to_int): each part checked for digits but not for <= 255, so "256.1.1.1" becomes a
number that is not an address (the carry spills into the next byte)."""


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not four parts: {text!r}")
    number = 0
    for part in parts:
        if not (1 <= len(part) <= 3 and all(c in "0123456789" for c in part)) or (len(part) > 1 and part[0] == "0"):
            raise ValueError(f"bad part {part!r}")
        number = number * 256 + int(part)
    return number
