"""netkit.ftpproto without sockets: every parser fed whole, byte by byte and with trailing data."""

import pickle

import pytest

from netkit.ftpproto import (
    REPLY_CLASSES, REPLY_GROUPS, FTPError, Reply, ReplyParser, command, describe,
    format_pasv, parse_pasv, parse_reply,
)

# (bytes on the wire, the reply they hold)
REPLIES = [
    (b"220 Service ready\r\n", Reply(220, "Service ready")),
    (b"220-Welcome\r\n to the course\r\n220 Ready\r\n", Reply(220, "Welcome\n to the course\nReady")),
    (b"220-first\r\n220-second\r\n220 last\r\n", Reply(220, "first\n220-second\nlast")),
    # RFC 959's example: a middle line may start with digits (padded) and must not end the reply.
    (b"123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n",
     Reply(123, "First line\nSecond line\n  234 A line beginning with numbers\nThe last line")),
    (b"211-Features:\r\n211-\r\n MDTM\r\n211 End\r\n", Reply(211, "Features:\n211-\n MDTM\nEnd")),
    (b"226 \r\n", Reply(226, "")),
    (b"200\r\n", Reply(200, "")),
    (b"530 Login incorrect.\n", Reply(530, "Login incorrect.")),
    ("257 \"/d\u00e9j\u00e0\" is the current directory.\r\n".encode(), Reply(257, '"/d\u00e9j\u00e0" is the current directory.')),
]
IDS = [r.text.split("\n")[0][:20] for _, r in REPLIES]


def feed_all(parser, pieces):
    out = []
    for piece in pieces:
        parser.feed(piece)
        while (reply := parser.next_reply()) is not None:
            out.append(reply)
    return out


@pytest.mark.parametrize(("wire", "reply"), REPLIES, ids=IDS)
def test_reply_fed_whole(wire, reply):
    assert feed_all(ReplyParser(), [wire]) == [reply]


@pytest.mark.parametrize(("wire", "reply"), REPLIES, ids=IDS)
def test_reply_fed_byte_by_byte(wire, reply):
    parser = ReplyParser()
    pieces = [wire[i:i + 1] for i in range(len(wire))]
    assert feed_all(parser, pieces[:-1]) == []
    assert feed_all(parser, pieces[-1:]) == [reply]


@pytest.mark.parametrize(("wire", "reply"), REPLIES, ids=IDS)
def test_reply_with_trailing_data_keeps_the_rest(wire, reply):
    parser = ReplyParser()
    parser.feed(wire + b"226 Transfer complete.\r\n150 Op")
    assert parser.next_reply() == reply
    assert parser.next_reply() == (226, "Transfer complete.")
    assert parser.next_reply() is None
    assert parser.pending == b"150 Op"


def test_every_split_of_two_replies_gives_both():
    wire = b"150-Opening\r\n data\r\n150 connection.\r\n226 Done.\r\n"
    for cut in range(len(wire) + 1):
        assert feed_all(ReplyParser(), [wire[:cut], wire[cut:]]) == [(150, "Opening\n data\nconnection."), (226, "Done.")]


@pytest.mark.parametrize("wire", [b"hello\r\n", b"22 x\r\n", b"2200 x\r\n", b"220_x\r\n", b"abc", b"\r\n"])
def test_malformed_first_line_raises_value_error(wire):
    parser = ReplyParser()
    with pytest.raises(ValueError, match="three-digit code"):
        parser.feed(wire)
        parser.next_reply()


def test_incomplete_prefix_waits_instead_of_raising():
    parser = ReplyParser()
    for piece in (b"2", b"2", b"0"):
        parser.feed(piece)
        assert parser.next_reply() is None
    parser.feed(b" ok\r\n")
    assert parser.next_reply() == (220, "ok")


def test_parse_reply_returns_the_rest_and_refuses_incomplete():
    assert parse_reply(b"331 Password required.\r\n230 x") == (Reply(331, "Password required."), b"230 x")
    with pytest.raises(ValueError, match="incomplete"):
        parse_reply(b"220-never ends\r\n")


def test_reply_is_a_tuple_and_prints_like_the_wire():
    code, text = Reply(230, "Login successful.")
    assert (code, text) == (230, "Login successful.")
    assert str(Reply(230, "Login successful.")) == "230 Login successful."


def test_ftp_error_carries_code_and_text_and_survives_pickling():
    error = pickle.loads(pickle.dumps(FTPError(530, "Authentication failed.")))
    assert (error.code, error.text, str(error)) == (530, "Authentication failed.", "530 Authentication failed.")


PASV = [
    ("Entering passive mode (127,0,0,1,195,80).", ("127.0.0.1", 50000)),
    ("Entering Passive Mode (10,1,2,3,0,21)", ("10.1.2.3", 21)),
    ("=127,0,0,1,4,1", ("127.0.0.1", 1025)),
    ("Entering Passive Mode 192,168,1,20,255,255", ("192.168.1.20", 65535)),
    ("(127, 0, 0, 1, 1, 0)", ("127.0.0.1", 256)),
]


@pytest.mark.parametrize(("text", "address"), PASV)
def test_parse_pasv(text, address):
    assert parse_pasv(text) == address


@pytest.mark.parametrize("text", [
    "", "Entering Passive Mode", "Entering Passive Mode (127,0,0,1,195)", "(127,0,0,1,300,80)",
    "(256,0,0,1,1,1)", "(127,0,0,1,a,80)", "(127.0.0.1:50000)",
])
def test_parse_pasv_rejects_malformed(text):
    with pytest.raises(ValueError):
        parse_pasv(text)


@pytest.mark.parametrize("port", [0, 1, 255, 256, 21, 50000, 65535])
def test_format_and_parse_pasv_round_trip(port):
    assert parse_pasv(format_pasv("127.0.0.1", port)) == ("127.0.0.1", port)


def test_command_builds_one_line_and_refuses_smuggled_commands():
    assert command("USER", "student") == b"USER student\r\n"
    assert command("PASV") == b"PASV\r\n"
    with pytest.raises(ValueError, match="line break"):
        command("RETR", "x\r\nDELE y")


def test_reply_tables_cover_every_class_and_describe_reads_them():
    assert sorted(REPLY_CLASSES) == [1, 2, 3, 4, 5]
    assert set(REPLY_GROUPS) == {0, 1, 2, 3, 5}
    assert describe(550) == "permanent negative, file system"
    assert describe(331) == "positive intermediate, authentication"
    with pytest.raises(ValueError):
        describe(600)
