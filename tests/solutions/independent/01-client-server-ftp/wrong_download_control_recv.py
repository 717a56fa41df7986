"""Mistake (download): the control replies read with one sock.recv() each instead of the reader:
one recv is not one reply (a reply in pieces is cut, two replies in one segment are merged)."""

import re
import socket

from netkit.ftpproto import FTPError


def expect(sock, *codes):
    reply = sock.recv(1024).decode()
    code, text = int(reply[:3]), reply[4:].rstrip("\r\n")
    if code not in codes:
        raise FTPError(code, text)
    return text


def download(sock, reader, name):
    sock.sendall(b"TYPE I\r\n")
    expect(sock, 200)
    sock.sendall(b"PASV\r\n")
    numbers = [int(n) for n in re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", expect(sock, 227)).groups()]
    address = ".".join(map(str, numbers[:4])), numbers[4] * 256 + numbers[5]
    with socket.create_connection(address, timeout=5) as data:
        sock.sendall(f"RETR {name}\r\n".encode())
        expect(sock, 125, 150)
        chunks = []
        while chunk := data.recv(65536):
            chunks.append(chunk)
    expect(sock, 226)
    return b"".join(chunks)
