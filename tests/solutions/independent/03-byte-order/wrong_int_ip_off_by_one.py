"""Mistake (int_to_ip): the upper bound off by one (number > 2**32 refused, 2**32 itself let
through, printed as "256.0.0.0")."""


def int_to_ip(number):
    if number < 0 or number > 2 ** 32:
        raise ValueError(f"{number} does not fit in 32 bits")
    parts = []
    for _ in range(3):
        parts.append(number % 256)
        number //= 256
    parts.append(number)
    return ".".join(str(part) for part in reversed(parts))
