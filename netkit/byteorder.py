"""Byte order as pure code: an integer, its bytes in both orders, and the header of notebook 03.

This module owns what the byte-order notebook shows and its explorer widget reads
(it imports no socket; the checks compare students' code with the ``socket`` module):

- ``parse_value(text)``: a dotted quad (``157.181.161.32``), a decimal or a ``0x`` hex
  integer, as ``Value(number, size)``; ``ValueError`` with a reason otherwise;
- ``in_both_orders(number, size)``: its bytes big-endian (network order) and little-endian;
- ``dotted(number)``: the dotted quad of a 32-bit number;
- ``Header`` and ``HEADER_FIELDS``: the 8-byte message header of the exercises, as a
  record and as a table of (name, offset, size) for annotated hexdumps.

The lecture's example, 157.181.161.32 = 0x9db5a120::

    >>> in_both_orders(0x9db5a120, 4)
    {'big': b'\\x9d\\xb5\\xa1 ', 'little': b' \\xa1\\xb5\\x9d'}
    >>> dotted(int.from_bytes(b' \\xa1\\xb5\\x9d', 'big'))
    '32.161.181.157'
"""

from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "NETWORK_ORDER",
    "LECTURE_ADDRESS",
    "LECTURE_NUMBER",
    "Value",
    "parse_value",
    "parse_dotted",
    "dotted",
    "in_both_orders",
    "Header",
    "HEADER_SIZE",
    "HEADER_FIELDS",
    "HEADER_MARKS",
]

NETWORK_ORDER = "big"  # RFC 1700: the most significant byte goes first on the wire
LECTURE_ADDRESS = "157.181.161.32"
LECTURE_NUMBER = 0x9DB5A120
_DIGITS = frozenset("0123456789")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class Value:
    """A number typed into the explorer and how many bytes it takes (2 for a port, 4 for an address)."""

    number: int
    size: int

    def __str__(self):
        return f"{self.number} = 0x{self.number:0{2 * self.size}x} ({self.size} bytes)"


def parse_dotted(text):
    """``"a.b.c.d"`` -> the 32-bit number ``a<<24 | b<<16 | c<<8 | d``, strictly.

    Four parts, each 1 to 3 ASCII digits, no leading zero (``inet_aton`` would read
    ``010`` as octal 8), each at most 255; no spaces, signs or empty parts.
    """
    parts = text.split(".")
    if len(parts) != 4:
        raise ValueError(f"{text!r} has {len(parts)} part(s); a dotted quad has 4, like 157.181.161.32")
    number = 0
    for part in parts:
        if not part or not set(part) <= _DIGITS or len(part) > 3:
            raise ValueError(f"{part!r} in {text!r} is not 1 to 3 digits 0-9")
        if len(part) > 1 and part[0] == "0":
            raise ValueError(f"{part!r} in {text!r} has a leading zero (octal to inet_aton, so refused)")
        if int(part) > 255:
            raise ValueError(f"{part!r} in {text!r} does not fit in one byte (0..255)")
        number = number << 8 | int(part)
    return number


def parse_value(text):
    """What the explorer understands: a dotted quad, a decimal or a 0x-hex integer up to 32 bits.

    Returns a ``Value``; its size is 4 bytes for an address or a number above 65535,
    2 for a smaller number (a port), so 80 shows as ``00 50`` / ``50 00``.
    """
    text = text.strip()
    if not text:
        raise ValueError("type an IPv4 address (157.181.161.32) or an integer (2645926176, 0x9db5a120)")
    if "." in text:
        return Value(parse_dotted(text), 4)
    if text[:2].lower() == "0x" and len(text) > 2 and set(text[2:]) <= _HEX_DIGITS:
        number = int(text[2:], 16)
    elif set(text) <= _DIGITS:
        number = int(text)
    else:
        raise ValueError(f"{text!r} is neither a dotted quad, a decimal nor a 0x hex integer")
    if number >= 1 << 32:
        raise ValueError(f"{text} = 0x{number:x} takes more than 32 bits")
    return Value(number, 2 if number <= 0xFFFF else 4)


def dotted(number):
    """The dotted quad of a 32-bit number: most significant byte first."""
    if not 0 <= number < 1 << 32:
        raise ValueError(f"{number} does not fit in 32 bits")
    return ".".join(str(number >> shift & 0xFF) for shift in (24, 16, 8, 0))


def in_both_orders(number, size=4):
    """``number``'s bytes as a big-endian and a little-endian machine stores them."""
    return {order: number.to_bytes(size, order) for order in ("big", "little")}


class Header(NamedTuple):
    """The 8-byte header of notebook 03's messages, all fields unsigned, network byte order."""

    version: int  # 1 byte
    type: int  # 1 byte
    length: int  # 2 bytes: payload bytes after the header
    seq: int  # 4 bytes: sequence number


HEADER_SIZE = 8
HEADER_FIELDS = (("version", 0, 1), ("type", 1, 1), ("length", 2, 2), ("seq", 4, 4))
HEADER_MARKS = tuple((offset, size, name) for name, offset, size in HEADER_FIELDS)  # for wire.hexdump
