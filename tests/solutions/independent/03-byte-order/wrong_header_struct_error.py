"""Mistake (header): a short `data` is not checked: struct.error escapes, and struct.error is not
a ValueError."""

import struct

from netkit.byteorder import Header


def pack_header(header):
    return struct.pack("!BBHI", *header)


def unpack_header(data):
    return Header(*struct.unpack("!BBHI", data[:8]))
