"""Mistake (exercise 1): b'' is not taken as the end: the loop calls recv again (here up
to 1000 more times, "in case more comes") before it gives up with EOFError. The notebook
says: do not call recv again after b''."""


def recv_exactly(sock, n):
    data = b""
    empty = 0
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            empty += 1
            if empty > 1000:
                raise EOFError(f"{len(data)} of {n} bytes")
            continue
        data += chunk
    return data
