"""download, wrong in the classic ways; each uses a correct read_reply and parse_pasv."""

import socket

from netkit.ftpproto import FTPError
from tests.solutions.ftp.right_lines import parse_pasv, read_reply


def _command(sock, reader, line):
    sock.sendall(line.encode() + b"\r\n")
    return read_reply(reader)


def _passive(sock, reader, binary=True):
    if binary:
        _command(sock, reader, "TYPE I")
    return socket.create_connection(parse_pasv(_command(sock, reader, "PASV")[1]), timeout=5)


def _retr(sock, reader, name):
    code, text = _command(sock, reader, f"RETR {name}")
    if code not in (125, 150):
        raise FTPError(code, text)


def single_recv(sock, reader, name):
    """Takes one recv() as the whole file."""
    with _passive(sock, reader) as data:
        _retr(sock, reader, name)
        content = data.recv(1 << 20)
    read_reply(reader)
    return content


def leaves_226_unread(sock, reader, name):
    """Reads the data to EOF but not the 226 that follows it."""
    with _passive(sock, reader) as data:
        _retr(sock, reader, name)
        with data.makefile("rb") as stream:
            return stream.read()


def ascii_type(sock, reader, name):
    """Never sends TYPE I: the server is in ASCII type and rewrites line ends."""
    with _passive(sock, reader, binary=False) as data:
        _retr(sock, reader, name)
        with data.makefile("rb") as stream:
            content = stream.read()
    read_reply(reader)
    return content


def text_mode(sock, reader, name):
    """Reads the data as text (universal newlines), then encodes it back."""
    with _passive(sock, reader) as data:
        _retr(sock, reader, name)
        with data.makefile("r", encoding="latin-1") as stream:
            content = stream.read().encode("latin-1")
    read_reply(reader)
    return content


def data_before_reply(sock, reader, name):
    """Reads the data connection before the reply to RETR: after a 550 no data ever comes."""
    with _passive(sock, reader) as data:
        sock.sendall(f"RETR {name}\r\n".encode())
        with data.makefile("rb") as stream:
            content = stream.read()
    read_reply(reader)
    read_reply(reader)
    return content


def empty_on_550(sock, reader, name):
    """Treats a refused RETR as an empty file."""
    with _passive(sock, reader) as data:
        code, text = _command(sock, reader, f"RETR {name}")
        if code == 550:
            return b""
        with data.makefile("rb") as stream:
            content = stream.read()
    read_reply(reader)
    return content


def reads_226_first(sock, reader, name):
    """Reads the 226 before the data: the server sends it only after the file, which waits to be read."""
    with _passive(sock, reader) as data:
        _retr(sock, reader, name)
        read_reply(reader)
        with data.makefile("rb") as stream:
            return stream.read()


def control_recv(sock, reader, name):
    """Reads each reply on the control connection with one sock.recv(): one recv is not one reply."""

    def reply(line):
        sock.sendall(line.encode() + b"\r\n")
        text = sock.recv(1024).decode()
        return int(text[:3]), text[4:].rstrip("\r\n")

    reply("TYPE I")
    with socket.create_connection(parse_pasv(reply("PASV")[1]), timeout=5) as data:
        code, text = reply(f"RETR {name}")
        if code not in (125, 150):
            raise FTPError(code, text)
        with data.makefile("rb") as stream:
            content = stream.read()
    sock.recv(1024)  # the 226
    return content


def never_closes(sock, reader, name):
    """Reads the data connection to EOF but never closes it: CPython closes it when the function returns."""
    data = _passive(sock, reader)
    _retr(sock, reader, name)
    pieces = []
    while piece := data.recv(65536):
        pieces.append(piece)
    read_reply(reader)
    return b"".join(pieces)


def open_after_550(sock, reader, name):
    """Closes the data connection after a transfer, but raises on a refused RETR with it still open."""
    data = _passive(sock, reader)
    code, text = _command(sock, reader, f"RETR {name}")
    if code not in (125, 150):
        raise FTPError(code, text)
    with data, data.makefile("rb") as stream:
        content = stream.read()
    read_reply(reader)
    return content
