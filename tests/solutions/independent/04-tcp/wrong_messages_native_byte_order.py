"""Mistake (exercise 3): the length is packed with struct's native byte order ("I", little-
endian on x86) instead of network byte order ("!I"); both ends agree with each other, but
the bytes on the wire are wrong."""
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
    sock.sendall(struct.pack("I", len(data)) + data)


def recv_msg(sock):
    (length,) = struct.unpack("I", recv_exactly(sock, 4))
    return recv_exactly(sock, length)
