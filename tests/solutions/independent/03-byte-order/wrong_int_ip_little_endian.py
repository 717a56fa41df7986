"""Mistake (int_to_ip): the least significant byte printed first: 0x9db5a120 gives
"32.161.181.157"."""


def int_to_ip(number):
    if not 0 <= number <= 0xFFFFFFFF:
        raise ValueError(f"{number} does not fit in 32 bits")
    return ".".join(str((number >> shift) & 0xFF) for shift in (0, 8, 16, 24))
