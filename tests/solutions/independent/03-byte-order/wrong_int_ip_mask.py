"""Mistake (int_to_ip): the number masked to 32 bits instead of checked, so -1 and 2**32 quietly
become 255.255.255.255 and 0.0.0.0."""


def int_to_ip(number):
    number &= 0xFFFFFFFF
    return ".".join(str((number >> shift) & 0xFF) for shift in (24, 16, 8, 0))
