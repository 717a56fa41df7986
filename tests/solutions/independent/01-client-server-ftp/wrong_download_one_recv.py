"""Mistake (download): one recv() on the data connection taken as the whole file; a 1 MiB file
arrives in many pieces."""

import re
import socket

from netkit.ftpproto import FTPError

def read_reply(reader):
    """A correct read_reply (the mistake of this file is elsewhere)."""
    def line():
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed")
        return raw.decode().removesuffix("\n").removesuffix("\r")

    first = line()
    if not (len(first) >= 4 and first[:3].isascii() and first[:3].isdigit() and first[3] in " -"):
        raise ValueError(f"not an FTP reply: {first!r}")
    lines = [first[4:]]
    if first[3] == "-":
        while True:
            current = line()
            if current.startswith(first[:3] + " "):
                lines.append(current[4:])
                break
            lines.append(current)
    return int(first[:3]), "\n".join(lines)

def parse_pasv(text):
    """A correct parse_pasv."""
    match = re.search(r"([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+),([0-9]+)", text)
    if not match:
        raise ValueError(f"no address in {text!r}")
    numbers = [int(n) for n in match.groups()]
    if max(numbers) > 255:
        raise ValueError("a number over 255")
    return ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]


def expect(reader, *codes):
    code, text = read_reply(reader)
    if code not in codes:
        raise FTPError(code, text)
    return text


def download(sock, reader, name):
    sock.sendall(b"TYPE I\r\n")
    expect(reader, 200)
    sock.sendall(b"PASV\r\n")
    address = parse_pasv(expect(reader, 227))
    with socket.create_connection(address, timeout=5) as data:
        sock.sendall(f"RETR {name}\r\n".encode())
        expect(reader, 125, 150)
        content = data.recv(1 << 20)
    expect(reader, 226)
    return content
