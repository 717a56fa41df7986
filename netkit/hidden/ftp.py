"""Hidden checks for notebook 01 (client-server and FTP): what ``check_x_hidden`` adds to ``check_x``.

Instructor only (see ``netkit/hidden/__init__.py``). Every hidden check first refuses
``ftplib`` and netkit.ftpproto's reference parsers (``_forbid_reference``).

Loopback hides two transfer mistakes: its 64 KiB segments and megabytes of socket buffer
take a whole 1 MiB file at once. The hidden transfers therefore use a data connection
with an Ethernet-sized MSS and small buffers (``tight=True``, the visible module's
``TIGHT_SOCKET_OPTIONS``), where a client that reads the 226 before the data waits
forever, and one ``send()`` takes only part of the file.
"""

import types

from .. import ftpproto
from ..ftp import ftp_server
from ..checks._base import check, fail
from ..checks._harness import uses
from ..checks.ftp import (
    GREETING, GREETING_WIRE, HELLO, HINT_FORBIDDEN, HINT_MULTI, LOGGED_IN, REFUSED, SAMPLE, TRANSFER_DEADLINE,
    TRANSPORT_TABLE, _LoginCase, _ReplyCase, _check_downloads, _check_login_case, _check_missing,
    _check_pasv_text, _check_reply_case, _check_table, _check_uploads, _judge_refused, _name, _recorded,
    _refused, _run, _session, _trace,
)

__all__ = [
    "check_read_reply_hidden",
    "check_login_hidden",
    "check_parse_pasv_hidden",
    "check_download_hidden",
    "check_upload_hidden",
    "check_transport_needs_hidden",
]


# Names of netkit.ftpproto that already do an exercise's work (FTPError and the tables are fine).
REFERENCE = {"ReplyParser", "parse_reply", "parse_pasv"}


HINT_EOF = ("reader.readline() returns b'' when the server has closed the connection: no more reply "
            "will come, so raise EOFError instead of waiting or looping")


def _forbid_reference(funcs):
    """Fail if the student's functions use ftplib or the reference parsers of netkit.ftpproto."""
    for func in funcs:
        found = [use for use in uses(func) if not use.string]
        names = {use.name for use in found}
        imported = {name.split(".")[0] for name in names} & {"ftplib"} or (
            {"netkit.ftpproto", "ftpproto"} & names and names & REFERENCE)
        if imported:
            fail(f"{_name(func)} imports {' and '.join(sorted(imported))}, which already does this exercise's work.",
                 hint=HINT_FORBIDDEN)
        for use in sorted(found, key=lambda use: use.name):
            module = use.value.__name__ if isinstance(use.value, types.ModuleType) else \
                getattr(use.value, "__module__", "")
            if (module or "").split(".")[0] == "ftplib" or (
                    module == "netkit.ftpproto" and getattr(use.value, "__name__", "") in REFERENCE):
                fail(f"{_name(func)} uses {use.name} (from {module}), which already does this exercise's work.",
                     hint=HINT_FORBIDDEN)


FEAT_WIRE = (b"211-Features supported:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MFMT\r\n"
             b" MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\r\n"
             b" REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End FEAT.\r\n")


FEAT = ftpproto.Reply(211, "Features supported:\n EPRT\n EPSV\n MDTM\n MFMT\n"
                           " MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;\n"
                           " REST STREAM\n SIZE\n TVFS\n UTF8\nEnd FEAT.")


RFC_EXAMPLE = (b"123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n"
               b"123 The last line\r\n")


RFC_REPLY = (123, "First line\nSecond line\n  234 A line beginning with numbers\nThe last line")


OTHER_CODE_INSIDE = b"123-First line\r\n234 A line that starts with another code\r\n123 The last line\r\n"


OTHER_CODE_REPLY = (123, "First line\n234 A line that starts with another code\nThe last line")


HINT_CUT = ("a line without b'\\n' at its end means that the server closed the connection in the middle of it "
            "(readline() returns what there was): check that every line ends with b'\\n', and raise EOFError "
            "if one does not")


HINT_SEPARATOR = ("a reply's first line is three digits, then ' ' (a one-line reply) or '-' (more lines follow), "
                  "then the text: check the fourth character too, and raise ValueError if it is neither")


READ_REPLY_HIDDEN = [
    _ReplyCase("RFC 959's multi-line example, one byte per segment", RFC_EXAMPLE, (RFC_REPLY,), lockstep=1,
               hint=HINT_MULTI),
    _ReplyCase("a multi-line reply with a line inside that starts with another code and a space",
               OTHER_CODE_INSIDE, (OTHER_CODE_REPLY,), chunk="random",
               hint=HINT_MULTI + "; here '234 ...' is such a line inside a 123 reply"),
    _ReplyCase("a multi-line reply whose every line starts with '220-'",
               b"220-first line\r\n220-second line\r\n220 last line\r\n",
               ((220, "first line\n220-second line\nlast line"),), chunk="random", hint=HINT_MULTI),
    _ReplyCase("a real server's greeting, then its 11-line reply to FEAT, in random pieces", None,
               (GREETING, FEAT), chunk="random", send={1: b"FEAT\r\n"}, hint=HINT_MULTI,
               shown=GREETING_WIRE + FEAT_WIRE),
    _ReplyCase("three replies in one segment (150, a multi-line 226, 221)",
               b"150 Opening data connection.\r\n226-Transfer complete.\r\n226 2 files.\r\n221 Goodbye.\r\n",
               ((150, "Opening data connection."), (226, "Transfer complete.\n2 files."), (221, "Goodbye.")),
               hint="replies glued together must come out one per call: read line by line and stop "
                    "after the last line of one reply"),
    _ReplyCase("a reply cut off by the server closing the connection",
               b"220-Welcome\r\n still welcoming", raises=(EOFError, ConnectionError), then="close",
               hint=HINT_EOF),
    _ReplyCase("a one-line reply cut off by the server closing the connection (no b'\\n' at its end)",
               b"220 Ready", raises=(EOFError, ConnectionError), then="close", hint=HINT_CUT),
    _ReplyCase("nothing at all: the server closes at once", b"", raises=(EOFError, ConnectionError),
               then="close", hint=HINT_EOF),
    _ReplyCase("the greeting of something that is not an FTP server (an SSH server)",
               b"SSH-2.0-OpenSSH_9.6\r\n", raises=(ValueError,),
               hint="a reply starts with three digits and ' ' or '-'; anything else is not FTP: "
                    "raise ValueError"),
    _ReplyCase("a first line that is a code and nothing else", b"220\r\n", raises=(ValueError,),
               hint=HINT_SEPARATOR),
    _ReplyCase("a first line that starts with four digits", b"2200 Ready.\r\n", raises=(ValueError,),
               hint=HINT_SEPARATOR),
]


@check
def check_read_reply_hidden(read_reply):
    """More multi-line replies, random pieces, three glued replies, EOF, a server that is not FTP."""
    _forbid_reference([read_reply])
    for case in READ_REPLY_HIDDEN:
        _check_reply_case(read_reply, case)


FAKE_LOGIN = {"USER": b"331 Password required.\r\n", "PASS": b"230 Logged in.\r\n", "NOOP": b"200 OK.\r\n"}


LOGIN_HIDDEN = [
    _LoginCase("logging in on a server that needs no password: it answers USER with 230",
               {"USER": b"230 No password needed.\r\n", "PASS": b"503 Already logged in.\r\n",
                "NOOP": b"200 OK.\r\n"}, expected=(230, "No password needed."),
               hint="a 230 after USER means logged in, no password needed: do not send PASS; "
                    "decide from each reply's code what comes next"),
    _LoginCase("logging in on a server that refuses the user name: it answers USER with 530",
               {"USER": b"530 This server is anonymous only.\r\n", "PASS": b"503 Login with USER first.\r\n",
                "NOOP": b"200 OK.\r\n"}, error=(530, "This server is anonymous only."),
               hint="a 530 after USER ends the login: raise FTPError(530, text) at once"),
    _LoginCase("logging in with replies in random pieces", None, expected=LOGGED_IN, chunk="random",
               after=b"PWD\r\n", after_code=257),
    _LoginCase("logging in on a server that answers PASS with a multi-line 230",
               {**FAKE_LOGIN, "PASS": b"230-Welcome, student.\r\n230-Your quota is 10 MB.\r\n230 Logged in.\r\n"},
               expected=(230, "Welcome, student.\n230-Your quota is 10 MB.\nLogged in.")),
    _LoginCase("logging in as a user the server does not know", None, user="nobody", error=REFUSED,
               hint="a reply that says no must become FTPError(code, text) with the server's code and text"),
]


@check
def check_login_hidden(login):
    """230 right after USER, 530 right after USER, random pieces, a multi-line 230, an unknown user."""
    _forbid_reference([login])
    for case in LOGIN_HIDDEN:
        _check_login_case(login, case)


PASV_HIDDEN = [
    "=127,0,0,1,4,1",
    "Entering Passive Mode 10,0,0,5,0,21",
    "Entering Passive Mode (127,0,0,1,255,255).",
    "Entering Passive Mode (127,0,0,1,1,0).",
    "Entering Passive Mode (10,20,30,40,0,0)",
    "Entering Passive Mode (127,0,0,1,300,80).",
    "Entering Passive Mode (256,0,0,1,4,1).",
    "Entering Passive Mode (127,0,0,1,a,80).",
    "Entering Passive Mode 127 0 0 1 195 80",          # six numbers, but not comma-separated
    "Entering Passive Mode (127,0,0,1,195,80), valid for 60 s",   # a number that is not the address
    "Entering Passive Mode",
    "",
]


@check
def check_parse_pasv_hidden(parse_pasv):
    """No parentheses, ports 65535, 256 and 0, and malformed texts (a number over 255, letters, nothing)."""
    _forbid_reference([parse_pasv])
    for text in PASV_HIDDEN:
        _check_pasv_text(parse_pasv, text)


@check
def check_download_hidden(download):
    """Three downloads in a row with replies in random pieces (one empty) over a data connection with small
    buffers, so the file cannot wait in them for a client that reads the 226 first; a usable connection after 550."""
    _forbid_reference([download])
    _check_downloads(download, ["hello.txt", "random.bin", "empty.bin"], chunk="random", tight=True)
    _check_missing(download, then="hello.txt")


@check
def check_upload_hidden(upload):
    """Three uploads in a row (a text file, 1 MiB, an empty one) with replies in random pieces, over a data
    connection whose small segments and buffers make one send() take only part of 1 MiB; a refused STOR."""
    _forbid_reference([upload])
    _check_uploads(upload, [("notes.txt", b"line 1\r\nline 2\nline 3\r\n"), ("random.bin", SAMPLE),
                            ("empty.bin", b"")], chunk="random", tight=True)
    first = lambda u, sock, reader: u(sock, reader, "no/such/folder/notes.txt", HELLO)  # noqa: E731
    with _recorded(ftp_server()) as (address, proxy):
        outcome = _run(_session, _refused(upload, first), address, student=upload, deadline=TRANSFER_DEADLINE)
        trace = _trace(proxy)
    _judge_refused(outcome, _name(upload), "while uploading to 'no/such/folder/notes.txt', a folder the server "
                   "does not have", trace, 550)


@check
def check_transport_needs_hidden(transport_needs):
    """Every row of the lecture's table."""
    _check_table(transport_needs, list(TRANSPORT_TABLE))
