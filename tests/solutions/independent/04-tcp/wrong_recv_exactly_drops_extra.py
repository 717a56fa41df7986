"""Mistake (exercise 1): recv(4096) in the loop, then data[:n]: the result has n bytes
but the start of the next message, read along with it, is thrown away."""


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(f"{len(data)} of {n} bytes")
        data += chunk
    return data[:n]
