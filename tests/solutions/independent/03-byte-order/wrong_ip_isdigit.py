"""Mistake (ip_to_int): str.isdigit() as the digit test: it is true for every Unicode digit
(Arabic-Indic, fullwidth, superscripts), not only ASCII 0-9, and int() reads many of them."""


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"not four parts: {text!r}")
    number = 0
    for part in parts:
        if not (1 <= len(part) <= 3 and part.isdigit()) or (len(part) > 1 and part[0] == "0"):
            raise ValueError(f"bad part {part!r}")
        value = int(part)
        if value > 255:
            raise ValueError(f"{value} is not a byte")
        number = (number << 8) | value
    return number
