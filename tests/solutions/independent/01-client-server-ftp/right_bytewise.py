"""Notebook 01, right: a byte-at-a-time line reader and slicing, makefile() on the data connection.

Written from the exercise text only. A different approach from right_lines at every step:
read_reply assembles lines from reader.read(1), parse_pasv scans for runs of digits and
commas instead of a regex, login walks a small table, download reads the data connection
through a file object, upload sends with send() in a loop and half-closes before closing.
"""

import socket

from netkit.ftpproto import FTPError

DIGITS = b"0123456789"


def _read_line(reader):
    """One line, ending included; EOFError if the stream ends before its \\n."""
    line = bytearray()
    while True:
        byte = reader.read(1)
        if not byte:
            raise EOFError(f"the server closed the connection after {bytes(line)!r}")
        line += byte
        if byte == b"\n":
            return bytes(line)


def _without_ending(line):
    line = line[:-1]  # the \n
    if line[-1:] == b"\r":
        line = line[:-1]
    return line


def _decode(raw):
    return raw.decode("utf-8", errors="surrogateescape")


def read_reply(reader):
    """Read one complete FTP reply from reader (from sock.makefile("rb")); return (code, text)."""
    first = _without_ending(_read_line(reader))
    if len(first) < 4 or any(byte not in DIGITS for byte in first[:3]) or first[3:4] not in (b" ", b"-"):
        raise ValueError(f"this is not an FTP reply: {first!r}")
    code = int(first[:3].decode("ascii"))
    if first[3:4] == b" ":
        return code, _decode(first[4:])
    lines = [first[4:]]
    last = first[:3] + b" "
    line = _without_ending(_read_line(reader))
    while line[:4] != last:
        lines.append(line)
        line = _without_ending(_read_line(reader))
    lines.append(line[4:])
    return code, "\n".join(_decode(part) for part in lines)


def login(sock, reader, user, password):
    """Log in with USER and PASS; return the 230 reply, or raise FTPError(code, text)."""
    steps = [("USER", user), ("PASS", password)]
    for verb, argument in steps:
        sock.sendall(f"{verb} {argument}\r\n".encode())
        code, text = read_reply(reader)
        if code == 230:
            return code, text
        if not (verb == "USER" and code == 331):
            raise FTPError(code, text)
    raise FTPError(code, text)  # not reached: PASS either returned or raised


def parse_pasv(text):
    """The (host, port) that a 227 reply's text names, e.g. "... (127,0,0,1,195,80)." -> ("127.0.0.1", 50000)."""
    allowed = set("0123456789,")
    runs, current = [], ""
    for character in text + " ":
        if character in allowed:
            current += character
        else:
            if current:
                runs.append(current.strip(","))
            current = ""
    for run in runs:
        parts = run.split(",")
        if len(parts) == 6 and all(parts):
            numbers = [int(part) for part in parts]
            for number in numbers:
                if not 0 <= number <= 255:
                    raise ValueError(f"{number} does not fit in a byte: {text!r}")
            h1, h2, h3, h4, p1, p2 = numbers
            return f"{h1}.{h2}.{h3}.{h4}", p1 * 256 + p2
    raise ValueError(f"a 227 reply names six numbers; {text!r} does not")


def _send(sock, line):
    sock.sendall(line.encode() + b"\r\n")


def _reply(reader, expected):
    code, text = read_reply(reader)
    if code not in expected:
        raise FTPError(code, text)
    return text


def _passive(sock, reader):
    _send(sock, "TYPE I")
    _reply(reader, {200})
    _send(sock, "PASV")
    host, port = parse_pasv(_reply(reader, {227}))
    data = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        data.settimeout(10)
        data.connect((host, port))
    except BaseException:
        data.close()
        raise
    return data


def download(sock, reader, name):
    """Download the file name over a passive data connection and return its bytes."""
    data = _passive(sock, reader)
    try:
        _send(sock, "RETR " + name)
        _reply(reader, {125, 150})
        with data.makefile("rb") as stream:
            content = stream.read()
    finally:
        data.close()
    _reply(reader, {226})
    return content


def upload(sock, reader, name, data):
    """Store data (bytes) on the server as the file name, over a passive data connection."""
    connection = _passive(sock, reader)
    try:
        _send(sock, "STOR " + name)
        _reply(reader, {125, 150})
        view = memoryview(data)
        while view:
            sent = connection.send(view)
            view = view[sent:]
        connection.shutdown(socket.SHUT_WR)
    finally:
        connection.close()
    _reply(reader, {226})


NO_LOSS, LOSS_TOLERANT = "no loss", "loss-tolerant"
ELASTIC, NEEDS_MINIMUM = "elastic", "needs a minimum"
NOT_SENSITIVE, HUNDREDS_OF_MS, FEW_SECONDS, YES_AND_NO = "no", "100s of ms", "a few seconds", "yes and no"


def transport_needs():
    """The lecture's table: {application: (data loss, bandwidth, time sensitivity)}, in the constants above."""
    table = {}
    for application in ("file transfer", "e-mail", "web documents"):
        table[application] = (NO_LOSS, ELASTIC, NOT_SENSITIVE)
    for application, timing in (("real-time audio/video", HUNDREDS_OF_MS),
                                ("stored audio/video", FEW_SECONDS),
                                ("interactive games", HUNDREDS_OF_MS)):
        table[application] = (LOSS_TOLERANT, NEEDS_MINIMUM, timing)
    table["financial apps"] = (NO_LOSS, ELASTIC, YES_AND_NO)
    return table
