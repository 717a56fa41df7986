"""Mistake (header): unpack_header returns struct.unpack's plain tuple, not a Header: header.seq
and the other field names do not work on it."""

import struct


def pack_header(header):
    return struct.pack("!BBHI", *header)


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("a header is 8 bytes")
    return struct.unpack("!BBHI", data[:8])
