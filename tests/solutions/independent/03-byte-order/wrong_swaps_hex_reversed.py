"""Mistake (byte swaps): the hex string reversed, which reverses hex digits (nibbles), not bytes:
0x9db5a120 becomes 0x021a5bd9 instead of 0x20a1b59d."""

import sys


def _swap(x, size, byteorder):
    if not 0 <= x < 1 << (8 * size):
        raise OverflowError(f"{x} does not fit in {8 * size} bits")
    if byteorder == "big":
        return x
    return int(f"{x:0{2 * size}x}"[::-1], 16)


def htonl(x, byteorder=sys.byteorder):
    return _swap(x, 4, byteorder)


def ntohl(x, byteorder=sys.byteorder):
    return _swap(x, 4, byteorder)


def htons(x, byteorder=sys.byteorder):
    return _swap(x, 2, byteorder)


def ntohs(x, byteorder=sys.byteorder):
    return _swap(x, 2, byteorder)
