"""upload, wrong in the classic ways; each uses a correct read_reply and parse_pasv."""

import socket

from netkit.ftpproto import FTPError
from tests.solutions.ftp.right_lines import parse_pasv, read_reply


def _command(sock, reader, line):
    sock.sendall(line.encode() + b"\r\n")
    return read_reply(reader)


def _stor(sock, reader, name, binary=True):
    if binary:
        _command(sock, reader, "TYPE I")
    data = socket.create_connection(parse_pasv(_command(sock, reader, "PASV")[1]), timeout=5)
    code, text = _command(sock, reader, f"STOR {name}")
    if code not in (125, 150):
        data.close()
        raise FTPError(code, text)
    return data


def waits_before_closing(sock, reader, name, data):
    """Waits for the 226 before closing the data connection: the server waits for EOF."""
    conn = _stor(sock, reader, name)
    conn.sendall(data)
    read_reply(reader)
    conn.close()


def ascii_type(sock, reader, name, data):
    """Never sends TYPE I: in ASCII type the server rewrites CRLF to LF."""
    with _stor(sock, reader, name, binary=False) as conn:
        conn.sendall(data)
    read_reply(reader)


def leaves_226_unread(sock, reader, name, data):
    """Closes the data connection but does not read the 226."""
    with _stor(sock, reader, name) as conn:
        conn.sendall(data)


def ignores_refusal(sock, reader, name, data):
    """Sends the data whatever STOR's reply was, then waits for a 226 that never comes."""
    _command(sock, reader, "TYPE I")
    with socket.create_connection(parse_pasv(_command(sock, reader, "PASV")[1]), timeout=5) as conn:
        _command(sock, reader, f"STOR {name}")
        conn.sendall(data)
    read_reply(reader)


def send_once(sock, reader, name, data):
    """One send() for the whole file: send() may take only part of it, and returns how much."""
    with _stor(sock, reader, name) as conn:
        conn.send(data)
    read_reply(reader)


def shutdown_only(sock, reader, name, data):
    """Ends the data with shutdown(SHUT_WR), which the server takes as the end of the file, and never closes."""
    conn = _stor(sock, reader, name)
    conn.sendall(data)
    conn.shutdown(socket.SHUT_WR)
    read_reply(reader)
