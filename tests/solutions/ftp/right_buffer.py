"""A correct solution: accumulate bytes and look for the end of the reply in the buffer
(consuming exactly up to each line end with peek), string slicing for PASV, recv_into
and a send loop over a memoryview for the data connection."""

import socket

from netkit.ftpproto import FTPError


def _take_line(reader):
    """Consume up to and including the next b"\\n", never beyond it."""
    taken = b""
    while not taken.endswith(b"\n"):
        ahead = reader.peek(1)
        if not ahead:
            raise EOFError("the control connection closed mid-reply: %r" % taken)
        end = ahead.find(b"\n")
        taken += reader.read(end + 1 if end >= 0 else len(ahead))
    return taken


def read_reply(reader):
    buffer = _take_line(reader)
    head = buffer[:4]
    if len(head) < 4 or not head[:3].isdigit() or head[3:] not in (b" ", b"-"):
        raise ValueError("bad reply start %r" % buffer)
    terminator = head[:3] + b" "
    while head[3:] == b"-":
        line = _take_line(reader)
        buffer += line
        if line.startswith(terminator):
            break
    lines = buffer.decode("utf-8", "replace").split("\r\n")[:-1]
    lines[0] = lines[0][4:]
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(head[:3]), "\n".join(lines)


def login(sock, reader, user, password):
    sock.sendall(b"USER " + user.encode() + b"\r\n")
    reply = read_reply(reader)
    if reply[0] == 331:
        sock.sendall(b"PASS " + password.encode() + b"\r\n")
        reply = read_reply(reader)
    if not 200 <= reply[0] < 300:
        raise FTPError(reply[0], reply[1])
    return reply


def parse_pasv(text):
    start = text.find("(")
    inside = text[start + 1:text.find(")", start)] if start >= 0 else (text.split() or [""])[-1].strip("=.")
    parts = inside.split(",")
    if len(parts) != 6 or not all(p.isdigit() and int(p) < 256 for p in parts):
        raise ValueError("malformed 227 reply: " + repr(text))
    h1, h2, h3, h4, p1, p2 = map(int, parts)
    return f"{h1}.{h2}.{h3}.{h4}", p1 * 256 + p2


def _send(sock, line):
    sock.sendall((line + "\r\n").encode())


def _passive(sock, reader):
    for line, wanted in (("TYPE I", 200), ("PASV", 227)):
        _send(sock, line)
        code, text = read_reply(reader)
        if code != wanted:
            raise FTPError(code, text)
    host, port = parse_pasv(text)
    data = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    data.settimeout(5)
    data.connect((host, port))
    return data


def download(sock, reader, name):
    data = _passive(sock, reader)
    with data:
        _send(sock, "RETR " + name)
        code, text = read_reply(reader)
        if code not in (125, 150):
            raise FTPError(code, text)
        content, size = bytearray(1 << 16), 0
        while True:
            if size == len(content):
                content.extend(bytes(len(content)))  # full: double it
            with memoryview(content)[size:] as free:
                n = data.recv_into(free)
            if n == 0:
                break
            size += n
    code, text = read_reply(reader)
    if code != 226:
        raise FTPError(code, text)
    return bytes(content[:size])


def upload(sock, reader, name, data):
    conn = _passive(sock, reader)
    try:
        _send(sock, "STOR " + name)
        code, text = read_reply(reader)
        if code not in (125, 150):
            raise FTPError(code, text)
        view = memoryview(data)
        while view:
            view = view[conn.send(view):]
        conn.shutdown(socket.SHUT_WR)
    finally:
        conn.close()
    code, text = read_reply(reader)
    if code != 226:
        raise FTPError(code, text)


def transport_needs():
    reliable = ("no loss", "elastic")
    needs = {app: (*reliable, "no") for app in ("file transfer", "e-mail", "web documents")}
    needs["financial apps"] = (*reliable, "yes and no")
    for app, timing in (("real-time audio/video", "100s of ms"), ("stored audio/video", "a few seconds"),
                        ("interactive games", "100s of ms")):
        needs[app] = ("loss-tolerant", "needs a minimum", timing)
    return needs
