"""Mistake (exercise 3): recv_msg calls recv(4) for the prefix and recv(length) for the
body once each, taking each result as complete."""
import struct


def send_msg(sock, data):
    sock.sendall(struct.pack("!I", len(data)) + data)


def recv_msg(sock):
    header = sock.recv(4)
    if len(header) < 4:
        raise EOFError("peer closed")
    (length,) = struct.unpack("!I", header)
    return sock.recv(length) if length else b""
