"""Mistake (exercise 1): on b'' (EOF) the loop just stops and returns the short result
instead of raising EOFError."""


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data
