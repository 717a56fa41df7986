"""Independent solutions of notebooks 01-03 against the checks the notebooks' test cells run.

The solutions under tests/solutions/independent/ were written from the student version of
each notebook alone (its exercise text), not from the reference solutions or the checks.
For every exercise:

* each right_*.py must pass the visible test cell and the hidden test cell;
* each wrong_*.py (one classic mistake per file, named in its docstring) must make the
  hidden test cell (which runs the visible check first, as the notebook's hidden cell does)
  raise AssertionError, with a message that points at that mistake.

The cells are called exactly as the notebooks' test cells call them: the visible cell
``check_x(x)``, the hidden cell ``check_x(x); check_x_hidden(x)``.

A defect of a check found this way (a wrong solution that the checks accept) is marked
``pytest.mark.xfail(strict=True, reason="check defect: ...")`` and reported to its owners.
The xfail is strict so that the test fails (XPASS) once the check is fixed, and the mark can go.
"""

import functools
import importlib.util
import pathlib
import re

import pytest

from netkit.checks import byteorder as byteorder_checks
from netkit.checks import ftp as ftp_checks
from netkit.checks import tcpudp as tcpudp_checks

pytestmark = pytest.mark.slow  # every independent solution against both checks (make test, not make quick)

ROOT = pathlib.Path(__file__).parent / "solutions" / "independent"

FTP, TCPUDP, BYTES = "01-client-server-ftp", "02-tcp-udp", "03-byte-order"

# exercise -> (assignment, checks module, check name, names of the functions passed to the check)
EXERCISES = {
    "read_reply": (FTP, ftp_checks, "check_read_reply", ("read_reply",)),
    "login": (FTP, ftp_checks, "check_login", ("login",)),
    "parse_pasv": (FTP, ftp_checks, "check_parse_pasv", ("parse_pasv",)),
    "download": (FTP, ftp_checks, "check_download", ("download",)),
    "upload": (FTP, ftp_checks, "check_upload", ("upload",)),
    "transport_needs": (FTP, ftp_checks, "check_transport_needs", ("transport_needs",)),
    "port_range": (TCPUDP, tcpudp_checks, "check_port_range", ("port_range",)),
    "lookup_service": (TCPUDP, tcpudp_checks, "check_lookup_service", ("lookup_service",)),
    "ipv4_addresses": (TCPUDP, tcpudp_checks, "check_ipv4_addresses", ("ipv4_addresses",)),
    "probe_tcp": (TCPUDP, tcpudp_checks, "check_probe_tcp", ("probe_tcp",)),
    "probe_udp": (TCPUDP, tcpudp_checks, "check_probe_udp", ("probe_udp",)),
    "classify_arrivals": (TCPUDP, tcpudp_checks, "check_classify_arrivals", ("classify_arrivals",)),
    "measure_link": (TCPUDP, tcpudp_checks, "check_measure_link", ("measure_link",)),
    "ip_to_int": (BYTES, byteorder_checks, "check_ip_to_int", ("ip_to_int",)),
    "int_to_ip": (BYTES, byteorder_checks, "check_int_to_ip", ("int_to_ip",)),
    "byte_swaps": (BYTES, byteorder_checks, "check_byte_swaps", ("htonl", "htons", "ntohl", "ntohs")),
    "header": (BYTES, byteorder_checks, "check_header", ("pack_header", "unpack_header")),
    "reading_fix": (BYTES, byteorder_checks, "check_reading_fix", ("encode_reading_fixed", "buggy_fields")),
}

RIGHT = {
    FTP: ["right_lines", "right_bytewise", "right_notebook_namespace"],
    TCPUDP: ["right_straight", "right_alternative", "right_from_imports"],
    BYTES: ["right_arith", "right_bytes"],
}


# (exercise, module, fragment the check's message must contain, marks). A tuple of fragments
# means one of them. A fragment of None (only with a defect mark) accepts any AssertionError,
# so that a fixed check shows as XPASS.
WRONG = [
    # --- 01: read_reply
    ("read_reply", "wrong_read_reply_one_line", "While reading a multi-line reply", ()),
    ("read_reply", "wrong_read_reply_read1", "one byte per segment", ()),
    ("read_reply", "wrong_read_reply_no_eof", "expected: EOFError or ConnectionError raised", ()),
    ("read_reply", "wrong_read_reply_ftplib", "forbids 'ftplib'", ()),
    ("read_reply", "wrong_read_reply_any_code_ends", "a line inside that starts with another code and a space", ()),
    ("read_reply", "wrong_read_reply_keeps_cr", "the text keeps the '\\r' of each line ending", ()),
    ("read_reply", "wrong_read_reply_strips_lines", "the lines in between stay as they are", ()),
    ("read_reply", "wrong_read_reply_partial_line", "a one-line reply cut off by the server closing", ()),
    ("read_reply", "wrong_read_reply_no_separator_check", "check the fourth character too", ()),
    # --- 01: login
    ("login", "wrong_login_always_pass", "a 230 after USER means logged in", ()),
    ("login", "wrong_login_no_raise", "but the server said no", ()),
    ("login", "wrong_login_generic_exception", "expected: FTPError(530, 'Authentication failed.') raised", ()),
    ("login", "wrong_login_first_line", "a multi-line 230", ()),
    ("login", "wrong_login_pipelined", "the replies are out of step", ()),
    # --- 01: parse_pasv
    ("parse_pasv", "wrong_parse_pasv_precedence", "returned ('127.0.0.1', 60349576915162288401332305920)", ()),
    ("parse_pasv", "wrong_parse_pasv_low_byte_first", "you took the low byte first", ()),
    ("parse_pasv", "wrong_parse_pasv_needs_parentheses", "RFC 959 does not require them", ()),
    ("parse_pasv", "wrong_parse_pasv_no_range_check", "(127,0,0,1,300,80)", ()),
    ("parse_pasv", "wrong_parse_pasv_port_as_str", "the port is a str", ()),
    ("parse_pasv", "wrong_parse_pasv_any_numbers", "six numbers, but not separated by commas", ()),
    # --- 01: download
    # the server either has sent everything before the early close (then the check sees a short
    # file) or not (then it answers 426): either way the message points at reading until EOF
    ("download", "wrong_download_one_recv", "read the data connection until EOF", ()),
    ("download", "wrong_download_no_226", "left '226 Transfer complete.' unread", ()),
    ("download", "wrong_download_ascii_type", "with its line ends rewritten", ()),
    ("download", "wrong_download_only_150", "raised FTPError: 125 Data connection already open", ()),
    # the visible check's replies come in seeded pieces far enough apart for each recv to see one
    ("download", "wrong_download_control_recv", "One recv is not one reply", ()),
    ("download", "wrong_download_text_mode", "returned a str, not bytes", ()),
    ("download", "wrong_download_226_first", "read the data connection until EOF first", ()),
    # --- 01: upload
    ("upload", "wrong_upload_no_close", "sends its 226 only after the data connection has closed", ()),
    ("upload", "wrong_upload_ascii_type", "with its line ends rewritten", ()),
    ("upload", "wrong_upload_no_226", "left '226 Transfer complete.' unread", ()),
    ("upload", "wrong_upload_ignores_refusal", "expected: FTPError(550, ...) raised", ()),
    ("upload", "wrong_upload_send_once", "loop over send() until every byte has gone", ()),
    # --- 01: transport_needs
    ("transport_needs", "wrong_transport_stored_like_live", "['stored audio/video']", ()),
    ("transport_needs", "wrong_transport_games_elastic", "['interactive games']", ()),
    ("transport_needs", "wrong_transport_financial_not_sensitive", "['financial apps']", ()),
    ("transport_needs", "wrong_transport_web_sensitive", "['web documents']", ()),
    ("transport_needs", "wrong_transport_video_no_loss", "['real-time audio/video']", ()),
    ("transport_needs", "wrong_transport_own_words", "has 'loss tolerant' for data loss", ()),
    ("transport_needs", "wrong_transport_missing_row", "missing: 'e-mail', 'financial apps'", ()),
    # --- 02: port_range
    ("port_range", "wrong_port_range_off_by_one", "port_range(1023) named the wrong range", ()),
    ("port_range", "wrong_port_range_slides", "old two-way split", ()),
    ("port_range", "wrong_port_range_no_validation", "port_range(-1) should raise ValueError", ()),
    ("port_range", "wrong_port_range_upper_edge", "port_range(65536) should raise ValueError", ()),
    # --- 02: lookup_service
    ("lookup_service", "wrong_lookup_returns_none", "but it returned None", ()),
    ("lookup_service", "wrong_lookup_oserror", "let getservbyname's error escape", ()),
    ("lookup_service", "wrong_lookup_ignores_protocol", "pass the protocol to getservbyname", ()),
    ("lookup_service", "wrong_lookup_vague_message", "does not say which service and protocol", ()),
    # --- 02: ipv4_addresses
    ("ipv4_addresses", "wrong_ipv4_set", "the right addresses in another order", ()),
    ("ipv4_addresses", "wrong_ipv4_repeats", "it repeats an address", ()),
    ("ipv4_addresses", "wrong_ipv4_keeps_ipv6", "it contains IPv6 addresses", ()),
    ("ipv4_addresses", "wrong_ipv4_swallows_gaierror", "should let socket.gaierror through", ()),
    ("ipv4_addresses", "wrong_ipv4_gethostbyname", "socket.gethostbyname is obsolete", ()),
    # --- 02: probe_tcp
    ("probe_tcp", "wrong_probe_tcp_oserror_first", "returned 'closed', but the port is 'silent'", ()),
    ("probe_tcp", "wrong_probe_tcp_connect_ex", "returned 'closed', but the port is 'silent'", ()),
    ("probe_tcp", "wrong_probe_tcp_no_timeout", "stuck in connect()", ()),
    ("probe_tcp", "wrong_probe_tcp_waits_for_words", "returned 'silent', but the port is 'open'", ()),
    ("probe_tcp", "wrong_probe_tcp_timeout_per_try", "the timeout was 0.3 s", ()),
    # --- 02: probe_udp
    ("probe_udp", "wrong_probe_udp_unconnected", "never hears the ICMP error", ()),
    ("probe_udp", "wrong_probe_udp_oserror_first", "returned 'refused', but the port is 'silent'", ()),
    ("probe_udp", "wrong_probe_udp_no_timeout", "stuck in recv()", ()),
    ("probe_udp", "wrong_probe_udp_fixed_wait", "wait as long as `timeout` says", ()),
    # --- 02: classify_arrivals
    ("classify_arrivals", "wrong_classify_neighbour", "got:      reordered=[1]", ()),
    ("classify_arrivals", "wrong_classify_overtaker", "got:      reordered=[2]", ()),
    ("classify_arrivals", "wrong_classify_copies_reordered", "a duplicate's second copy is not a reordering", ()),
    ("classify_arrivals", "wrong_classify_repeats", "list it once", ()),
    ("classify_arrivals", "wrong_classify_unsorted", "in increasing order", ()),
    ("classify_arrivals", "wrong_classify_gap_is_reorder", "datagram 2 never arrived", ()),
    # --- 02: measure_link
    ("measure_link", "wrong_measure_count_replies", "it stopped reading too early", ()),
    ("measure_link", "wrong_measure_stop_and_wait", "it stopped reading too early", ()),
    ("measure_link", "wrong_measure_timeout_escapes", "it raised TimeoutError", ()),
    ("measure_link", "wrong_measure_no_timeout", "stuck in recv()", ()),
    ("measure_link", "wrong_measure_bytes", "the items should be ints", ()),
    ("measure_link", "wrong_measure_tiny_buffer", "got:      [0, 1, 2, 3, 4, 5, 6, 6, 7, 8, 9, 1, 1,", ()),
    ("measure_link", "wrong_measure_total_deadline", "the silence that ends the reading, not the total time", ()),
    # --- 03: ip_to_int
    ("ip_to_int", "wrong_ip_int_lenient", "it starts with a space", ()),
    ("ip_to_int", "wrong_ip_leading_zero", "has a leading zero", ()),
    ("ip_to_int", "wrong_ip_little_endian", "the four bytes in little-endian order", ()),
    ("ip_to_int", "wrong_ip_isdigit", "is an Arabic-Indic digit four, not an ASCII digit", ()),
    ("ip_to_int", "wrong_ip_regex_dollar", "it ends with a newline", ()),
    ("ip_to_int", "wrong_ip_no_range_check", "256 does not fit in a byte", ()),
    ("ip_to_int", "wrong_ip_rejects_255", "ip_to_int('255.255.255.255') raised an error for a valid address", ()),
    ("ip_to_int", "wrong_ip_inet_aton", "it has three parts, not four", ()),
    # --- 03: int_to_ip
    ("int_to_ip", "wrong_int_ip_mask", "do not mask it", ()),
    ("int_to_ip", "wrong_int_ip_little_endian", "the four bytes in little-endian order", ()),
    ("int_to_ip", "wrong_int_ip_off_by_one", "it needs 33 bits", ()),
    ("int_to_ip", "wrong_int_ip_hex_bytes", "'9d.b5.a1.20'", ()),
    ("int_to_ip", "wrong_int_ip_socket", "struct.error is not a ValueError", ()),
    # --- 03: byte swaps
    ("byte_swaps", "wrong_swaps_always_swap", "on a big-endian host host order already is network order", ()),
    ("byte_swaps", "wrong_swaps_never_swap", "unchanged, but a little-endian host must reverse the bytes", ()),
    ("byte_swaps", "wrong_swaps_masks_overflow", "should raise OverflowError", ()),
    ("byte_swaps", "wrong_swaps_valueerror", "but it raised ValueError", ()),
    ("byte_swaps", "wrong_swaps_short_as_long", "more than 16 bits", ()),
    ("byte_swaps", "wrong_swaps_hex_reversed", "got:      0x021a5bd9", ()),
    ("byte_swaps", "wrong_swaps_word_swap", "got:      0xa1209db5", ()),
    ("byte_swaps", "wrong_swaps_socket", "its code uses 'socket'", ()),
    # --- 03: header
    ("header", "wrong_header_native_order", "its bytes reversed: little-endian", ()),
    ("header", "wrong_header_little_endian", "its bytes reversed: little-endian", ()),
    ("header", "wrong_header_whole_data", "read only the first 8", ()),
    ("header", "wrong_header_struct_error", "should raise ValueError (only 4 bytes: a header is 8)", ()),
    ("header", "wrong_header_signed", "raised struct.error", ()),
    ("header", "wrong_header_field_order", "put these fields in the wrong bytes: version, type, length, seq", ()),
    ("header", "wrong_header_plain_tuple", "returned a plain tuple", ()),
    # --- 03: reading fix
    ("reading_fix", "wrong_fix_every_field", "names 'length', 'seq', which the receiver reads correctly", ()),
    ("reading_fix", "wrong_fix_only_sensor", "misses 1 field(s)", ()),
    ("reading_fix", "wrong_fix_unsigned_tenths", "encode_reading_fixed(2, 513, -125) raised an error", ()),
    ("reading_fix", "wrong_fix_total_length", "these fields are still wrong: length (", ()),
    ("reading_fix", "wrong_fix_little_body", "these fields are still wrong: sensor_id, tenths.", ()),
    ("reading_fix", "wrong_fix_padding", "these fields are still wrong: length, seq, sensor_id, tenths.", ()),
]


@functools.cache
def load(assignment, name):
    """Import tests/solutions/independent/<assignment>/<name>.py (folder names are not identifiers)."""
    path = ROOT / assignment / f"{name}.py"
    module_name = "independent_" + re.sub(r"\W", "_", f"{assignment}_{name}")
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def functions(exercise, module):
    _, _, _, names = EXERCISES[exercise]
    return [getattr(module, name) for name in names]


def visible_cell(exercise, module):
    """The visible test cell: from netkit.checks.<topic> import check_x; check_x(x)."""
    _, checks, check, _ = EXERCISES[exercise]
    getattr(checks, check)(*functions(exercise, module))


def hidden_cell(exercise, module):
    """The hidden test cell: the visible check first, then check_x_hidden(x)."""
    _, checks, check, _ = EXERCISES[exercise]
    args = functions(exercise, module)
    getattr(checks, check)(*args)
    hidden = importlib.import_module(checks.__name__.replace("netkit.checks.", "netkit.hidden."))
    getattr(hidden, check + "_hidden")(*args)


CELLS = {"visible": visible_cell, "hidden": hidden_cell}

RIGHT_CASES = [
    pytest.param(exercise, name, cell, id=f"{exercise}-{name}-{cell}")
    for exercise, (assignment, *_) in EXERCISES.items()
    for name in RIGHT[assignment]
    for cell in CELLS
]


@pytest.mark.parametrize("exercise, name, cell", RIGHT_CASES)
def test_right_solution_passes(exercise, name, cell):
    assignment = EXERCISES[exercise][0]
    CELLS[cell](exercise, load(assignment, name))


WRONG_CASES = [
    pytest.param(exercise, name, fragment, id=f"{exercise}-{name}", marks=marks)
    for exercise, name, fragment, marks in WRONG
]


@pytest.mark.parametrize("exercise, name, fragment", WRONG_CASES)
def test_wrong_solution_fails(exercise, name, fragment):
    assignment = EXERCISES[exercise][0]
    module = load(assignment, name)
    try:
        hidden_cell(exercise, module)
    except AssertionError as failure:
        message = str(failure)
    else:
        pytest.fail(f"{name}: the checks of {exercise} accepted it ({module.__doc__.strip()})")
    if fragment is not None:
        fragments = fragment if isinstance(fragment, tuple) else (fragment,)
        assert any(part in message for part in fragments), \
            f"the check failed {name}, but not for its mistake:\n{message}"


def test_every_solution_file_is_used():
    """Each file under solutions/independent/0[1-3]-* is a right solution or a listed wrong one."""
    listed = {(EXERCISES[exercise][0], name) for exercise, name, _, _ in WRONG}
    listed |= {(assignment, name) for assignment, names in RIGHT.items() for name in names}
    on_disk = {(path.parent.name, path.stem) for assignment in RIGHT for path in (ROOT / assignment).glob("*.py")}
    assert on_disk == listed


def test_every_wrong_file_names_its_mistake():
    for exercise, name, _, _ in WRONG:
        doc = load(EXERCISES[exercise][0], name).__doc__
        assert doc and doc.startswith("Mistake"), name
