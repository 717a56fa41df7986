"""Mistake (login): each reply read with a single readline() instead of read_reply, so a
multi-line reply (a multi-line 230) is cut after its first line."""

from netkit.ftpproto import FTPError


def _reply(reader):
    line = reader.readline()
    if not line:
        raise EOFError("connection closed")
    return int(line[:3]), line[4:].decode().rstrip("\r\n")


def login(sock, reader, user, password):
    sock.sendall(f"USER {user}\r\n".encode())
    code, text = _reply(reader)
    if code == 331:
        sock.sendall(f"PASS {password}\r\n".encode())
        code, text = _reply(reader)
    if code != 230:
        raise FTPError(code, text)
    return code, text
