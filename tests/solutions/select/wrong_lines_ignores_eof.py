"""Ignores recv() returning b'': the socket stays readable forever, the server spins and never closes it."""

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
                continue
            lines, newline, rest = (buffers[sock] + data).rpartition(b"\n")
            buffers[sock] = rest
            if newline:
                try:
                    sock.sendall(lines + newline)
                except OSError:
                    pass
