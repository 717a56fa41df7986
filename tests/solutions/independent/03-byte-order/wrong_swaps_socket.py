"""Mistake (byte swaps): on this machine's byte order the socket module's own htonl etc. are
called, which the exercise forbids (by hand: no socket, struct or array)."""

import socket
import sys


def _pick(ours, x, size, byteorder):
    if byteorder == sys.byteorder:
        return ours(x)
    if not 0 <= x < 1 << (8 * size):
        raise OverflowError(f"{x} does not fit")
    return int.from_bytes(x.to_bytes(size, "big"), byteorder)


def htonl(x, byteorder=sys.byteorder):
    return _pick(socket.htonl, x, 4, byteorder)


def ntohl(x, byteorder=sys.byteorder):
    return _pick(socket.ntohl, x, 4, byteorder)


def htons(x, byteorder=sys.byteorder):
    return _pick(socket.htons, x, 2, byteorder)


def ntohs(x, byteorder=sys.byteorder):
    return _pick(socket.ntohs, x, 2, byteorder)
