"""Message framing over a TCP byte stream, as pure code: bytes in, a message or None out.

TCP carries a stream of bytes, not messages: one ``send`` may arrive as many ``recv``
results and several sends as one. A protocol on top of TCP therefore says where each
message ends. This module owns the two framings notebook 4 teaches, written without
any socket (in the style of h11), so they can be tested on plain bytes:

- **length-prefixed messages**: a 4-byte big-endian length, then that many bytes;
- **HTTP/1.0 responses**: a status line, header lines and a blank line, then a body
  that ends after ``Content-Length`` bytes or, without that header, where the server
  closes the connection.

Every reader takes the bytes received so far and returns an event that says where it
ended in the buffer (``.end``; the bytes after it belong to what comes next), or
``None`` for "need more data", or raises ``ProtocolError`` when the bytes cannot be
what the protocol allows. The checks use these as the reference that a student's
socket code is compared with.
"""

import re
from dataclasses import dataclass

__all__ = [
    "ProtocolError",
    "PREFIX_SIZE",
    "MAX_MESSAGE",
    "Message",
    "encode_message",
    "decode_message",
    "split_messages",
    "MAX_HEAD",
    "ResponseHead",
    "Response",
    "parse_response_head",
    "parse_response",
]

PREFIX_SIZE = 4  # bytes of the length prefix
MAX_MESSAGE = 2 ** (8 * PREFIX_SIZE) - 1  # the largest length a 4-byte prefix can say
MAX_HEAD = 64 * 1024  # a response head longer than this is refused, not buffered forever


class ProtocolError(ValueError):
    """The bytes cannot be a valid message: the message says what came and what was expected."""


def _preview(data, limit=40):
    data = bytes(data)
    return repr(data[:limit]) + ("..." if len(data) > limit else "")


# -- length-prefixed messages -------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One length-prefixed message: its ``payload`` and the ``end`` offset in the buffer."""

    payload: bytes
    end: int

    def __repr__(self):
        return f"Message({_preview(self.payload)}, {len(self.payload)} bytes, end={self.end})"


def encode_message(payload):
    """``payload`` with its 4-byte big-endian length in front."""
    payload = bytes(payload)
    if len(payload) > MAX_MESSAGE:
        raise ProtocolError(f"a 4-byte length prefix cannot say {len(payload)} bytes (max {MAX_MESSAGE})")
    return len(payload).to_bytes(PREFIX_SIZE, "big") + payload


def decode_message(buffer, start=0):
    """The message that starts at ``buffer[start]``, or ``None`` if it has not all arrived."""
    header_end = start + PREFIX_SIZE
    if len(buffer) < header_end:
        return None
    size = int.from_bytes(buffer[start:header_end], "big")
    end = header_end + size
    if len(buffer) < end:
        return None
    return Message(bytes(buffer[header_end:end]), end)


def split_messages(buffer):
    """Every complete message in ``buffer``: ``(payloads, rest)``, ``rest`` an incomplete tail."""
    payloads, start = [], 0
    while (message := decode_message(buffer, start)) is not None:
        payloads.append(message.payload)
        start = message.end
    return payloads, bytes(buffer[start:])


# -- HTTP/1.0 responses ---------------------------------------------------------------------

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS_LINE = re.compile(rb"(HTTP/\d\.\d) ([0-9]{3})(?: (.*))?")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_NO_BODY_STATUS = {204, 304}


@dataclass(frozen=True)
class ResponseHead:
    """The status line and headers of a response; ``end`` is where its body starts."""

    version: str
    status: int
    reason: str
    headers: tuple  # ((name, value), ...) as received, names keep their case
    end: int

    def header(self, name, default=None):
        """The value of header ``name``, whatever the case of its letters; ``default`` if absent."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return default

    @property
    def content_length(self):
        """``Content-Length`` as an int, or ``None`` when the response has none."""
        values = {value for key, value in self.headers if key.lower() == "content-length"}
        if not values:
            return None
        if len(values) > 1:
            raise ProtocolError(f"conflicting Content-Length headers: {sorted(values)}")
        (value,) = values
        if not value.isdigit() or not value.isascii():
            raise ProtocolError(f"Content-Length must be a decimal number of bytes, not {value!r}")
        return int(value)


@dataclass(frozen=True)
class Response:
    """A whole response: its head and body; ``end`` is where the next bytes would start."""

    head: ResponseHead
    body: bytes
    end: int

    @property
    def status(self):
        return self.head.status

    def header(self, name, default=None):
        return self.head.header(name, default)

    def __repr__(self):
        return (f"Response({self.head.version} {self.status} {self.head.reason!r},"
                f" {len(self.head.headers)} headers, body {_preview(self.body)}"
                f" ({len(self.body)} bytes), end={self.end})")


def _parse_header_line(line):
    name, colon, value = line.partition(b":")
    if not colon or not _TOKEN.fullmatch(name):
        raise ProtocolError(f"expected a header line 'Name: value', got {_preview(line)}")
    return name.decode("ascii"), value.strip(b" \t").decode("latin-1")


def parse_response_head(buffer):
    """The head at the start of ``buffer`` (up to the blank line), or ``None`` if incomplete."""
    found = _HEAD_END.search(buffer)
    if found is None:
        if len(buffer) > MAX_HEAD:
            raise ProtocolError(f"no blank line in the first {MAX_HEAD} bytes: this is not a response head")
        return None
    lines = bytes(buffer[:found.start()]).split(b"\n")
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    status = _STATUS_LINE.fullmatch(lines[0])
    if status is None:
        raise ProtocolError(f"expected a status line like b'HTTP/1.0 200 OK', got {_preview(lines[0])}")
    version, code, reason = status.groups()
    headers = tuple(_parse_header_line(line) for line in lines[1:])
    return ResponseHead(version.decode("ascii"), int(code), (reason or b"").decode("latin-1"),
                        headers, found.end())


def parse_response(buffer, *, eof=False, method="GET"):
    """The whole response in ``buffer``, or ``None`` while more bytes may come.

    ``eof=True`` says the server has closed the connection: a response without
    ``Content-Length`` ends there, and one that is still incomplete is an error.
    ``method="HEAD"`` (and status 1xx, 204, 304) means a response without a body.
    """
    head = parse_response_head(buffer)
    if head is None:
        if eof:
            raise ProtocolError(f"the connection closed inside the response head: got {_preview(buffer)}")
        return None
    if method.upper() == "HEAD" or head.status in _NO_BODY_STATUS or 100 <= head.status < 200:
        return Response(head, b"", head.end)
    length = head.content_length
    arrived = len(buffer) - head.end
    if length is not None and arrived >= length:
        return Response(head, bytes(buffer[head.end:head.end + length]), head.end + length)
    if not eof:
        return None
    if length is not None:
        raise ProtocolError(f"the connection closed after {arrived} of the {length} body bytes"
                            " that Content-Length announced")
    return Response(head, bytes(buffer[head.end:]), len(buffer))
