"""Mistake (exercise 1): b'' at EOF is ignored: the loop adds it and calls recv again,
for ever (the function never returns once the peer has closed early)."""


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        data += sock.recv(n - len(data))
    return data
