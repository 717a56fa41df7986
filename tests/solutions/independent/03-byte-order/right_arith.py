"""Notebook 03, right: string checks by hand and shifts/masks for the conversions, struct for the
header (as the notebook's setup cell, this module imports socket and struct at the top: they
are in every function's globals, as in the notebook, but ip_to_int, int_to_ip and the swaps
do not use them).

Written from the exercise text only.
"""

import socket  # noqa: F401  (the notebook's setup cell imports it)
import struct
import sys

from netkit.byteorder import Header

ASCII_DIGITS = "0123456789"


def ip_to_int(text):
    """The 32-bit number of the dotted quad `text`: "157.181.161.32" -> 0x9db5a120."""
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"{text!r}: an IPv4 address has four parts")
    number = 0
    for part in parts:
        if not 1 <= len(part) <= 3 or any(character not in ASCII_DIGITS for character in part):
            raise ValueError(f"{text!r}: {part!r} is not 1 to 3 digits")
        if len(part) > 1 and part[0] == "0":
            raise ValueError(f"{text!r}: {part!r} has a leading zero")
        value = 0
        for character in part:
            value = value * 10 + ASCII_DIGITS.index(character)
        if value > 255:
            raise ValueError(f"{text!r}: {part} is over 255")
        number = (number << 8) | value
    return number


def int_to_ip(number):
    """The dotted quad of a 32-bit number: 0x9db5a120 -> "157.181.161.32"."""
    if number < 0 or number > 0xFFFFFFFF:
        raise ValueError(f"{number} does not fit in 32 bits")
    return ".".join(str((number >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def _swap32(x):
    return ((x & 0xFF) << 24) | ((x & 0xFF00) << 8) | ((x >> 8) & 0xFF00) | (x >> 24)


def _swap16(x):
    return ((x & 0xFF) << 8) | (x >> 8)


def _convert(x, bits, swap, byteorder):
    if not 0 <= x < (1 << bits):
        raise OverflowError(f"{x} does not fit in an unsigned {bits}-bit integer")
    if byteorder == "little":
        return swap(x)
    if byteorder == "big":
        return x
    raise ValueError(f"byteorder must be 'little' or 'big', not {byteorder!r}")


def htonl(x, byteorder=sys.byteorder):
    """32-bit `x` from host to network byte order, on a host of byte order `byteorder`."""
    return _convert(x, 32, _swap32, byteorder)


def ntohl(x, byteorder=sys.byteorder):
    """32-bit `x` from network to host byte order."""
    return _convert(x, 32, _swap32, byteorder)


def htons(x, byteorder=sys.byteorder):
    """16-bit `x` from host to network byte order."""
    return _convert(x, 16, _swap16, byteorder)


def ntohs(x, byteorder=sys.byteorder):
    """16-bit `x` from network to host byte order."""
    return _convert(x, 16, _swap16, byteorder)


HEADER_FORMAT = "!BBHI"


def pack_header(header):
    """The 8 bytes of `header` (version, type, length, seq) in network byte order."""
    return struct.pack(HEADER_FORMAT, *header)


def unpack_header(data):
    """The Header at the start of `data`; ValueError if `data` is shorter than 8 bytes."""
    size = struct.calcsize(HEADER_FORMAT)
    if len(data) < size:
        raise ValueError(f"a header is {size} bytes, got {len(data)}")
    return Header(*struct.unpack(HEADER_FORMAT, data[:size]))


VERSION, READING = 1, 2


def buggy_fields():
    """The names of the fields that a receiver reading network byte order gets wrong."""
    return ["sensor_id", "tenths"]


def encode_reading_fixed(seq, sensor_id, tenths):
    """encode_reading without its bug: every field in network byte order."""
    return struct.pack("!BBHIHh", VERSION, READING, 4, seq, sensor_id, tenths)
