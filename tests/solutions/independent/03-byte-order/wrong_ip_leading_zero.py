"""Mistake (ip_to_int): digits and lengths checked, but leading zeros accepted: "01.2.3.4" (which
inet_aton would read as octal) goes through."""


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not four parts: {text!r}")
    number = 0
    for part in parts:
        if not (1 <= len(part) <= 3 and all(c in "0123456789" for c in part)):
            raise ValueError(f"bad part {part!r}")
        value = int(part)
        if value > 255:
            raise ValueError(f"{value} is not a byte")
        number = (number << 8) | value
    return number
