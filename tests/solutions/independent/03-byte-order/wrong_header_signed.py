"""Mistake (header): signed format letters (b, h, i) for unsigned fields: a version or type of 128
or more, a length of 32768 or more, or a seq of 2**31 or more does not pack, or unpacks negative."""

import struct

from netkit.byteorder import Header


def pack_header(header):
    return struct.pack("!bbhi", *header)


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("a header is 8 bytes")
    return Header(*struct.unpack("!bbhi", data[:8]))
