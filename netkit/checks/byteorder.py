"""Checks for notebook 03 (byte order): dotted quads, htonl and friends, a struct header, a sender's bug.

Each exercise has a visible check (``check_x``), which its test cell calls:

====================  ===================================  ======================================
exercise              student writes                       the check compares with
====================  ===================================  ======================================
1 dotted quad -> int  ip_to_int(text)                      ``ipaddress``; a table of bad inputs
2 int -> dotted quad  int_to_ip(number)                    ``ipaddress``
3 byte swaps          htonl, htons, ntohl, ntohs           ``socket.htonl``... and int.to_bytes
4 a binary header     pack_header(h), unpack_header(data)  ``struct.pack("!BBHI", ...)``
5 a sender's bug      encode_reading_fixed, buggy_fields   ``struct.pack("!BBHIHh", ...)``
====================  ===================================  ======================================

Every case runs in one child process (``run_cases``), so a check answers in well under a
second.
"""

import ipaddress
import socket
import struct
import sys

from ..byteorder import HEADER_FIELDS, HEADER_MARKS, Header, dotted
from ..wire import hexdump
from ._base import check, fail, show_bytes
from ._cases import describe_call, run_cases

__all__ = [
    "check_ip_to_int",
    "check_int_to_ip",
    "check_byte_swaps",
    "check_header",
    "check_reading_fix",
    "READING_FIELDS",
]

DEADLINE = 3.0  # a whole batch of cases; correct code needs well under 0.1 s

HINT_QUAD = ("part 1, 'One number, four bytes': the first part of 157.181.161.32 is the most "
             "significant byte, so the number is 157*2**24 + 181*2**16 + 161*2**8 + 32 = 0x9db5a120 "
             "(network byte order is big-endian).")
HINT_STRICT = ("the rules of exercise 1: exactly four parts, each 1 to 3 characters from '0123456789', "
               "no leading zero, at most 255. int() alone is too lenient: int(' 7'), int('+7'), int('1_0') "
               "and int('\u0667') (an Arabic-Indic seven) all succeed; test each part's characters first.")
HINT_RANGE = "an IPv4 address is 32 bits: 0 <= number <= 0xffffffff; refuse anything else, do not mask it."
HINT_SWAP = ("part 2, 'Network byte order is big-endian': h = host, n = network = big-endian. On a "
             "little-endian host they reverse the bytes (4 for l, 2 for s); on a big-endian host they "
             "return the value unchanged. Use the byteorder parameter, not sys.byteorder.")
HINT_HEADER = ("part 3, 'struct: binary records in network byte order': start the format with '!' so every "
               "field is big-endian and unpadded: '!BBHI' is version (1 byte), type (1), length (2), seq (4) "
               "= 8 bytes.")
HINT_SHORT = ("a header is 8 bytes: fewer is a broken message. struct.unpack raises struct.error, which is "
              "not a ValueError: check the length (or catch struct.error) and raise ValueError.")
HINT_READING = ("part 3, 'struct: binary records in network byte order': in a struct format, '=' means "
                "*native* byte order with standard sizes, not network order; only '!' (or '>') is big-endian.")

HINT_UNSIGNED = ("every field of the header is unsigned: 'B' (0-255), 'H' (0-65535), 'I' (0-4294967295); the "
                 "lower-case letters are signed and refuse the upper half of each range. The prefix only sets the "
                 "order of the bytes.")
HINT_SIGNED = ("a value out of range for its format code is a matter of size and sign, not of byte order: "
               "sensor_id is unsigned, 0 to 65535 ('H'); tenths is signed, -32768 to 32767 ('h'). The prefix "
               "('!', '=', '<') changes only the order of the bytes, never which numbers fit.")


# ---------------------------------------------------------------------------------------
# Shared helpers


def _run(func, name, calls, forbid=(), hint=None):
    """All ``calls`` of ``func`` in one child: a list of ``Result`` (see ``run_cases``)."""
    __tracebackhide__ = True  # noqa: F841
    return run_cases(func, calls, name=name, deadline=DEADLINE, forbid=forbid, hint=hint)


def _number(value, size=4):
    """``value`` as a student reads it: decimal, hex and (for 32 bits) a dotted quad."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{value!r} (a {type(value).__name__}, not an int)"
    if 0 <= value < 1 << 32:
        text = f"{value} = 0x{value:0{2 * size}x}"
        return text + (f" = {dotted(value)}" if size == 4 else "")
    return f"{value} = {value:#x}" + (" (more than 32 bits)" if value > 0 else "")


def _swapped(value, size):
    return int.from_bytes(value.to_bytes(size, "little"), "big")


def _expect_value_errors(name, cases, results, why, hint):
    __tracebackhide__ = True  # noqa: F841
    for (args, reason), result in zip(cases, results):
        if not result.raised:
            got = _number(result.value) if isinstance(result.value, int) else repr(result.value)
            fail(f"{describe_call(name, args)} should raise ValueError ({reason}), but it "
                 f"returned {got}.", expected="ValueError", got=got, hint=hint)
        if not result.raised_a("ValueError"):
            fail(f"{describe_call(name, args)} should raise ValueError ({reason}), but it {result}.",
                 expected="ValueError", got=result.error_type,
                 hint=" ".join(filter(None, [hint, why, (
                     f"Check the input first and raise ValueError yourself, with a message saying what is "
                     f"wrong: {result.error_type} is not a ValueError.")])))


# ---------------------------------------------------------------------------------------
# Exercise 1: dotted quad -> int


GOOD_QUADS = ("157.181.161.32", "0.0.0.0", "255.255.255.255", "127.0.0.1", "10.0.0.1", "1.2.3.4")
BAD_QUADS = (
    ("256.1.1.1", "256 does not fit in a byte"),
    ("1.2.3", "it has three parts, not four"),
    ("a.b.c.d", "its parts are letters"),
    ("1.2.3.4.5", "it has five parts"),
)


def _quad_cases(quads):
    return [((q,), {}) for q in quads]


def _check_quads(ip_to_int, quads):
    __tracebackhide__ = True  # noqa: F841
    results = _run(ip_to_int, "ip_to_int", _quad_cases(quads), hint=HINT_QUAD)
    for quad, result in zip(quads, results):
        expected = int(ipaddress.IPv4Address(quad))
        call = describe_call("ip_to_int", (quad,))
        if result.raised:
            edge = " Every part here is 0 to 255, both ends included: 255 is a byte too." \
                if any(part in ("0", "255") for part in quad.split(".")) else ""
            fail(f"{call} raised an error for a valid address.{edge}", expected=_number(expected),
                 got=str(result), hint=HINT_STRICT if edge else HINT_QUAD)
        if result.value != expected or isinstance(result.value, bool):
            got = _number(result.value)
            if isinstance(result.value, int) and result.value == _swapped(expected, 4):
                got += ": the four bytes in little-endian order"
            fail(f"{call} gave the wrong number.", expected=_number(expected), got=got, hint=HINT_QUAD)
    return results


@check
def check_ip_to_int(ip_to_int):
    """Visible: the lecture's address and a few others, and the three bad inputs the task names."""
    _check_quads(ip_to_int, GOOD_QUADS)
    cases = [((q,), why) for q, why in BAD_QUADS]
    results = _run(ip_to_int, "ip_to_int", [(args, {}) for args, _ in cases])
    _expect_value_errors("ip_to_int", cases, results, "int('a') raises ValueError, but '1.2.3' needs "
                         "a check of its own.", HINT_STRICT)


# ---------------------------------------------------------------------------------------
# Exercise 2: int -> dotted quad


GOOD_NUMBERS = (0x9DB5A120, 0, 0xFFFFFFFF, 0x7F000001, 0x01020304, 0x0A000001)
BAD_NUMBERS = ((-1, "it is negative"), (1 << 32, "it needs 33 bits"))


def _check_numbers(int_to_ip, numbers, forbid=()):
    __tracebackhide__ = True  # noqa: F841
    results = _run(int_to_ip, "int_to_ip", [((n,), {}) for n in numbers], forbid=forbid, hint=HINT_QUAD)
    for number, result in zip(numbers, results):
        expected = str(ipaddress.IPv4Address(number))
        call = describe_call("int_to_ip", (number,))
        if result.raised:
            fail(f"{call} raised an error for a valid 32-bit number.", sent=f"int_to_ip({_number(number)})",
                 expected=repr(expected), got=str(result), hint=HINT_QUAD)
        if result.value != expected:
            got = repr(result.value)
            if result.value == dotted(_swapped(number, 4)):
                got += ": the four bytes in little-endian order"
            elif result.value == ".".join(f"{b:x}" for b in number.to_bytes(4, "big")) or \
                    result.value == ".".join(f"{b:02x}" for b in number.to_bytes(4, "big")):
                got += ": each byte in hexadecimal; a dotted quad writes them in decimal (str(byte), not hex())"
            elif isinstance(result.value, str) and result.value.count(".") != 3:
                got += f": {result.value.count('.') + 1} parts, not 4"
            fail(f"{call} gave the wrong address.", sent=f"int_to_ip({_number(number)})",
                 expected=repr(expected), got=got, hint=HINT_QUAD)


@check
def check_int_to_ip(int_to_ip):
    """Visible: the lecture's number and a few others; -1 and 2**32 raise ValueError."""
    _check_numbers(int_to_ip, GOOD_NUMBERS)
    cases = [((n,), why) for n, why in BAD_NUMBERS]
    results = _run(int_to_ip, "int_to_ip", [(args, {}) for args, _ in cases])
    _expect_value_errors("int_to_ip", cases, results, "", HINT_RANGE)


# ---------------------------------------------------------------------------------------
# Exercise 3: htonl, htons, ntohl, ntohs by hand

SIZES = {"htonl": 4, "ntohl": 4, "htons": 2, "ntohs": 2}
REFERENCE = {"htonl": socket.htonl, "ntohl": socket.ntohl, "htons": socket.htons, "ntohs": socket.ntohs}


def _expected_swap(name, value, order):
    """What ``name`` returns on a host of byte order ``order``; the socket module's answer on this host."""
    if order == sys.byteorder:
        return REFERENCE[name](value)
    return value if order == "big" else _swapped(value, SIZES[name])


def _check_swaps(functions, values, forbid=()):
    __tracebackhide__ = True  # noqa: F841
    for name, func in functions.items():
        size = SIZES[name]
        fitting = [v & ((1 << 8 * size) - 1) for v in values]
        calls = [((v,), {"byteorder": order}) for order in ("little", "big") for v in fitting]
        calls += [((v,), {}) for v in fitting[:20]]
        results = _run(func, name, calls, forbid=forbid, hint=HINT_SWAP)
        for (args, kwargs), result in zip(calls, results):
            order = kwargs.get("byteorder", sys.byteorder)
            expected = _expected_swap(name, args[0], order)
            if result.raised or result.value != expected or isinstance(result.value, bool):
                _swap_failure(name, args[0], kwargs, expected, result)


def _swap_failure(name, value, kwargs, expected, result):
    __tracebackhide__ = True  # noqa: F841
    size = SIZES[name]
    order = kwargs.get("byteorder")
    call = f"{name}({_hex(value, size)}" + (f", byteorder={order!r})" if order else ")")
    host = f"a {order}-endian host" if order else f"this {sys.byteorder}-endian host (the default byteorder)"
    source = f"socket.{name} gives" if (order or sys.byteorder) == sys.byteorder else "the right answer is"
    expected_text = f"{_hex(expected, size)} ({source} this on {host})"
    if result.raised:
        fail(f"{call} raised an error for a value that fits in {8 * size} bits.",
             expected=expected_text, got=str(result), hint=HINT_SWAP)
    got = result.value
    got_text = _hex(got, size) if isinstance(got, int) and not isinstance(got, bool) else repr(got)
    if got == value and order == "little" and expected != value:
        got_text += ": unchanged, but a little-endian host must reverse the bytes"
    elif order == "big" and isinstance(got, int) and got == _swapped(value, size):
        got_text += ": reversed, but on a big-endian host host order already is network order"
    elif isinstance(got, int) and got >= 1 << 8 * size:
        got_text += f": more than {8 * size} bits (a shifted byte was not masked off)"
    elif isinstance(got, int) and got == int(f"{value:0{2 * size}x}"[::-1], 16) and got != expected:
        got_text += ": its hex digits reversed (half-bytes), not its bytes: 0x12345678 becomes 0x78563412"
    elif isinstance(got, int) and size == 4 and got == ((value & 0xFFFF) << 16 | value >> 16) and got != expected:
        got_text += ": its two 16-bit halves swapped, but each half keeps its byte order: reverse all four bytes"
    fail(f"{call} returned the wrong number.", expected=expected_text, got=got_text, hint=HINT_SWAP)


def _hex(value, size):
    return f"0x{value:0{2 * size}x}" if isinstance(value, int) and value >= 0 else repr(value)


@check
def check_byte_swaps(htonl, htons, ntohl, ntohs):
    """Visible: the lecture's address and port 80, on a little- and on a big-endian host."""
    functions = {"htonl": htonl, "htons": htons, "ntohl": ntohl, "ntohs": ntohs}
    _check_swaps(functions, [0x9DB5A120, 0x01020304, 80, 0x5000, 0])


# ---------------------------------------------------------------------------------------
# Exercise 4: a header with struct

_HEADER = struct.Struct("!BBHI")
HEADERS = (Header(1, 2, 6, 1), Header(1, 7, 513, 0x9DB5A120), Header(2, 255, 65535, 0xFFFFFFFF))


def _dump(data):
    data = bytes(data)
    if len(data) >= _HEADER.size:
        rest = len(data) - _HEADER.size
        return hexdump(data[:_HEADER.size], marks=HEADER_MARKS) + (f"\n(+ {rest} more bytes)" if rest else "")
    return hexdump(data) if data else "(no bytes)"


def _wrong_fields(got, expected):
    """Which fields of two headers differ, and whether each is the other read in little-endian order."""
    notes = []
    for name, offset, size in HEADER_FIELDS:
        mine, right = got[offset:offset + size], expected[offset:offset + size]
        if mine != right:
            swapped = " (its bytes reversed: little-endian)" if mine == right[::-1] else ""
            notes.append(f"{name}{swapped}")
    return notes


def _check_pack(pack_header, headers, forbid=()):
    __tracebackhide__ = True  # noqa: F841
    results = _run(pack_header, "pack_header", [((h,), {}) for h in headers], forbid=forbid, hint=HINT_HEADER)
    for header, result in zip(headers, results):
        expected = _HEADER.pack(*header)
        call = f"pack_header({header!r})"
        if result.raised and result.error_type.startswith("struct") and "format requires" in result.message:
            fail(f"{call} raised an error: struct.pack refused one of the values for its format code.",
                 expected=expected, got=str(result), hint=HINT_UNSIGNED)
        if result.raised:
            fail(f"{call} raised an error.", expected=expected, got=str(result), hint=HINT_HEADER)
        got = result.value
        if not isinstance(got, (bytes, bytearray)):
            fail(f"{call} must return bytes, not a {type(got).__name__}.", expected=expected, got=repr(got),
                 hint=HINT_HEADER)
        if bytes(got) != expected:
            wrong = _wrong_fields(bytes(got), expected) if len(got) == len(expected) else []
            summary = (f"{call} put these fields in the wrong bytes: {', '.join(wrong)}." if wrong
                       else f"{call} returned {len(got)} bytes; the header is {len(expected)}.")
            fail(summary + f"\n  expected on the wire:\n{_indent(_dump(expected))}"
                           f"\n  your bytes:\n{_indent(_dump(got))}", hint=HINT_HEADER)


def _check_unpack(unpack_header, blobs, forbid=()):
    __tracebackhide__ = True  # noqa: F841
    results = _run(unpack_header, "unpack_header", [((b,), {}) for b in blobs], forbid=forbid, hint=HINT_HEADER)
    for blob, result in zip(blobs, results):
        expected = Header(*_HEADER.unpack_from(blob))
        call = f"unpack_header({show_bytes(blob, 24)})"
        extra = ""
        if len(blob) > _HEADER.size:
            extra = f" (a header followed by {len(blob) - _HEADER.size} payload bytes: read only the first 8)"
        if result.raised:
            fail(f"{call} raised an error{extra}.\n  the bytes:\n{_indent(_dump(blob))}",
                 expected=repr(expected), got=str(result),
                 hint=("struct.unpack wants exactly as many bytes as its format describes (8): give it data[:8], "
                       "or use struct.unpack_from, which reads from the start and ignores the rest."
                       if extra and "requires a buffer" in result.message else HINT_HEADER))
        got = result.value
        if not isinstance(got, tuple) or tuple(got) != tuple(expected):
            fail(f"{call} read the wrong fields{extra}.\n  the bytes:\n{_indent(_dump(blob))}",
                 expected=repr(expected), got=repr(got) + _misread(got, blob), hint=HINT_HEADER)
    return results


def _check_named(blob, result):
    """The fields are right; are they reachable by name, as a Header's are?"""
    __tracebackhide__ = True  # noqa: F841
    got, expected = result.value, Header(*_HEADER.unpack_from(blob))
    if [getattr(got, name, None) for name in Header._fields] != list(expected):
        fail(f"unpack_header({show_bytes(blob, 24)}) returned a plain {type(got).__name__}, {got!r}: the fields "
             f"are right, but a caller cannot write header.seq or header.length on it.",
             expected=repr(expected), got=repr(got),
             hint="return a Header: Header(*fields) turns the tuple struct.unpack gives into one.")


def _misread(got, blob):
    """``": length, seq read little-endian"`` when that explains the wrong fields."""
    if not (isinstance(got, tuple) and len(got) == len(HEADER_FIELDS)):
        return ""
    wrong, little = [], []
    for value, (name, offset, size) in zip(got, HEADER_FIELDS):
        field = blob[offset:offset + size]
        if value != int.from_bytes(field, "big"):
            wrong.append(name)
            if value == int.from_bytes(field, "little"):
                little.append(name)
    if wrong and little == wrong:
        return f": {', '.join(wrong)} read in little-endian order"
    return f": {', '.join(wrong)} wrong" if wrong else ""


def _indent(text, by="    "):
    return "\n".join(by + line for line in text.splitlines())


def _check_short(unpack_header, lengths):
    __tracebackhide__ = True  # noqa: F841
    full = _HEADER.pack(1, 2, 6, 1)
    cases = [((full[:n],), f"only {n} byte{'s' if n != 1 else ''}") for n in lengths]
    results = _run(unpack_header, "unpack_header", [(args, {}) for args, _ in cases])
    for (args, why), result in zip(cases, results):
        call = f"unpack_header({show_bytes(args[0])})"
        if not result.raised_a("ValueError"):
            fail(f"{call} should raise ValueError ({why}: a header is 8), but it {result}.",
                 expected="ValueError", got=str(result), hint=HINT_SHORT)


@check
def check_header(pack_header, unpack_header):
    """Visible: three headers packed and unpacked, one followed by a payload, one too short."""
    _check_pack(pack_header, HEADERS)
    blobs = [_HEADER.pack(*h) for h in HEADERS] + [_HEADER.pack(*HEADERS[0]) + b"payload"]
    results = _check_unpack(unpack_header, blobs)
    _check_short(unpack_header, [4])
    _check_named(blobs[0], results[0])


# ---------------------------------------------------------------------------------------
# Exercise 5: the byte-order bug in a sender

_READING = struct.Struct("!BBHIHh")
READING_FIELDS = ("version", "type", "length", "seq", "sensor_id", "tenths")
BUGGY = frozenset({"sensor_id", "tenths"})
VERSION, READING = 1, 2
READINGS = ((1, 7, 215), (2, 513, -125), (0x01020304, 65535, -32768))


def _check_readings(encode, readings, forbid=()):
    __tracebackhide__ = True  # noqa: F841
    results = _run(encode, "encode_reading_fixed", [(r, {}) for r in readings], forbid=forbid, hint=HINT_READING)
    marks = [*HEADER_MARKS, (8, 2, "sensor_id"), (10, 2, "tenths")]
    for reading, result in zip(readings, results):
        expected = _READING.pack(VERSION, READING, 4, *reading)
        call = describe_call("encode_reading_fixed", reading)
        if result.raised and result.raised_a("error") and result.error_type.startswith("struct"):
            fail(f"{call} raised an error: struct.pack refused one of the values (sensor_id = {reading[1]}, "
                 f"tenths = {reading[2]}).", expected=expected, got=str(result), hint=HINT_SIGNED)
        if result.raised:
            fail(f"{call} raised an error.", expected=expected, got=str(result), hint=HINT_READING)
        got = result.value
        if not isinstance(got, (bytes, bytearray)) or bytes(got) != expected:
            shown = hexdump(bytes(got), marks=marks) if isinstance(got, (bytes, bytearray)) else repr(got)
            wrong = []
            if isinstance(got, (bytes, bytearray)) and len(got) == len(expected):
                wrong = [name for offset, size, name in marks
                         if got[offset:offset + size] != expected[offset:offset + size]]
            what = f"these fields are still wrong: {', '.join(wrong)}" if wrong else "wrong bytes"
            hint = HINT_READING
            if wrong == ["length"]:
                what += f" (it says {int.from_bytes(got[2:4], 'big')}; the length counts the bytes after the " \
                        f"8-byte header, here {len(expected) - 8})"
                hint = ("the byte order is right now; the header's length field is the payload's size, "
                        "not the message's.")
            fail(f"{call} sent {what}.\n  expected on the wire:\n{_indent(hexdump(expected, marks=marks))}"
                 f"\n  yours:\n{_indent(shown)}", expected=expected,
                 got=bytes(got) if isinstance(got, (bytes, bytearray)) else repr(got), hint=hint)


def _check_answer(buggy_fields):
    __tracebackhide__ = True  # noqa: F841
    (result,) = _run(buggy_fields, "buggy_fields", [((), {})])
    answer = result.value
    if result.raised or isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        fail(f"buggy_fields() should return a set of field names, like {{'seq'}}, but it {result}.",
             hint="list the fields that a receiver reading in network byte order gets wrong.")
    named = set(answer)
    unknown = sorted(map(repr, named - set(READING_FIELDS)))
    if unknown:
        fail(f"buggy_fields() names {', '.join(unknown)}, which {'is' if len(unknown) == 1 else 'are'} "
             f"not a field of a reading.", expected=f"names from {READING_FIELDS}", got=repr(answer))
    fine = sorted(named - BUGGY, key=READING_FIELDS.index)
    if fine:
        fail(f"buggy_fields() names {', '.join(map(repr, fine))}, which the receiver reads correctly.",
             got=repr(answer), hint=HINT_READING + " Look at which format string lacks '!'.")
    missing = BUGGY - named
    if missing:
        fail(f"buggy_fields() misses {len(missing)} field(s) that the receiver also reads wrongly.",
             got=repr(answer), hint=HINT_READING + " One format string can hold several fields.")


@check
def check_reading_fix(encode_reading_fixed, buggy_fields):
    """Visible: buggy_fields() names the wrong fields; the fixed sender's bytes for three readings."""
    _check_answer(buggy_fields)
    _check_readings(encode_reading_fixed, READINGS)


