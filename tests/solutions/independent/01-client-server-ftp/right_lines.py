"""Notebook 01, right: reader.readline() with a regex, a recv loop for the data connection.

Written from the exercise text only.
"""

import re
import socket

from netkit.ftpproto import FTPError

_FIRST = re.compile(rb"([0-9]{3})([ -])(.*)", re.DOTALL)


def _strip_ending(line):
    if line.endswith(b"\r\n"):
        return line[:-2]
    return line[:-1]


def _line(reader):
    line = reader.readline()
    if not line.endswith(b"\n"):
        raise EOFError(f"connection closed in the middle of a reply (got {line!r})")
    return line


def read_reply(reader):
    """Read one complete FTP reply from reader (from sock.makefile("rb")); return (code, text)."""
    first = _line(reader)
    match = _FIRST.fullmatch(_strip_ending(first))
    if match is None:
        raise ValueError(f"not an FTP reply: {first!r}")
    code, separator, rest = match.groups()
    lines = [rest]
    if separator == b"-":
        end = code + b" "
        while True:
            line = _strip_ending(_line(reader))
            if line.startswith(end):
                lines.append(line[4:])
                break
            lines.append(line)
    return int(code), b"\n".join(lines).decode("utf-8", errors="replace")


def _command(sock, text):
    sock.sendall(text.encode("utf-8") + b"\r\n")


def login(sock, reader, user, password):
    """Log in with USER and PASS; return the 230 reply, or raise FTPError(code, text)."""
    _command(sock, f"USER {user}")
    code, text = read_reply(reader)
    if code == 331:
        _command(sock, f"PASS {password}")
        code, text = read_reply(reader)
    if code != 230:
        raise FTPError(code, text)
    return code, text


_PASV = re.compile(r"([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+)")


def parse_pasv(text):
    """The (host, port) that a 227 reply's text names, e.g. "... (127,0,0,1,195,80)." -> ("127.0.0.1", 50000)."""
    match = _PASV.search(text)
    if match is None:
        raise ValueError(f"no six comma-separated numbers in {text!r}")
    numbers = [int(group) for group in match.groups()]
    if any(number > 255 for number in numbers):
        raise ValueError(f"a number over 255 in {text!r}")
    host = ".".join(str(number) for number in numbers[:4])
    return host, (numbers[4] << 8) | numbers[5]


def _expect(reader, *codes):
    code, text = read_reply(reader)
    if code not in codes:
        raise FTPError(code, text)
    return code, text


def _open_data(sock, reader):
    _command(sock, "TYPE I")
    _expect(reader, 200)
    _command(sock, "PASV")
    _, text = _expect(reader, 227)
    address = parse_pasv(text)
    return socket.create_connection(address, timeout=sock.gettimeout() or 10)


def download(sock, reader, name):
    """Download the file name over a passive data connection and return its bytes."""
    with _open_data(sock, reader) as data:
        _command(sock, f"RETR {name}")
        _expect(reader, 150, 125)
        chunks = []
        while True:
            chunk = data.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    _expect(reader, 226)
    return b"".join(chunks)


def upload(sock, reader, name, data):
    """Store data (bytes) on the server as the file name, over a passive data connection."""
    with _open_data(sock, reader) as connection:
        _command(sock, f"STOR {name}")
        _expect(reader, 150, 125)
        connection.sendall(data)
    _expect(reader, 226)


NO_LOSS, LOSS_TOLERANT = "no loss", "loss-tolerant"
ELASTIC, NEEDS_MINIMUM = "elastic", "needs a minimum"
NOT_SENSITIVE, HUNDREDS_OF_MS, FEW_SECONDS, YES_AND_NO = "no", "100s of ms", "a few seconds", "yes and no"


def transport_needs():
    """The lecture's table: {application: (data loss, bandwidth, time sensitivity)}, in the constants above."""
    return {
        "file transfer": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "e-mail": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "web documents": (NO_LOSS, ELASTIC, NOT_SENSITIVE),
        "real-time audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "stored audio/video": (LOSS_TOLERANT, NEEDS_MINIMUM, FEW_SECONDS),
        "interactive games": (LOSS_TOLERANT, NEEDS_MINIMUM, HUNDREDS_OF_MS),
        "financial apps": (NO_LOSS, ELASTIC, YES_AND_NO),
    }
