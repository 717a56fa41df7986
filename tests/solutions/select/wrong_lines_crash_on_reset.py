"""Right in every way but one: a client that resets its connection makes recv() raise, and the server dies."""

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
            data = sock.recv(4096)
            if not data:
                del buffers[sock]
                sock.close()
                continue
            lines, newline, rest = (buffers[sock] + data).rpartition(b"\n")
            buffers[sock] = rest
            if newline:
                sock.sendall(lines + newline)
