"""Closes a finished client's socket but leaves it in the read set: select() then raises."""

import select


def serve_lines(listener):
    buffers = {}
    while True:
        readable, _, _ = select.select([listener, *buffers], [], [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                buffers[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                sock.close()
                continue
            lines, newline, rest = (buffers[sock] + data).rpartition(b"\n")
            buffers[sock] = rest
            if newline:
                sock.sendall(lines + newline)
