"""Mistake (header): struct.unpack given all of `data`, payload included; unpack wants exactly 8
bytes, so a header with its payload after it raises struct.error."""

import struct

from netkit.byteorder import Header


def pack_header(header):
    return struct.pack("!BBHI", *header)


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("a header is 8 bytes")
    return Header(*struct.unpack("!BBHI", data))
