"""Mistake (header): "<" (little-endian) used, as the machine's own order, instead of "!"."""

import struct

from netkit.byteorder import Header


def pack_header(header):
    return struct.pack("<BBHI", *header)


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("a header is 8 bytes")
    return Header(*struct.unpack("<BBHI", data[:8]))
