"""Mistake (byte swaps): htonl swaps the two 16-bit halves instead of reversing the four bytes:
0x9db5a120 becomes 0xa1209db5."""

import sys


def htonl(x, byteorder=sys.byteorder):
    if not 0 <= x <= 0xFFFFFFFF:
        raise OverflowError(f"{x} does not fit in 32 bits")
    if byteorder == "big":
        return x
    return ((x & 0xFFFF) << 16) | (x >> 16)


ntohl = htonl


def htons(x, byteorder=sys.byteorder):
    if not 0 <= x <= 0xFFFF:
        raise OverflowError(f"{x} does not fit in 16 bits")
    if byteorder == "big":
        return x
    return ((x & 0xFF) << 8) | (x >> 8)


ntohs = htons
