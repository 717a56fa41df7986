"""Mistake (byte swaps): the bytes are always reversed, whatever the host's byte order; on a
big-endian host the functions must return their argument unchanged."""

import sys

def _swap32(x):
    return int.from_bytes(x.to_bytes(4, "little"), "big")


def _swap16(x):
    return int.from_bytes(x.to_bytes(2, "little"), "big")


def htonl(x, byteorder=sys.byteorder):
    return _swap32(x)


def ntohl(x, byteorder=sys.byteorder):
    return _swap32(x)


def htons(x, byteorder=sys.byteorder):
    return _swap16(x)


def ntohs(x, byteorder=sys.byteorder):
    return _swap16(x)
