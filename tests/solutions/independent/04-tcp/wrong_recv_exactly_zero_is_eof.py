"""Mistake (exercise 1): a do-while loop that calls recv before checking the count; for
n = 0, recv(0) returns b'' and is taken for EOF (EOFError instead of b'')."""


def recv_exactly(sock, n):
    data = b""
    while True:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"{len(data)} of {n} bytes")
        data += chunk
        if len(data) >= n:
            return data
