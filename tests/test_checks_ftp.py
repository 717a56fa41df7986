"""The checks of notebook 01 accept every correct solution and reject each classic mistake
with the message a student would read (tests/solutions/ftp/)."""

import pytest

from netkit.checks import ftp as checks
from netkit.errors import CheckFailed
from netkit.ftpproto import FTPError
from netkit.hidden import ftp as hidden
from tests.solutions.ftp import (
    right_buffer, right_bytes, right_lines, wrong_download, wrong_login, wrong_parse_pasv,
    wrong_read_reply, wrong_transport, wrong_upload,
)
from tests.solutions.ftp.right_lines import read_reply

RIGHT = [right_lines, right_bytes, right_buffer]
EXERCISES = ["read_reply", "login", "parse_pasv", "download", "upload", "transport_needs"]


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("solution", RIGHT, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_a_right_solution_passes_every_check(solution, exercise):
    getattr(checks, f"check_{exercise}")(getattr(solution, exercise))
    getattr(hidden, f"check_{exercise}_hidden")(getattr(solution, exercise))


def _fails(check, func, *args, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(func, *args, **kwargs)
    return str(info.value)


def _assert_lesson(exercise, module, name, visible, texts):
    """The mistake fails the visible check (or passes it and fails the hidden one) with ``texts``.

    ``visible=None``: the hidden check catches it for sure; the visible one may too, depending on
    the machine (how much its socket buffers hold), and then with the same lesson.
    """
    wrong = getattr(module, name)
    visible_check = getattr(checks, f"check_{exercise}")
    hidden_check = getattr(hidden, f"check_{exercise}_hidden")
    if visible:
        message = _fails(visible_check, wrong)
    elif visible is None:
        try:
            visible_check(wrong)
        except CheckFailed as caught:
            message = str(caught)
        else:
            message = _fails(hidden_check, wrong)
    else:
        visible_check(wrong)  # the visible check does not catch it...
        message = _fails(hidden_check, wrong)  # ...the hidden one does
    for text in texts:
        assert text in message, message
    assert "Hint:" in message, message


# (wrong function, caught by the visible check?, texts of the message a student reads)
READ_REPLY = [
    # A lockstep peer: the one read returns the first byte only, however late the child starts reading.
    ("one_read_is_one_reply", True, ["a greeting that arrives one byte per TCP segment", "returned a wrong reply",
                                     "expected: (220, 'netkit FTP server ready.')", "got:      (2, '')",
                                     "one byte per segment", "One recv is not one reply"]),
    ("single_line", True, ["While reading a multi-line reply", "got:      (220, 'Welcome to the course FTP server.')",
                           "Multi-line replies", "same code and a space"]),
    ("dash_lines_only", True, ["got:      (220, 'Welcome to the course FTP server.\\n Please be nice to it.')",
                               "lines in between may look like anything"]),
    # It spins, so the moment it is caught may be in readline() or on its while line: either is named.
    ("loops_forever_at_eof", False, ["a reply cut off by the server closing the connection",
                                     "did not return within 2 s", "stuck", "of loops_forever_at_eof",
                                     "expected: EOFError or ConnectionError raised", "returns b''"]),
    ("with_reference", False, ["imports ReplyParser, which already does this exercise's work",
                               "you may use FTPError"]),
    ("keeps_cr", True, ["While reading the greeting of a real FTP server", "returned a wrong reply",
                        "the text keeps the '\\r' of each line ending",
                        "got:      (220, 'netkit FTP server ready.\\r')",
                        "cut both"]),
    ("strips_lines", True, ["While reading a multi-line reply",
                            "line 2 of the text is 'Please be nice to it.', expected ' Please be nice to it.'",
                            "the lines in between stay as they are", "do not strip() them"]),
    ("any_code_ends", False, ["a multi-line reply with a line inside that starts with another code and a space",
                              "got:      (123, 'First line\\nA line that starts with another code')",
                              "same code and a space", "'234 ...' is such a line inside a 123 reply"]),
    ("partial_line", False, ["a one-line reply cut off by the server closing the connection",
                             "returned (220, 'Ready')", "sent:     b'220 Ready' (9 bytes)",
                             "expected: EOFError or ConnectionError raised", "a line without b'\\n' at its end"]),
    ("no_separator_check", False, ["While reading a first line that is a code and nothing else",
                                   "returned (220, '')", "expected: ValueError raised",
                                   "check the fourth character too"]),
]

LOGIN = [
    ("out_of_step", True, ["While logging in with the right password", "returned (331, 'Username ok, send password.')",
                           "expected: (230, 'Login successful.')", "b'USER student\\r\\n'",
                           "->  0.", "b'PASS secret\\r\\n'",
                           "in step with the commands"]),
    ("never_raises", True, ["While logging in with a wrong password", "returned (530, 'Authentication failed.'), "
                            "but the server said no", "expected: FTPError(530, 'Authentication failed.') raised",
                            "raise it, do not return it"]),
    ("plain_exception", True, ["raised RuntimeError: login failed", "raise RuntimeError(\"login failed\")",
                               "expected: FTPError(530, 'Authentication failed.') raised"]),
    ("bare_newline", True, ["While logging in with the right password", "bare_newline sent a command that ends "
                            "with b'\\n' alone", "The server was still waiting for the end of that line",
                            "sent:     b'USER student\\n'", "expected: b'USER student\\r\\n'",
                            "every FTP command ends with b'\\r\\n' (RFC 959)"]),
    ("always_sends_pass", False, ["a server that needs no password", "raised FTPError: 503 Already logged in.",
                                  "b'PASS secret\\r\\n'", "do not send PASS"]),
]

PARSE_PASV = [
    ("adds_the_port_bytes", True, ["returned ('127.0.0.1', 275)", "expected: ('127.0.0.1', 50000)",
                                   "it looks like you added the two port bytes (p1 + p2)", "p1 * 256 + p2"]),
    ("times_255", True, ["returned ('127.0.0.1', 49805)", "it looks like you multiplied by 255 (a byte holds 256 values", "p1 * 256 + p2"]),
    ("low_byte_first", True, ["returned ('127.0.0.1', 20675)", "you took the low byte first", "high byte first"]),
    ("port_as_text", True, ["returned ('127.0.0.1', '50000')", "the port is a str: make it an int"]),
    ("no_range_check", False, ["no_range_check('Entering Passive Mode (127,0,0,1,300,80).') returned ('127.0.0.1', 76880)",
                               "that text is malformed", "expected: ValueError raised", "over 255"]),
    ("needs_parentheses", False, ["For '=127,0,0,1,4,1', needs_parentheses raised ValueError: substring not found",
                                  "expected: ('127.0.0.1', 1025)", "RFC 959 does not require them"]),
    ("with_ftplib", True, ["raised ForbiddenModuleError: this exercise forbids 'ftplib'",
                           "the exercise is to write it yourself"]),
    ("any_numbers", False, ["any_numbers('Entering Passive Mode 127 0 0 1 195 80') returned ('127.0.0.1', 50000)",
                            "expected: ValueError raised", "six numbers, but not separated by commas"]),
]

DOWNLOAD = [
    ("single_recv", True, ["While downloading 'random.bin', single_recv returned only the first",
                           "of the file's 1,048,576 bytes", "read the data connection until EOF"]),
    ("leaves_226_unread", True, ["left '226 Transfer complete.' unread", "read it before the next command"]),
    ("ascii_type", True, ["returned the file with its line ends rewritten (1,052,711 bytes, the file has 1,048,576)",
                          "first difference at offset 3: expected b'\\n\\r", "got b'\\r\\n\\r",
                          "send TYPE I (binary)"]),
    ("text_mode", True, ["returned 1,048,563 bytes that differ from the file's 1,048,576",
                         "no decoding, no text-mode files"]),
    ("data_before_reply", True, ["While downloading 'missing.bin', a file the server does not have",
                                 "did not return within 3 s", "stuck in read()",
                                 "b'550 No such file or directory.\\r\\n'", "read the reply to RETR/STOR before"]),
    ("empty_on_550", True, ["returned b'' (0 bytes), but the server said no",
                            "expected: FTPError(550, ...) raised, with the server's code and text"]),
    ("reads_226_first", None, ["'random.bin' (1,048,576 bytes)", "did not return within 3 s",
                               "The server had not sent its 226", "as fast as the client reads it",
                               "b'RETR random.bin\\r\\n'", "read the data connection until EOF first"]),
    ("control_recv", True, ["While downloading 'random.bin' (1,048,576 bytes) (replies in random pieces), "
                            "control_recv raised ValueError: no address in 'Enterin'",  # lockstep: the same pieces
                            "One recv is not one reply", "never with one sock.recv()"]),
    ("never_closes", True, ["While downloading 'random.bin' (1,048,576 bytes) (replies in random pieces), never_closes "
                            "returned, but never closed its data connection", "ResourceWarning: unclosed <socket",
                            "raddr=('127.0.0.1'", "`with socket.create_connection(address) as sock:`",
                            "sock.close() in a `finally:`"]),
    ("open_after_550", True, ["While downloading 'missing.bin', a file the server does not have, open_after_550 "
                              "raised FTPError as it should, but never closed its data connection (the server refused the transfer",
                              "ResourceWarning: unclosed <socket", "`with socket.create_connection(address)"]),
]

UPLOAD = [
    ("waits_before_closing", True, ["While uploading 'upload.bin' (1,048,576 bytes), waits_before_closing did not "
                                    "return within 3 s", "stuck in readinto()",
                                    "called from line 29 of waits_before_closing",
                                    "it sends its 226 only after the data connection has closed",
                                    "close it (leave its with-block) before you read the 226"]),
    ("ascii_type", True, ["the server stored the file with its line ends rewritten (1,048,563 bytes, 1,048,576 "
                          "were uploaded)", "send TYPE I (binary)"]),
    ("leaves_226_unread", True, ["left '226 Transfer complete.' unread", "read it before the next command"]),
    ("ignores_refusal", False, ["While uploading to 'no/such/folder/notes.txt'", "did not return within 3 s",
                                "b'550 No such file or directory.\\r\\n'", "read the reply to RETR/STOR before"]),
    ("send_once", None, ["send_once returned, but the server stored only the first", "of the 1,048,576 bytes uploaded",
                         "loop over send() until every byte has gone"]),
    ("shutdown_only", True, ["shutdown_only returned, but never closed its data connection",
                             "ResourceWarning: unclosed <socket", "sock.close() in a `finally:`"]),
]

TRANSPORT = [
    ("everything_reliable", False, ["['real-time audio/video'] = ('no loss', 'needs a minimum', '100s of ms')",
                                    "the data loss is not what the lecture's table says", "hide a lost sample"]),
    ("stored_like_live", False, ["['stored audio/video']", "the time sensitivity is not", "buffers ahead"]),
    ("games_elastic", False, ["['interactive games']", "the bandwidth is not", "a few kbps, but steadily"]),
    ("missing_row", True, ["has the wrong rows", "missing: 'financial apps'"]),
    ("made_up_word", True, ["['e-mail'] has 'reliable' for data loss", "expected: one of 'no loss', 'loss-tolerant'",
                            "use the constants"]),
]

CASES = [("read_reply", wrong_read_reply, READ_REPLY), ("login", wrong_login, LOGIN),
         ("parse_pasv", wrong_parse_pasv, PARSE_PASV), ("download", wrong_download, DOWNLOAD),
         ("upload", wrong_upload, UPLOAD), ("transport_needs", wrong_transport, TRANSPORT)]
MISTAKES = [(exercise, module, *case) for exercise, module, cases in CASES for case in cases]


@pytest.mark.parametrize("exercise, module, name, visible, texts", MISTAKES,
                         ids=[f"{m[0]}-{m[2]}" for m in MISTAKES])
def test_a_classic_mistake_fails_with_its_lesson(exercise, module, name, visible, texts):
    _assert_lesson(exercise, module, name, visible, texts)


def test_an_aborted_download_points_at_reading_until_eof():
    """Closing the data connection early gets a 426 when the file does not fit in the buffers: same lesson."""

    def one_recv(sock, reader, name):
        with wrong_download._passive(sock, reader) as data:
            wrong_download._retr(sock, reader, name)
            content = data.recv(1 << 20)
        code, text = read_reply(reader)
        if code != 226:
            raise FTPError(code, text)
        return content

    message = _fails(checks.check(checks._check_downloads), one_recv, ["random.bin"], tight=True)
    for text in ("raised FTPError: 426", "426 means that the server aborted the transfer",
                 "read the data connection until EOF"):
        assert text in message, message


def test_numbers_outside_the_address_are_named():
    message = _fails(checks.check(checks._check_pasv_text), wrong_parse_pasv.any_numbers,
                     "Entering Passive Mode (127,0,0,1,195,80), valid for 60 s")
    for text in ("returned ('0.0.1.195', 20540)", "expected: ('127.0.0.1', 50000)", "(here 60) are not part of it"):
        assert text in message, message


def test_every_wrong_solution_is_tested():
    import inspect

    for _, module, cases in CASES:
        defined = {name for name, f in vars(module).items()
                   if inspect.isfunction(f) and f.__module__ == module.__name__ and not name.startswith("_")}
        assert defined == {case[0] for case in cases}, module.__name__


def test_a_stub_reads_as_not_written_yet():
    def read_reply(reader):
        raise NotImplementedError()

    message = _fails(checks.check_read_reply, read_reply)
    assert message.startswith("read_reply is not written yet: it raises NotImplementedError."), message
    assert "replace `raise NotImplementedError()`" in message


def test_a_stub_called_by_a_written_function_is_named():
    def read_reply(reader):
        raise NotImplementedError()

    def login(sock, reader, user, password):
        sock.sendall(f"USER {user}\r\n".encode())
        return read_reply(reader)

    message = _fails(checks.check_login, login)
    assert message.startswith("read_reply is not written yet"), message


def test_the_sample_file_holds_what_a_text_transfer_would_change():
    sample = checks.sample_file()
    assert len(sample) == 1 << 20 and sample == checks.sample_file()
    for needle in (b"\r\n", b"\n", b"\r", b"\x00", b"\xff"):
        assert needle in sample[:8]
