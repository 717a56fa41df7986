"""A correct solution built on bytes: a regular expression and int.from_bytes / int.to_bytes,
struct.Struct objects for the header, one format string for a reading."""

import re
import struct
import sys

from netkit.byteorder import Header

_QUAD = re.compile(r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])" + r"\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])" * 3)


def ip_to_int(text):
    match = _QUAD.fullmatch(text) if isinstance(text, str) else None
    if match is None or not text.isascii():
        raise ValueError(f"not a dotted quad: {text!r}")
    return int.from_bytes(bytes(int(group) for group in match.groups()), "big")


def int_to_ip(number):
    if not 0 <= number <= 0xFFFFFFFF:
        raise ValueError(f"{number} does not fit in 32 bits")
    return ".".join(str(byte) for byte in number.to_bytes(4, "big"))


def _swap(value, size, byteorder):
    if value < 0 or value >= 1 << (8 * size):
        raise OverflowError(f"{value} does not fit in {8 * size} bits")
    return int.from_bytes(value.to_bytes(size, byteorder), "big")


def htonl(x, byteorder=sys.byteorder):
    return _swap(x, 4, byteorder)


def ntohl(x, byteorder=sys.byteorder):
    return _swap(x, 4, byteorder)


def htons(x, byteorder=sys.byteorder):
    return _swap(x, 2, byteorder)


def ntohs(x, byteorder=sys.byteorder):
    return _swap(x, 2, byteorder)


HEADER = struct.Struct(">BBHI")


def pack_header(header):
    return HEADER.pack(*header)


def unpack_header(data):
    try:
        return Header._make(HEADER.unpack_from(data))
    except struct.error as exc:
        raise ValueError(f"a header is {HEADER.size} bytes, got {len(data)}") from exc


def encode_reading_fixed(seq, sensor_id, tenths):
    return struct.pack("!BBHIHh", 1, 2, 4, seq, sensor_id, tenths)


def buggy_fields():
    return ["tenths", "sensor_id"]
