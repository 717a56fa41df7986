"""Mistake (byte swaps): htons/ntohs reuse the 32-bit swap, so a port lands in the top half:
htons(80) gives 0x50000000 instead of 0x5000."""

import sys


def htonl(x, byteorder=sys.byteorder):
    if not 0 <= x <= 0xFFFFFFFF:
        raise OverflowError(f"{x} does not fit in 32 bits")
    if byteorder == "big":
        return x
    return ((x & 0xFF) << 24) | ((x >> 8 & 0xFF) << 16) | ((x >> 16 & 0xFF) << 8) | (x >> 24)


ntohl = htonl


def htons(x, byteorder=sys.byteorder):
    if not 0 <= x <= 0xFFFF:
        raise OverflowError(f"{x} does not fit in 16 bits")
    return htonl(x, byteorder)


ntohs = htons
