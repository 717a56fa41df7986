"""Mistake (header): struct's "=" prefix taken for "standard": it is native byte order
(little-endian on a PC), not network byte order."""

import struct

from netkit.byteorder import Header


def pack_header(header):
    return struct.pack("=BBHI", *header)


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("a header is 8 bytes")
    return Header(*struct.unpack("=BBHI", data[:8]))
