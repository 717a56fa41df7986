"""Mistake (ip_to_int): int() alone checks each part, and int() is lenient: " 1", "+1", "1_0" and
"01" all pass."""


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not four parts: {text!r}")
    number = 0
    for part in parts:
        value = int(part)
        if not 0 <= value <= 255:
            raise ValueError(f"{value} is not a byte")
        number = number * 256 + value
    return number
