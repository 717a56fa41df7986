"""The checks of notebook 03 accept every correct solution and reject each classic mistake
with the message a student would read (tests/solutions/byteorder/)."""

import pytest

from netkit.byteorder import Header
from netkit.checks import byteorder as checks
from netkit.errors import CheckFailed
from netkit.hidden import byteorder as hidden
from tests.solutions.byteorder import right_arith, right_bytes, wrong_headers, wrong_quads, wrong_swaps

RIGHT = [right_arith, right_bytes]


def _swaps(solution, **replaced):
    functions = {name: getattr(solution, name) for name in ("htonl", "htons", "ntohl", "ntohs")}
    functions.update(replaced)
    return functions


@pytest.mark.parametrize("solution", RIGHT, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_a_right_solution_passes_every_check(solution):
    for module, suffix in ((checks, ""), (hidden, "_hidden")):
        getattr(module, f"check_ip_to_int{suffix}")(solution.ip_to_int)
        getattr(module, f"check_int_to_ip{suffix}")(solution.int_to_ip)
        getattr(module, f"check_byte_swaps{suffix}")(**_swaps(solution))
        getattr(module, f"check_header{suffix}")(solution.pack_header, solution.unpack_header)
        getattr(module, f"check_reading_fix{suffix}")(solution.encode_reading_fixed, solution.buggy_fields)


def _fails(check, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(*args, **kwargs)
    return str(info.value)


# (check, wrong function, visible too?, text the student reads)
QUADS = [
    ("int_parsing", False, ["ip_to_int(' 1.2.3.4') should raise ValueError (it starts with a space)",
                            "int() alone is too lenient"]),
    ("isdigit_parsing", False, ["'\u0664' is an Arabic-Indic digit four", "expected: ValueError"]),
    ("leading_zeros", False, ["ip_to_int('01.2.3.4') should raise ValueError", "leading zero"]),
    ("little_endian", True, ["ip_to_int('157.181.161.32') gave the wrong number",
                             "expected: 2645926176 = 0x9db5a120 = 157.181.161.32",
                             "547468701 = 0x20a1b59d = 32.161.181.157: the four bytes in little-endian order",
                             "most significant byte"]),
    ("no_byte_check", True, ["ip_to_int('256.1.1.1') should raise ValueError (256 does not fit in a byte)",
                             "returned 4295033089 = 0x100010101 (more than 32 bits)"]),
    ("any_number_of_parts", True, ["ip_to_int('1.2.3') should raise ValueError (it has three parts, not four)"]),
    ("index_error", True, ["ip_to_int('1.2.3') should raise ValueError", "raised IndexError",
                           "raise ValueError yourself", "IndexError is not a ValueError."]),
    ("with_ipaddress", False, ["ip_to_int must do this by hand", "'ipaddress' (from ipaddress)"]),
    ("with_inet_aton", False, ["'aton' (from _socket)"]),
]


@pytest.mark.parametrize("name, visible, texts", QUADS, ids=[q[0] for q in QUADS])
def test_ip_to_int_mistakes_fail_with_their_lesson(name, visible, texts):
    wrong = getattr(wrong_quads, name)
    if visible:
        message = _fails(checks.check_ip_to_int, wrong)
    else:
        checks.check_ip_to_int(wrong)  # the visible check does not catch it...
        message = _fails(hidden.check_ip_to_int_hidden, wrong)  # ...the hidden one does
    for text in texts:
        assert text in message, message


NUMBERS = [
    ("to_ip_little_endian", True, ["int_to_ip(2645926176) gave the wrong address",
                                   "expected: '157.181.161.32'",
                                   "'32.161.181.157': the four bytes in little-endian order"]),
    ("to_ip_masks", True, ["int_to_ip(-1) should raise ValueError (it is negative)",
                           "returned '255.255.255.255'", "do not mask it"]),
    ("to_ip_unmasked_top", True, ["int_to_ip(4294967296) should raise ValueError", "'256.0.0.0'"]),
    ("to_ip_hex", True, ["int_to_ip(2645926176) gave the wrong address", "'9d.b5.a1.20'"]),
    ("to_ip_ipaddress", False, ["int_to_ip must do this by hand", "'ipaddress'"]),
]


@pytest.mark.parametrize("name, visible, texts", NUMBERS, ids=[n[0] for n in NUMBERS])
def test_int_to_ip_mistakes_fail_with_their_lesson(name, visible, texts):
    wrong = getattr(wrong_quads, name)
    if not visible:
        checks.check_int_to_ip(wrong)
    message = _fails(checks.check_int_to_ip if visible else hidden.check_int_to_ip_hidden, wrong)
    for text in texts:
        assert text in message, message


SWAPS = [
    ("htonl", "always_swaps", True, ["htonl(0x9db5a120, byteorder='big') returned the wrong number",
                                     "reversed, but on a big-endian host host order already is network order"]),
    ("ntohl", "uses_sys_byteorder", True, ["ntohl(0x9db5a120, byteorder='big')", "Use the byteorder parameter"]),
    ("htonl", "never_swaps", True, ["htonl(0x9db5a120, byteorder='little') returned the wrong number",
                                    "expected: 0x20a1b59d (socket.htonl gives this on a little-endian host)",
                                    "unchanged, but a little-endian host must reverse the bytes"]),
    ("htonl", "unmasked_shifts", True, ["more than 32 bits (a shifted byte was not masked off)"]),
    ("htons", "short_swaps_four_bytes", True, ["htons(0xa120, byteorder='little') returned the wrong number",
                                               "expected: 0x20a1", "0x20a10000: more than 16 bits"]),
    ("ntohl", "masks_overflow", False, ["ntohl(-1, byteorder='little') should raise OverflowError (it is negative)",
                                        "like socket.ntohl"]),
    ("htonl", "with_socket", False, ["htonl must do this by hand", "'socket'"]),
]


@pytest.mark.parametrize("slot, name, visible, texts", SWAPS, ids=[s[1] for s in SWAPS])
def test_byte_swap_mistakes_fail_with_their_lesson(slot, name, visible, texts):
    functions = _swaps(right_arith, **{slot: getattr(wrong_swaps, name)})
    if not visible:
        checks.check_byte_swaps(**functions)
    message = _fails(checks.check_byte_swaps if visible else hidden.check_byte_swaps_hidden, **functions)
    for text in texts:
        assert text in message, message


HEADERS = [
    ("pack_native", "pack", ["pack_header(Header(version=1, type=2, length=6, seq=1)) put these fields in the "
                             "wrong bytes: length (its bytes reversed: little-endian), seq (its bytes reversed",
                             "start the format with '!'"]),
    ("pack_little", "pack", ["length (its bytes reversed: little-endian)"]),
    ("pack_equals", "pack", ["seq (its bytes reversed: little-endian)"]),
    ("pack_wide_length", "pack", ["returned 10 bytes; the header is 8"]),
    ("pack_swapped_fields", "pack", ["wrong bytes: version, type"]),
    ("unpack_native", "unpack", ["read the wrong fields", "length, seq read in little-endian order",
                                 "expected: Header(version=1, type=2, length=6, seq=1)"]),
    ("unpack_plain_tuple", "unpack", ["returned a plain tuple, (1, 2, 6, 1): the fields are right, but a caller "
                                      "cannot write header.seq", "Hint: return a Header: Header(*fields)"]),
    ("unpack_whole", "unpack", ["raised an error (a header followed by 7 payload bytes: read only the first 8)",
                                "struct.error"]),
    ("unpack_struct_error", "unpack", ["should raise ValueError (only 4 bytes: a header is 8)",
                                       "raised struct.error: unpack_from requires", "struct.error, which is not a ValueError"]),
    ("unpack_pads_short", "unpack", ["should raise ValueError (only 4 bytes", "returned (1, 2, 6, 0)"]),
]


@pytest.mark.parametrize("name, slot, texts", HEADERS, ids=[h[0] for h in HEADERS])
def test_header_mistakes_fail_with_their_lesson(name, slot, texts):
    pack = getattr(wrong_headers, name) if slot == "pack" else right_bytes.pack_header
    unpack = getattr(wrong_headers, name) if slot == "unpack" else right_bytes.unpack_header
    message = _fails(checks.check_header, pack, unpack)
    for text in texts:
        assert text in message, message


def test_unpack_must_refuse_every_short_length_in_the_hidden_check():
    def refuses_only_four(data):
        if len(data) == 4:
            raise ValueError("short")
        return Header(*wrong_headers.unpack_pads_short(data))

    checks.check_header(right_bytes.pack_header, refuses_only_four)
    message = _fails(hidden.check_header_hidden, right_bytes.pack_header, refuses_only_four)
    assert "unpack_header(b'' (0 bytes)) should raise ValueError (only 0 bytes: a header is 8)" in message


READINGS = [
    ("reading_unfixed", {"sensor_id", "tenths"}, True,
     ["encode_reading_fixed(1, 7, 215) sent these fields are still wrong: sensor_id, tenths",
      "'=' means *native* byte order"]),
    ("reading_half_fixed", {"sensor_id", "tenths"}, True, ["these fields are still wrong: tenths"]),
    ("reading_unsigned", {"sensor_id", "tenths"}, True, ["encode_reading_fixed(2, 513, -125) raised an error: "
                                                         "struct.pack refused one of the values (sensor_id = 513, "
                                                         "tenths = -125)",
                                                         "raised struct.error",  # whose text varies by Python version
                                                         "tenths is signed, -32768 to 32767 ('h')",
                                                         "changes only the order of the bytes"]),
    ("reading_signed_id", {"sensor_id", "tenths"}, True, ["encode_reading_fixed(16909060, 65535, -32768) raised an "
                                                          "error: struct.pack refused one of the values (sensor_id = "
                                                          "65535", "sensor_id is unsigned, 0 to 65535 ('H')"]),
    ("reading_swapped_body", {"sensor_id", "tenths"}, True, ["these fields are still wrong: sensor_id, tenths"]),
    ("reading_unfixed", {"seq"}, True, ["buggy_fields() names 'seq', which the receiver reads correctly"]),
    ("reading_unfixed", {"tenths"}, True, ["buggy_fields() misses 1 field(s)"]),
    ("reading_unfixed", "tenths", True, ["buggy_fields() should return a set of field names",
                                         "but it returned 'tenths'"]),
    ("reading_unfixed", {"temperature"}, True, ["buggy_fields() names 'temperature', which is not a field"]),
]


# A set's order changes with the hash seed: sorted, the ids are the same in every pytest-xdist worker.
@pytest.mark.parametrize("name, answer, visible, texts", READINGS,
                         ids=[f"{r[0]}-{sorted(r[1]) if isinstance(r[1], set) else r[1]}" for r in READINGS])
def test_reading_fix_mistakes_fail_with_their_lesson(name, answer, visible, texts):
    message = _fails(checks.check_reading_fix, getattr(wrong_headers, name), lambda: answer)
    for text in texts:
        assert text in message, message


def test_a_missing_solution_says_not_written_yet():
    def ip_to_int(text):
        raise NotImplementedError()

    message = _fails(checks.check_ip_to_int, ip_to_int)
    assert message.startswith("ip_to_int is not written yet")
    assert "Hint: replace `raise NotImplementedError()`" in message


def test_a_hanging_solution_says_where_it_hangs(monkeypatch):
    monkeypatch.setattr(checks, "DEADLINE", 1.0)

    def int_to_ip(number):
        while number:
            number = number | 1
        return "0.0.0.0"

    message = _fails(checks.check_int_to_ip, int_to_ip)
    assert message.startswith("int_to_ip(2645926176) did not finish within 1.0 s: stuck at line")
    assert "stuck at line" in message and "of int_to_ip" in message


def test_a_module_imported_at_run_time_is_forbidden_too():
    """The code scan cannot see importlib.import_module("struct"); the runner's forbid= can."""
    import importlib
    import sys

    def htonl(x, byteorder=sys.byteorder):
        packer = importlib.import_module("str" + "uct")
        return int.from_bytes(packer.pack("<I", x), "big") if byteorder == "little" else x

    message = _fails(hidden.check_byte_swaps_hidden, **_swaps(right_arith, htonl=htonl))
    assert "used a module this exercise forbids: this exercise forbids 'struct'" in message
    assert "Hint: the exercise is to do this yourself." in message
