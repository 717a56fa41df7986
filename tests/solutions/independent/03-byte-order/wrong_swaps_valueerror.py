"""Mistake (byte swaps): a value that does not fit raises ValueError, not OverflowError as the
socket module's functions do."""

import sys


def _swap(x, size, byteorder):
    if not 0 <= x < 1 << (8 * size):
        raise ValueError(f"{x} does not fit in {8 * size} bits")
    if byteorder == "big":
        return x
    return int.from_bytes(x.to_bytes(size, "big"), "little")


def htonl(x, byteorder=sys.byteorder):
    return _swap(x, 4, byteorder)


def ntohl(x, byteorder=sys.byteorder):
    return _swap(x, 4, byteorder)


def htons(x, byteorder=sys.byteorder):
    return _swap(x, 2, byteorder)


def ntohs(x, byteorder=sys.byteorder):
    return _swap(x, 2, byteorder)
