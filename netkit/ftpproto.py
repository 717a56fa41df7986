"""FTP's control-connection language as pure code over bytes: no socket in sight.

This module owns what RFC 959 says a client and a server say to each other on the
control connection, and nothing about how the bytes travel:

- ``REPLY_CLASSES`` and ``REPLY_GROUPS``: what the first and second digit of a reply
  code mean (tables, not if-chains), ``describe(code)`` to read them;
- ``Reply`` (code, text) and ``FTPError``, the error a client raises when the server
  says no (it carries the server's code and text);
- ``ReplyParser``: feed it bytes as they arrive, in any pieces, and take complete
  replies out, single-line (``220 Ready``) or multi-line (``220-`` ... ``220 ``);
  bytes after a reply stay buffered for the next one;
- ``parse_pasv`` / ``format_pasv``: the six numbers of a 227 reply and the address
  they stand for;
- ``command(verb, argument)``: one command line as bytes, refusing line breaks inside.

The notebook's exercises ask students to write the socket side of these; the checks use
this module as the reference.
"""

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = [
    "REPLY_CLASSES", "REPLY_GROUPS", "ReplyClass", "describe", "Reply", "FTPError",
    "ReplyParser", "parse_reply", "parse_pasv", "format_pasv", "command",
]


@dataclass(frozen=True)
class ReplyClass:
    """What one digit of a reply code says (RFC 959, section 4.2.1)."""

    digit: int
    name: str
    meaning: str


# The first digit: did it work, and is the conversation over for this command?
REPLY_CLASSES = {c.digit: c for c in (
    ReplyClass(1, "positive preliminary", "started; wait for another reply before the next command (150 opening data connection)"),
    ReplyClass(2, "positive completion", "done; send the next command (200 OK, 226 transfer complete, 230 logged in)"),
    ReplyClass(3, "positive intermediate", "accepted so far; send the next command of the sequence (331 send PASS)"),
    ReplyClass(4, "transient negative", "failed this time; the same command may work later (425 can't open data connection)"),
    ReplyClass(5, "permanent negative", "failed; do not repeat it unchanged (530 not logged in, 550 no such file)"),
)}

# The second digit: which part of the service the reply is about.
REPLY_GROUPS = {g.digit: g for g in (
    ReplyClass(0, "syntax", "the command's syntax (500 unknown command)"),
    ReplyClass(1, "information", "status and help (211 system status, 214 help)"),
    ReplyClass(2, "connections", "the control and data connections (220 ready, 226, 227, 425)"),
    ReplyClass(3, "authentication", "logging in and accounting (230, 331, 530)"),
    ReplyClass(5, "file system", "the server's files (250, 450, 550, 452)"),
)}


def describe(code):
    """``code`` in words, from the two tables: ``describe(550)`` -> 'permanent negative, file system'."""
    code = int(code)
    if not 100 <= code <= 599:
        raise ValueError(f"an FTP reply code has three digits, 1xx to 5xx; got {code}")
    first, second = REPLY_CLASSES[code // 100], REPLY_GROUPS.get(code // 10 % 10)
    return first.name + (f", {second.name}" if second else "")


class Reply(NamedTuple):
    """One complete reply: the three-digit ``code`` and its ``text`` (lines joined by ``\\n``).

    A tuple, so ``code, text = reply`` works and ``reply == (220, "Ready")`` holds.
    """

    code: int
    text: str

    def __str__(self):
        return f"{self.code} {self.text}"


class FTPError(Exception):
    """The server refused: ``FTPError(550, "No such file or directory.")``.

    ``.code`` and ``.text`` are the server's reply; ``str(error)`` reads like the reply line.
    """

    def __init__(self, code, text=""):
        super().__init__(code, text)
        self.code = code
        self.text = text

    def __str__(self):
        return f"{self.code} {self.text}"


_FIRST_LINE = re.compile(rb"(\d{3})([ -]|\r?$)")


class ReplyParser:
    """Complete replies out of a byte stream that arrives in arbitrary pieces.

    ``feed(data)`` adds bytes; ``next_reply()`` returns the next complete ``Reply`` or
    ``None`` when more bytes are needed, and raises ``ValueError`` when the stream does
    not start with a reply line. Bytes after a reply are kept for the next call, so two
    replies in one piece are two replies, and one reply in many pieces is one reply.
    ``pending`` is what has been fed but not consumed yet.

    A reply is one line ``ddd text`` or several: a first line ``ddd-text``, any lines,
    and a last line that starts with the same code followed by a space. Its text is the
    lines without their line endings, joined by ``\\n``, with the four-character prefix
    (``ddd-`` / ``ddd``) cut from the first and the last line; middle lines stay as they are.
    """

    def __init__(self):
        self._buffer = bytearray()

    @property
    def pending(self):
        return bytes(self._buffer)

    def feed(self, data):
        self._buffer += data

    def next_reply(self):
        # Strategy: walk complete lines only; consume nothing until the last line is here.
        lines, start = [], 0
        while True:
            end = self._buffer.find(b"\n", start)
            if end < 0:
                if not lines:
                    self._check_first_line(bytes(self._buffer), complete=False)
                return None
            line = bytes(self._buffer[start:end]).removesuffix(b"\r")
            start = end + 1
            if not lines:
                match = self._check_first_line(line, complete=True)
                code, more = match.group(1), match.group(2) == b"-"
                lines.append(line[4:])
                if not more:
                    break
            elif line[:3] == code and line[3:4] in (b" ", b""):
                lines.append(line[4:])
                break
            else:
                lines.append(line)
        del self._buffer[:start]
        text = "\n".join(part.decode("utf-8", "replace") for part in lines)
        return Reply(int(code), text)

    @staticmethod
    def _check_first_line(line, complete):
        match = _FIRST_LINE.match(line)
        if match:
            return match
        # An incomplete first line is only wrong once what is there cannot become a reply.
        if not complete and len(line) < 4 and re.fullmatch(rb"\d{0,3}", line):
            return None
        raise ValueError(f"an FTP reply starts with a three-digit code and ' ' or '-'; got {line[:60]!r}")


def parse_reply(data):
    """The reply at the start of ``data`` and the bytes after it: ``(Reply, rest)``.

    Raises ``ValueError`` if ``data`` does not hold one complete, well-formed reply.
    """
    parser = ReplyParser()
    parser.feed(data)
    reply = parser.next_reply()
    if reply is None:
        raise ValueError(f"incomplete FTP reply: {bytes(data[:80])!r}")
    return reply, parser.pending


_PASV_NUMBERS = re.compile(r"(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)")


def parse_pasv(text):
    """The (host, port) a 227 reply's text names: '... (127,0,0,1,195,80).' -> ('127.0.0.1', 50000).

    The six numbers h1,h2,h3,h4,p1,p2 are usually in parentheses, but RFC 959 does not
    require them, so they are found wherever they are. port = p1 * 256 + p2.
    Raises ``ValueError`` when there are not six numbers or one is over 255.
    """
    match = _PASV_NUMBERS.search(text)
    if not match:
        raise ValueError(f"a 227 reply carries six comma-separated numbers h1,h2,h3,h4,p1,p2; got {text!r}")
    numbers = [int(n) for n in match.groups()]
    if any(n > 255 for n in numbers):
        raise ValueError(f"each of the six numbers of a 227 reply is one byte (0-255); got {text!r}")
    return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]


def format_pasv(host, port):
    """The text of a 227 reply for ``(host, port)``, as pyftpdlib writes it."""
    if not 0 <= port <= 65535:
        raise ValueError(f"a port is 0-65535; got {port}")
    h = host.split(".")
    return f"Entering passive mode ({','.join(h)},{port // 256},{port % 256})."


def command(verb, argument=None):
    """One command line as bytes: ``command("USER", "student")`` -> ``b'USER student\\r\\n'``.

    A line break inside would let an argument smuggle in a second command, so it is refused.
    """
    line = verb if argument is None else f"{verb} {argument}"
    if "\r" in line or "\n" in line:
        raise ValueError(f"an FTP command is one line; {line!r} has a line break inside")
    return line.encode("utf-8") + b"\r\n"
