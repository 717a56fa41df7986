"""Mistake (header): the fields packed largest first ("!IHBB": seq, length, type, version) instead
of in the table's order (version, type, length, seq)."""

import struct

from netkit.byteorder import Header


def pack_header(header):
    version, kind, length, seq = header
    return struct.pack("!IHBB", seq, length, kind, version)


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("a header is 8 bytes")
    seq, length, kind, version = struct.unpack("!IHBB", data[:8])
    return Header(version, kind, length, seq)
