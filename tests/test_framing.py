"""netkit.framing: every reader fed whole, byte by byte and with trailing data (as h11's tests do)."""

import os
import sys

import pytest

from netkit.framing import (
    MAX_HEAD,
    ProtocolError,
    decode_message,
    encode_message,
    parse_response,
    parse_response_head,
    split_messages,
)

PAYLOADS = [b"", b"x", b"hello", b"\x00\x00\x00\x05", bytes(range(256)), os.urandom(70_000)]


def test_framing_imports_no_socket():
    import subprocess

    code = "import sys, netkit.framing; print('socket' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- length-prefixed messages -------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS, ids=len)
def test_message_round_trip_whole(payload):
    wire = encode_message(payload)
    assert wire[:4] == len(payload).to_bytes(4, "big")
    message = decode_message(wire)
    assert message.payload == payload and message.end == len(wire)


@pytest.mark.parametrize("payload", [b"", b"x", b"hello", bytes(range(40))], ids=len)
def test_message_byte_by_byte(payload):
    wire = encode_message(payload)
    for cut in range(len(wire)):
        assert decode_message(wire[:cut]) is None, cut
    assert decode_message(wire).payload == payload


def test_message_with_trailing_data():
    wire = encode_message(b"one") + encode_message(b"") + encode_message(b"three") + b"\x00\x00"
    payloads, rest = split_messages(wire)
    assert payloads == [b"one", b"", b"three"] and rest == b"\x00\x00"
    first = decode_message(wire)
    assert first.end == 7 and decode_message(wire, first.end).payload == b""


def test_message_prefix_is_big_endian_and_known_bytes():
    assert encode_message(b"hi") == b"\x00\x00\x00\x02hi"
    assert encode_message(b"a" * 258)[:4] == b"\x00\x00\x01\x02"
    assert decode_message(b"\x02\x00\x00\x00hi") is None  # little-endian: 33554432 bytes announced


def test_message_accepts_bytearray_and_memoryview():
    wire = bytearray(encode_message(b"abc"))
    assert decode_message(wire).payload == b"abc"
    assert decode_message(memoryview(wire)).payload == b"abc"


# -- HTTP responses ---------------------------------------------------------------------------

OK = (b"HTTP/1.0 200 OK\r\nServer: netkit\r\nContent-Type: text/plain\r\n"
      b"Content-Length: 12\r\n\r\nhello world\n")
NO_LENGTH = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"


def test_response_whole():
    response = parse_response(OK)
    assert response.status == 200 and response.head.reason == "OK"
    assert response.head.version == "HTTP/1.0"
    assert response.body == b"hello world\n" and response.end == len(OK)
    assert response.header("content-type") == "text/plain"
    assert response.header("CONTENT-LENGTH") == "12"
    assert response.header("x-missing", "none") == "none"


def test_response_byte_by_byte():
    for cut in range(len(OK)):
        assert parse_response(OK[:cut]) is None, cut
    assert parse_response(OK).body == b"hello world\n"


def test_response_head_byte_by_byte():
    end = OK.index(b"\r\n\r\n") + 4
    for cut in range(end):
        assert parse_response_head(OK[:cut]) is None, cut
    assert parse_response_head(OK[:end]).end == end


def test_response_with_trailing_data():
    response = parse_response(OK + b"HTTP/1.0 404")
    assert response.body == b"hello world\n" and response.end == len(OK)


def test_response_without_length_ends_at_eof():
    for cut in range(len(NO_LENGTH) + 1):
        assert parse_response(NO_LENGTH[:cut]) is None
    response = parse_response(NO_LENGTH, eof=True)
    assert response.body == b"until the end" and response.end == len(NO_LENGTH)


def test_response_closed_early_is_an_error():
    with pytest.raises(ProtocolError, match="after 5 of the 12 body bytes"):
        parse_response(OK[:-7], eof=True)
    with pytest.raises(ProtocolError, match="inside the response head"):
        parse_response(OK[:20], eof=True)


def test_response_header_names_in_any_case_and_bare_newlines():
    raw = b"HTTP/1.0 200 OK\ncontent-LENGTH:3\nX-Odd:   spaced   \n\nabcdef"
    response = parse_response(raw)
    assert response.body == b"abc" and response.end == len(raw) - 3
    assert response.header("Content-Length") == "3" and response.header("x-odd") == "spaced"
    assert response.head.headers[0] == ("content-LENGTH", "3")


def test_response_head_and_bodiless_statuses():
    head_reply = b"HTTP/1.0 200 OK\r\nContent-Length: 99\r\n\r\n"
    assert parse_response(head_reply, method="HEAD").body == b""
    assert parse_response(b"HTTP/1.0 304 Not Modified\r\n\r\n").body == b""
    assert parse_response(b"HTTP/1.0 404\r\n\r\n", eof=True).head.reason == ""


@pytest.mark.parametrize("raw, words", [
    (b"HTP/1.0 200 OK\r\n\r\n", "status line"),
    (b"HTTP/1.0 2000 OK\r\n\r\n", "status line"),
    (b"HTTP/1.0 200 OK\r\nNo colon here\r\n\r\n", "header line"),
    (b"HTTP/1.0 200 OK\r\nBad Name: x\r\n\r\n", "header line"),
    (b"HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", "decimal number"),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting"),
])
def test_response_malformed(raw, words):
    with pytest.raises(ProtocolError, match=words):
        parse_response(raw, eof=True)


def test_response_head_too_long_is_refused():
    assert parse_response_head(b"HTTP/1.0 200 OK\r\n" + b"X: y\r\n" * 100) is None
    with pytest.raises(ProtocolError, match="no blank line"):
        parse_response_head(b"HTTP/1.0 200 OK\r\n" + b"X" * (MAX_HEAD + 1))
