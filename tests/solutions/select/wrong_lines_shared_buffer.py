"""One buffer for all clients: a half line of one client ends up in another client's echo."""

import select


def serve_lines(listener):
    clients = []
    buffer = b""
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                clients.append(listener.accept()[0])
                continue
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                clients.remove(sock)
                sock.close()
                continue
            buffer += data
            lines, newline, buffer = buffer.rpartition(b"\n")
            if newline:
                sock.sendall(lines + newline)
