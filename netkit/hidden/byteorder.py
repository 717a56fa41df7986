"""Hidden checks for notebook 03 (byte order): what ``check_x_hidden`` adds to ``check_x``.

Instructor only (see ``netkit/hidden/__init__.py``). Exercises 1-3 are to be written by
hand: these checks run the student's code with ``socket``, ``struct``, ``ipaddress``,
``ctypes`` and ``array`` unusable (runner's ``forbid=``, ``BY_HAND``) and read the code
for names taken from them; then seeded random inputs, every edge, and more bad inputs.
"""

import ipaddress
import random

from ..byteorder import Header
from ..checks._base import check, fail
from ..checks._cases import describe_call
from ..checks._harness import forbidden_uses
from ..checks.byteorder import (
    BAD_NUMBERS, BAD_QUADS, GOOD_QUADS, HINT_QUAD, HINT_RANGE, HINT_STRICT, SIZES, _HEADER, _check_answer,
    _check_numbers, _check_pack, _check_quads, _check_readings, _check_short, _check_swaps, _check_unpack,
    _expect_value_errors, _quad_cases, _run,
)

__all__ = [
    "check_ip_to_int_hidden",
    "check_int_to_ip_hidden",
    "check_byte_swaps_hidden",
    "check_header_hidden",
    "check_reading_fix_hidden",
]


# What "by hand" rules out, as module names (a function's __module__ is "_socket", not "socket").
BY_HAND = ("socket", "_socket", "struct", "_struct", "ipaddress", "ctypes", "array", "numpy",
           "netkit.byteorder")


HINT_OVERFLOW = ("the socket module's htonl raises OverflowError for a value that does not fit in 32 bits "
                 "(htons: 16 bits) or is negative; do the same instead of masking it.")


def _no_forbidden_names(func, name, modules=BY_HAND, hint=None):
    __tracebackhide__ = True  # noqa: F841
    uses = forbidden_uses(func, modules)
    if uses:
        shown = ", ".join(f"{use.name!r} (from {use.origin or use.name}) in {use.function}" for use in uses)
        fail(f"{name} must do this by hand, but its code uses {shown}.",
             hint=hint or "write it with shifts and masks (or int.to_bytes / int.from_bytes).")


BAD_QUADS_HIDDEN = BAD_QUADS + (
    (" 1.2.3.4", "it starts with a space"),
    ("1.2.3.4 ", "it ends with a space"),
    ("1.2.3.4\n", "it ends with a newline"),
    ("1.2.3.4.", "it ends with a dot: an empty fifth part"),
    (".1.2.3", "it starts with a dot: an empty first part"),
    ("1..3.4", "one part is empty"),
    ("01.2.3.4", "'01' has a leading zero (inet_aton reads '010' as octal 8)"),
    ("1.2.3.00", "'00' has a leading zero"),
    ("1.2.3.+4", "'+4' has a sign"),
    ("1.2.-3.4", "'-3' is negative"),
    ("1_0.2.3.4", "'1_0' has an underscore (int('1_0') is 10)"),
    ("1.2.3.\u0664", "'\u0664' is an Arabic-Indic digit four, not an ASCII digit"),
    ("1.2.3.1000", "'1000' has four digits"),
    ("1.2.3.2555", "'2555' has four digits"),
    ("0x7f.0.0.1", "'0x7f' is hexadecimal"),
    ("", "it is empty"),
    ("1.2.3.4/24", "'4/24' is not a number"),
    ("1,2,3,4", "it uses commas"),
)


@check
def check_ip_to_int_hidden(ip_to_int):
    """Hidden: 500 seeded random addresses, every edge, 22 bad inputs, and no socket/struct/ipaddress."""
    _no_forbidden_names(ip_to_int, "ip_to_int")
    rng = random.Random(3)
    quads = [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(500)]
    quads += ["0.0.0.255", "0.0.255.0", "0.255.0.0", "255.0.0.0", "100.200.10.9", "9.99.199.249"]
    _check_quads_forbidding(ip_to_int, GOOD_QUADS + tuple(quads))
    cases = [((q,), why) for q, why in BAD_QUADS_HIDDEN]
    results = _run(ip_to_int, "ip_to_int", [(args, {}) for args, _ in cases], forbid=BY_HAND)
    _expect_value_errors("ip_to_int", cases, results, "Not every bad input makes int() fail.", HINT_STRICT)


def _check_quads_forbidding(ip_to_int, quads):
    __tracebackhide__ = True  # noqa: F841
    results = _run(ip_to_int, "ip_to_int", _quad_cases(quads), forbid=BY_HAND, hint=HINT_QUAD)
    for quad, result in zip(quads, results):
        expected = int(ipaddress.IPv4Address(quad))
        if result.raised or result.value != expected:
            _check_quads(ip_to_int, (quad,))  # fails with the same message as the visible check


BAD_NUMBERS_HIDDEN = BAD_NUMBERS + ((-(1 << 40), "it is negative"), ((1 << 32) + 1, "it needs 33 bits"),
                                    (1 << 40, "it needs 41 bits"), (1 << 64, "it needs 65 bits"))


@check
def check_int_to_ip_hidden(int_to_ip):
    """Hidden: 500 seeded random numbers, each byte alone, numbers beyond 32 bits, and by hand."""
    _no_forbidden_names(int_to_ip, "int_to_ip")
    rng = random.Random(4)
    numbers = [rng.getrandbits(32) for _ in range(500)] + [0xFF << s for s in (0, 8, 16, 24)] + [1, 256]
    _check_numbers(int_to_ip, numbers, forbid=BY_HAND)
    cases = [((n,), why) for n, why in BAD_NUMBERS_HIDDEN]
    results = _run(int_to_ip, "int_to_ip", [(args, {}) for args, _ in cases], forbid=BY_HAND)
    _expect_value_errors("int_to_ip", cases, results, "", HINT_RANGE)


@check
def check_byte_swaps_hidden(htonl, htons, ntohl, ntohs):
    """Hidden: 300 seeded random values per function in both orders, edges, OverflowError, by hand."""
    functions = {"htonl": htonl, "htons": htons, "ntohl": ntohl, "ntohs": ntohs}
    for name, func in functions.items():
        _no_forbidden_names(func, name, hint="reverse the bytes with shifts and masks, or with int.to_bytes "
                                       "and int.from_bytes.")
    rng = random.Random(5)
    values = [rng.getrandbits(32) for _ in range(300)]
    values += [0, 1, 0xFF, 0xFF00, 0xFF0000, 0xFF000000, 0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0x0102]
    _check_swaps(functions, values, forbid=BY_HAND)
    for name, func in functions.items():
        bits = 8 * SIZES[name]
        cases = [(-1, "it is negative"), (1 << bits, f"it needs {bits + 1} bits")]
        calls = [((v,), {"byteorder": order}) for v, _ in cases for order in ("little", "big")]
        results = _run(func, name, calls, forbid=BY_HAND)
        for (args, kwargs), result in zip(calls, results):
            why = dict(cases)[args[0]]
            call = describe_call(name, args, kwargs)
            if not result.raised_a("OverflowError"):
                fail(f"{call} should raise OverflowError ({why}), like socket.{name}, but it {result}.",
                     expected="OverflowError", got=str(result), hint=HINT_OVERFLOW)


@check
def check_header_hidden(pack_header, unpack_header):
    """Hidden: 200 seeded random headers both ways, payloads after them, every short length."""
    rng = random.Random(6)
    headers = [Header(rng.getrandbits(8), rng.getrandbits(8), rng.getrandbits(16), rng.getrandbits(32))
               for _ in range(200)]
    headers += [Header(0, 0, 0, 0), Header(255, 255, 65535, 0xFFFFFFFF)]
    _check_pack(pack_header, headers)
    _check_pack(pack_header, [tuple(h) for h in headers[:5]])  # a plain tuple works as well
    blobs = [_HEADER.pack(*h) + bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 20))) for h in headers]
    _check_unpack(unpack_header, blobs)
    _check_short(unpack_header, range(8))


@check
def check_reading_fix_hidden(encode_reading_fixed, buggy_fields):
    """Hidden: 200 seeded random readings, negative temperatures and every edge."""
    _check_answer(buggy_fields)
    rng = random.Random(7)
    readings = [(rng.getrandbits(32), rng.getrandbits(16), rng.randint(-32768, 32767)) for _ in range(200)]
    readings += [(0, 0, 0), (0xFFFFFFFF, 0xFFFF, 32767), (1, 1, -1)]
    _check_readings(encode_reading_fixed, readings)
