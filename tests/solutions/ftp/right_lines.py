"""A correct solution: iterate the reader line by line, a helper per command, a regex for PASV."""

import re
import socket

from netkit.ftpproto import FTPError


def read_reply(reader):
    lines = []
    for raw in reader:
        if not raw.endswith(b"\n"):
            break  # the connection closed inside a line
        line = raw.rstrip(b"\r\n")
        if not lines and not re.match(rb"\d{3}[ -]", line):
            raise ValueError(f"not a reply line: {line!r}")
        lines.append(line)
        if line[:3] == lines[0][:3] and line[3:4] == b" ":
            lines[0] = lines[0][4:]
            if len(lines) > 1:
                lines[-1] = lines[-1][4:]
            return int(raw[:3]), "\n".join(t.decode("utf-8", "replace") for t in lines)
    raise EOFError("the server closed the control connection in the middle of a reply")


def _command(sock, reader, line):
    sock.sendall(line.encode() + b"\r\n")
    return read_reply(reader)


def login(sock, reader, user, password):
    code, text = _command(sock, reader, f"USER {user}")
    if code == 331:
        code, text = _command(sock, reader, f"PASS {password}")
    if code != 230:
        raise FTPError(code, text)
    return code, text


def parse_pasv(text):
    match = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", text)
    if match is None:
        raise ValueError(f"no address in {text!r}")
    numbers = [int(n) for n in match.groups()]
    if max(numbers) > 255:
        raise ValueError(f"a number over 255 in {text!r}")
    return "%d.%d.%d.%d" % tuple(numbers[:4]), int.from_bytes(bytes(numbers[4:]), "big")


def _expect(sock, reader, line, *ok):
    code, text = _command(sock, reader, line) if line else read_reply(reader)
    if code not in ok:
        raise FTPError(code, text)
    return text


def _open_data(sock, reader):
    _expect(sock, reader, "TYPE I", 200)
    address = parse_pasv(_expect(sock, reader, "PASV", 227))
    return socket.create_connection(address, timeout=5)


def download(sock, reader, name):
    with _open_data(sock, reader) as data:
        _expect(sock, reader, f"RETR {name}", 125, 150)
        pieces = []
        while True:
            piece = data.recv(65536)
            if not piece:
                break
            pieces.append(piece)
    _expect(sock, reader, None, 226, 250)
    return b"".join(pieces)


def upload(sock, reader, name, data):
    with _open_data(sock, reader) as conn:
        _expect(sock, reader, f"STOR {name}", 125, 150)
        conn.sendall(data)
    _expect(sock, reader, None, 226, 250)


def transport_needs():
    no, tolerant = "no loss", "loss-tolerant"
    elastic, minimum = "elastic", "needs a minimum"
    return {
        "file transfer": (no, elastic, "no"),
        "e-mail": (no, elastic, "no"),
        "web documents": (no, elastic, "no"),
        "real-time audio/video": (tolerant, minimum, "100s of ms"),
        "stored audio/video": (tolerant, minimum, "a few seconds"),
        "interactive games": (tolerant, minimum, "100s of ms"),
        "financial apps": (no, elastic, "yes and no"),
    }
