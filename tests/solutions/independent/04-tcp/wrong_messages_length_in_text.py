"""Mistake (exercise 3): the length prefix is written as 4 ASCII digits (b"0005") instead
of a 4-byte big-endian binary number; messages of 10,000 bytes or more do not even fit."""


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"{len(data)} of {n} bytes")
        data += chunk
    return data


def send_msg(sock, data):
    sock.sendall(b"%04d" % len(data) + data)


def recv_msg(sock):
    length = int(recv_exactly(sock, 4))
    return recv_exactly(sock, length)
