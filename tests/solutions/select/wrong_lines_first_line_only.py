"""Takes one line out of the buffer per recv(): lines that arrive together wait for more data."""

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
            buffers[sock] += data
            line, newline, rest = buffers[sock].partition(b"\n")
            if newline:
                buffers[sock] = rest
                try:
                    sock.sendall(line + newline)
                except OSError:
                    del buffers[sock]
                    sock.close()
