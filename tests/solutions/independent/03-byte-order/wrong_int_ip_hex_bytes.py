"""Mistake (int_to_ip): each byte printed in hex (the slide's "20" for 32) instead of decimal."""


def int_to_ip(number):
    if not 0 <= number <= 0xFFFFFFFF:
        raise ValueError(f"{number} does not fit in 32 bits")
    return ".".join(format((number >> shift) & 0xFF, "x") for shift in (24, 16, 8, 0))
