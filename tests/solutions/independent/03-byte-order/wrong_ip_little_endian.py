"""Mistake (ip_to_int): the first part taken as the least significant byte (host byte order on a
PC): "157.181.161.32" gives 0x20a1b59d."""


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not four parts: {text!r}")
    number = 0
    for position, part in enumerate(parts):
        if not (1 <= len(part) <= 3 and all(c in "0123456789" for c in part)) or (len(part) > 1 and part[0] == "0"):
            raise ValueError(f"bad part {part!r}")
        value = int(part)
        if value > 255:
            raise ValueError(f"{value} is not a byte")
        number |= value << (8 * position)
    return number
