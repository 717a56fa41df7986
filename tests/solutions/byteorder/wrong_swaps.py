"""htonl, htons, ntohl, ntohs, wrong in the classic ways (each function is one mistake)."""

import socket
import sys


def always_swaps(x, byteorder=sys.byteorder):
    """Reverses the bytes whatever the host's byte order."""
    if not 0 <= x < 2**32:
        raise OverflowError(x)
    return int.from_bytes(x.to_bytes(4, "little"), "big")


def uses_sys_byteorder(x, byteorder=sys.byteorder):
    """Asks sys.byteorder instead of the parameter, so a big-endian host cannot be simulated."""
    if not 0 <= x < 2**32:
        raise OverflowError(x)
    return int.from_bytes(x.to_bytes(4, sys.byteorder), "big")


def never_swaps(x, byteorder=sys.byteorder):
    """Returns its argument: as if every host were big-endian."""
    if not 0 <= x < 2**32:
        raise OverflowError(x)
    return x


def unmasked_shifts(x, byteorder=sys.byteorder):
    """Shifts the bytes into place but never masks: bits beyond 32 survive."""
    if not 0 <= x < 2**32:
        raise OverflowError(x)
    if byteorder == "big":
        return x
    return (x << 24) | (x << 8 & 0xFF0000) | (x >> 8 & 0xFF00) | (x >> 24)


def masks_overflow(x, byteorder=sys.byteorder):
    """Masks a value that does not fit instead of raising OverflowError."""
    x &= 0xFFFFFFFF
    return x if byteorder == "big" else int.from_bytes(x.to_bytes(4, "little"), "big")


def short_swaps_four_bytes(x, byteorder=sys.byteorder):
    """htons that reverses 4 bytes: the port ends up in the high half."""
    if not 0 <= x < 2**16:
        raise OverflowError(x)
    return x if byteorder == "big" else int.from_bytes(x.to_bytes(4, "little"), "big")


def with_socket(x, byteorder=sys.byteorder):
    """Right answers, but lets the socket module do the exercise."""
    if byteorder == sys.byteorder:
        return socket.htonl(x)
    return x if byteorder == "big" else int.from_bytes(x.to_bytes(4, "little"), "big")
