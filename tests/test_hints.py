"""Hints name the mistake the code made, not another one with the same symptom (issue 13).

Each case is an independent wrong solution (tests/solutions/independent/, written from the
student notebooks only) whose message used to name a cause its code did not have, or to stay
generic. The test runs the cells a student runs (the visible check, then the hidden one) and
asserts both what the message must now say and what it must no longer say.
"""

import pytest

from netkit.errors import CheckFailed
from tests import test_independent_01_03 as early
from tests import test_independent_04_06 as late

NOT_REORDER = "`except OSError` placed before"  # the except-order lesson, for code that has no except clauses

# (exercise, wrong solution, what the message must say, what it must not say)
EARLY = [
    ("download", "wrong_download_only_150", ["raised FTPError: 125", "125 is not a refusal", "only 4xx and 5xx say no"],
     ["the server said no"]),
    ("login", "wrong_login_first_line", ["the first line of a multi-line reply only",
                                         "read every reply with your read_reply(reader)"], ["in step with the commands"]),
    ("parse_pasv", "wrong_parse_pasv_precedence", ["p1 << (8 + p2)", "write (p1 << 8) + p2"], []),
    ("probe_tcp", "wrong_probe_tcp_connect_ex", ["connect_ex returns errno.ECONNREFUSED", "errno.EAGAIN"],
     [NOT_REORDER]),
    ("probe_tcp", "wrong_probe_tcp_oserror_first", [NOT_REORDER], ["connect_ex"]),
    ("probe_tcp", "wrong_probe_tcp_timeout_per_try", ["about 3 times the timeout", "no second try after a timeout"],
     []),
    ("probe_udp", "wrong_probe_udp_oserror_first", ["returned 'refused', but the port is 'silent'", "recv() timed out",
                                                    NOT_REORDER], []),
    ("probe_udp", "wrong_probe_udp_fixed_wait", ["before the server had answered", "wait as long as `timeout` says"],
     []),
    ("measure_link", "wrong_measure_tiny_buffer", ["cut to their first digits",
                                                   "recv(n) gives at most n bytes of a datagram"], []),
    ("ip_to_int", "wrong_ip_rejects_255", ["255 is a byte too"], ["the most significant byte"]),
    ("int_to_ip", "wrong_int_ip_hex_bytes", ["each byte in hexadecimal"], []),
    ("byte_swaps", "wrong_swaps_hex_reversed", ["its hex digits reversed (half-bytes), not its bytes"], []),
    ("byte_swaps", "wrong_swaps_word_swap", ["its two 16-bit halves swapped"], []),
    ("header", "wrong_header_whole_data", ["give it data[:8]", "struct.unpack_from"], ["start the format with '!'"]),
    ("header", "wrong_header_signed", ["struct.pack refused one of the values", "every field of the header is unsigned"],
     ["start the format with '!'"]),
    ("reading_fix", "wrong_fix_total_length", ["the length counts the bytes after the 8-byte header, here 4",
                                               "the payload's size"], ["'=' means"]),
    ("reading_fix", "wrong_fix_unsigned_tenths", ["tenths is signed, -32768 to 32767 ('h')"], ["'=' means"]),
]

LATE = [
    ("04-tcp", "recv_exactly", "wrong_recv_exactly_zero_is_eof", ["recv(0) returns b'' at once",
                                                                  "check the count before you call recv()"],
     ["Call it in a loop"]),
    ("04-tcp", "http_get", "wrong_http_split_blank_lines", ["stops where the body holds a blank line",
                                                            "only the first b'\\r\\n\\r\\n' ends the head"],
     ["one recv() is not the whole body"]),
    ("04-tcp", "http_get", "wrong_http_requires_content_length", ["This response has no Content-Length header",
                                                                  "read to EOF when it is missing"], []),
    ("06-select", "http_response", "wrong_http_no_content_length_404", ["the 404 and the other errors too"],
     ["counts bytes, not characters"]),
    ("06-select", "serve_lines", "wrong_lines_strips_newline", ["whose line came back without its b'\\n'",
                                                                "its b'\\n' included"],
     ["one recv() is not one line"]),
]


def _message(run):
    with pytest.raises((AssertionError, CheckFailed)) as failure:
        run()
    return str(failure.value)


def _judge(message, must, must_not):
    missing = [text for text in must if text not in message]
    wrong = [text for text in must_not if text in message]
    assert not missing and not wrong, f"missing {missing}, wrongly says {wrong}:\n{message}"


@pytest.mark.parametrize("exercise, name, must, must_not", EARLY, ids=[case[1] for case in EARLY])
def test_a_hint_of_notebooks_01_to_03_names_the_real_mistake(exercise, name, must, must_not):
    module = early.load(early.EXERCISES[exercise][0], name)
    _judge(_message(lambda: early.hidden_cell(exercise, module)), must, must_not)


@pytest.mark.parametrize("assignment, exercise, name, must, must_not", LATE, ids=[case[2] for case in LATE])
def test_a_hint_of_notebooks_04_and_06_names_the_real_mistake(assignment, exercise, name, must, must_not):
    module = late.load(assignment, name)
    _judge(_message(lambda: late.run_cells(assignment, exercise, module)), must, must_not)
