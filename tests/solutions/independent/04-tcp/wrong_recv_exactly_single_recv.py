"""Mistake (exercise 1): one recv(n) taken as the whole message.

On loopback a small message usually arrives whole, so it seems to work; cut into pieces
it returns fewer than n bytes.
"""


def recv_exactly(sock, n):
    data = sock.recv(n)
    if n and not data:
        raise EOFError("peer closed")
    return data
