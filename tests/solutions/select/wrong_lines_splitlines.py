"""Splits the buffer with splitlines(), which also ends a line at \r, \x0b, \x0c, \x1c..."""

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
                del buffers[sock]
                sock.close()
                continue
            pieces = (buffers[sock] + data).splitlines(keepends=True)
            buffers[sock] = pieces.pop() if not pieces[-1].endswith(b"\n") else b""
            try:
                for line in pieces:
                    sock.sendall(line.rstrip(b"\r\n\x0b\x0c\x1c") + b"\n")
            except OSError:
                del buffers[sock]
                sock.close()
