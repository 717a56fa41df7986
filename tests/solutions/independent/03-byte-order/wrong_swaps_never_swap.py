"""Mistake (byte swaps): "Python ints have no byte order", so nothing is swapped: wrong on a
little-endian host, where the bytes must be reversed."""

import sys


def _check(x, bits):
    if not 0 <= x < 1 << bits:
        raise OverflowError(f"{x} does not fit in {bits} bits")
    return x


def htonl(x, byteorder=sys.byteorder):
    return _check(x, 32)


def ntohl(x, byteorder=sys.byteorder):
    return _check(x, 32)


def htons(x, byteorder=sys.byteorder):
    return _check(x, 16)


def ntohs(x, byteorder=sys.byteorder):
    return _check(x, 16)
