"""Mistake (byte swaps): a value that does not fit is masked to 32 (16) bits instead of raising
OverflowError; negative values are masked too."""

import sys


def _swap(x, size, byteorder):
    x &= (1 << (8 * size)) - 1
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
