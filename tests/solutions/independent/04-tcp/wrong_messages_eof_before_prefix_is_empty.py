"""Mistake (exercise 3): when the peer closes before the first byte of a message, recv_msg
returns b'' (as if an empty message had arrived) instead of raising EOFError."""
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
    sock.sendall(struct.pack("!I", len(data)) + data)


def recv_msg(sock):
    first = sock.recv(1)
    if not first:
        return b""                       # "nothing more": but an empty message looks the same
    (length,) = struct.unpack("!I", first + recv_exactly(sock, 3))
    return recv_exactly(sock, length)
