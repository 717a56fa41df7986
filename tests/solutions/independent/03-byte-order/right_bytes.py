"""Notebook 03, right: a regex for the dotted quad, int.to_bytes / int.from_bytes for every
conversion, no struct at all.

Written from the exercise text only.
"""

import re
import sys

from netkit.byteorder import Header

_PART = r"(0|[1-9][0-9]{0,2})"
_QUAD = re.compile(r"\.".join([_PART] * 4))


def ip_to_int(text):
    """The 32-bit number of the dotted quad `text`: "157.181.161.32" -> 0x9db5a120."""
    match = _QUAD.fullmatch(text)
    if match is None:
        raise ValueError(f"not a dotted quad: {text!r}")
    parts = [int(group) for group in match.groups()]
    if max(parts) > 255:
        raise ValueError(f"a part of {text!r} is over 255")
    return int.from_bytes(bytes(parts), "big")


def int_to_ip(number):
    """The dotted quad of a 32-bit number: 0x9db5a120 -> "157.181.161.32"."""
    try:
        four = number.to_bytes(4, "big")
    except OverflowError as exc:
        raise ValueError(f"{number} is not a 32-bit unsigned number") from exc
    return "%d.%d.%d.%d" % tuple(four)


def _reorder(x, size, byteorder):
    # x's bytes in memory on this host are x.to_bytes(size, byteorder); the converted value is
    # the number whose bytes in memory are x's bytes in network (big-endian) order.
    return int.from_bytes(x.to_bytes(size, "big"), byteorder)


def htonl(x, byteorder=sys.byteorder):
    """32-bit `x` from host to network byte order, on a host of byte order `byteorder`."""
    return _reorder(x, 4, byteorder)


def ntohl(x, byteorder=sys.byteorder):
    """32-bit `x` from network to host byte order."""
    return int.from_bytes(x.to_bytes(4, byteorder), "big")


def htons(x, byteorder=sys.byteorder):
    """16-bit `x` from host to network byte order."""
    return _reorder(x, 2, byteorder)


def ntohs(x, byteorder=sys.byteorder):
    """16-bit `x` from network to host byte order."""
    return int.from_bytes(x.to_bytes(2, byteorder), "big")


_FIELDS = (("version", 1), ("type", 1), ("length", 2), ("seq", 4))


def pack_header(header):
    """The 8 bytes of `header` (version, type, length, seq) in network byte order."""
    version, kind, length, seq = header
    return b"".join(value.to_bytes(size, "big") for value, (_, size) in zip((version, kind, length, seq), _FIELDS))


def unpack_header(data):
    """The Header at the start of `data`; ValueError if `data` is shorter than 8 bytes."""
    if len(data) < 8:
        raise ValueError(f"need 8 bytes for a header, have {len(data)}")
    values, offset = [], 0
    for _, size in _FIELDS:
        values.append(int.from_bytes(data[offset:offset + size], "big"))
        offset += size
    return Header._make(values)


VERSION, READING = 1, 2


def buggy_fields():
    """The names of the fields that a receiver reading network byte order gets wrong."""
    return ("tenths", "sensor_id")


def encode_reading_fixed(seq, sensor_id, tenths):
    """encode_reading without its bug: every field in network byte order."""
    header = pack_header((VERSION, READING, 4, seq))
    return header + sensor_id.to_bytes(2, "big") + tenths.to_bytes(2, "big", signed=True)
