"""A correct solution: a byte-at-a-time reader, a table-driven login, findall of comma-separated runs for PASV,
a file object over the data connection."""

import re
import socket

from netkit.ftpproto import FTPError


def _next_line(reader):
    line = bytearray()
    while not line.endswith(b"\r\n"):
        byte = reader.read(1)
        if byte == b"":
            raise EOFError(f"connection closed after {bytes(line)!r}")
        line += byte
    return bytes(line[:-2]).decode("utf-8", "replace")


def read_reply(reader):
    first = _next_line(reader)
    if not re.fullmatch(r"\d{3}[ -].*", first, re.DOTALL):
        raise ValueError(f"{first!r} is not an FTP reply")
    code, text = first[:3], [first[4:]]
    if first[3] == "-":
        while not ((line := _next_line(reader)).startswith(code + " ")):
            text.append(line)
        text.append(line[4:])
    return int(code), "\n".join(text)


# command -> the codes that let the login go on (None: logged in, stop here)
_LOGIN_STEPS = [("USER", {331: "next", 230: "done"}), ("PASS", {230: "done", 202: "done"})]


def login(sock, reader, user, password):
    arguments = {"USER": user, "PASS": password}
    for verb, outcomes in _LOGIN_STEPS:
        sock.sendall(f"{verb} {arguments[verb]}\r\n".encode())
        code, text = read_reply(reader)
        step = outcomes.get(code)
        if step is None:
            raise FTPError(code, text)
        if step == "done":
            return code, text
    raise FTPError(code, text)


def parse_pasv(text):
    runs = [run.split(",") for run in re.findall(r"\d+(?:,\d+)+", text)]
    numbers = next(([int(n) for n in run] for run in runs if len(run) == 6), None)
    if numbers is None or any(n > 255 for n in numbers):
        raise ValueError(f"expected h1,h2,h3,h4,p1,p2 in {text!r}")
    return ".".join(str(n) for n in numbers[:4]), numbers[4] << 8 | numbers[5]


def _ask(sock, reader, line, expected_class):
    sock.sendall(line.encode() + b"\r\n")
    return _check(read_reply(reader), expected_class)


def _check(reply, expected_class):
    if reply[0] // 100 != expected_class:
        raise FTPError(*reply)
    return reply[1]


def download(sock, reader, name):
    _ask(sock, reader, "TYPE I", 2)
    data_sock = socket.create_connection(parse_pasv(_ask(sock, reader, "PASV", 2)), timeout=5)
    try:
        _ask(sock, reader, "RETR " + name, 1)
        with data_sock.makefile("rb") as stream:
            content = stream.read()
    finally:
        data_sock.close()
    _check(read_reply(reader), 2)
    return content


def upload(sock, reader, name, data):
    _ask(sock, reader, "TYPE I", 2)
    data_sock = socket.create_connection(parse_pasv(_ask(sock, reader, "PASV", 2)), timeout=5)
    try:
        _ask(sock, reader, "STOR " + name, 1)
        with data_sock.makefile("wb") as stream:
            stream.write(data)
    finally:
        data_sock.close()
    _check(read_reply(reader), 2)


def transport_needs():
    table = """
        file transfer          | no loss       | elastic         | no
        e-mail                 | no loss       | elastic         | no
        web documents          | no loss       | elastic         | no
        real-time audio/video  | loss-tolerant | needs a minimum | 100s of ms
        stored audio/video     | loss-tolerant | needs a minimum | a few seconds
        interactive games      | loss-tolerant | needs a minimum | 100s of ms
        financial apps         | no loss       | elastic         | yes and no
    """
    rows = [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines()]
    return {app: (loss, bandwidth, timing) for app, loss, bandwidth, timing in rows}
