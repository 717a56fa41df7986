"""Mistake (exercise 3): send() instead of sendall(): send's return value is ignored, so
when the send buffer is full only part of a big message goes out."""
import struct


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"{len(data)} of {n} bytes")
        data += chunk
    return data


def send_msg(sock, data):
    sock.send(struct.pack("!I", len(data)) + data)


def recv_msg(sock):
    (length,) = struct.unpack("!I", recv_exactly(sock, 4))
    return recv_exactly(sock, length)
