"""A correct solution in arithmetic: multiply by 256, divmod, a byte-reversing loop, and a
header and a reading built with int.to_bytes instead of struct."""

import sys
from collections import namedtuple

DIGITS = "0123456789"
Fields = namedtuple("Fields", "version type length seq")


def _octet(part):
    if not 1 <= len(part) <= 3 or any(ch not in DIGITS for ch in part):
        raise ValueError(f"{part!r} is not 1 to 3 digits")
    if part != "0" and part.startswith("0"):
        raise ValueError(f"{part!r} has a leading zero")
    value = 0
    for ch in part:
        value = value * 10 + DIGITS.index(ch)
    if value > 255:
        raise ValueError(f"{part!r} is more than 255")
    return value


def ip_to_int(text):
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"{text!r} does not have four parts")
    total = 0
    for part in parts:
        total = total * 256 + _octet(part)
    return total


def int_to_ip(number):
    if number < 0 or number > 2**32 - 1:
        raise ValueError("out of range")
    octets = []
    for _ in range(4):
        number, low = divmod(number, 256)
        octets.insert(0, str(low))
    return ".".join(octets)


def _reverse(value, size):
    result = 0
    for _ in range(size):
        result = result * 256 + value % 256
        value //= 256
    return result


def htonl(x, byteorder=sys.byteorder):
    if not 0 <= x < 2**32:
        raise OverflowError("htonl: value out of range")
    return x if byteorder == "big" else _reverse(x, 4)


def ntohl(x, byteorder=sys.byteorder):
    return htonl(x, byteorder)


def htons(x, byteorder=sys.byteorder):
    if not 0 <= x < 2**16:
        raise OverflowError("htons: value out of range")
    return x if byteorder == "big" else _reverse(x, 2)


def ntohs(x, byteorder=sys.byteorder):
    return htons(x, byteorder)


def pack_header(header):
    version, kind, length, seq = header
    return (version.to_bytes(1, "big") + kind.to_bytes(1, "big")
            + length.to_bytes(2, "big") + seq.to_bytes(4, "big"))


def unpack_header(data):
    if len(data) < 8:
        raise ValueError("short header")
    return Fields(data[0], data[1], int.from_bytes(data[2:4], "big"), int.from_bytes(data[4:8], "big"))


def encode_reading_fixed(seq, sensor_id, tenths):
    return (bytes([1, 2]) + (4).to_bytes(2, "big") + seq.to_bytes(4, "big")
            + sensor_id.to_bytes(2, "big") + tenths.to_bytes(2, "big", signed=True))


def buggy_fields():
    return frozenset(("sensor_id", "tenths"))
