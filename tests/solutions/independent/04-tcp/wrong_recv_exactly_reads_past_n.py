"""Mistake (exercise 1): recv(4096) in the loop, so the bytes of the next message are
read too and returned with this one (more than n bytes)."""


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(f"{len(data)} of {n} bytes")
        data += chunk
    return data
