"""Mistake (ip_to_int): off by one at the top: a part must be < 255, so 255 (as in
255.255.255.0) is refused."""


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not four parts: {text!r}")
    number = 0
    for part in parts:
        if not (1 <= len(part) <= 3 and all(c in "0123456789" for c in part)) or (len(part) > 1 and part[0] == "0"):
            raise ValueError(f"bad part {part!r}")
        value = int(part)
        if value >= 255:
            raise ValueError(f"{value} is not a byte")
        number = number * 256 + value
    return number
