"""Mistake (exercise 2): no buffer: whatever one recv returns is echoed at once, so a line
that arrives in pieces is sent back in pieces (part of a line before its newline)."""
import select


def serve_lines(listener):
    clients = []
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                clients.append(conn)
                continue
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                clients.remove(sock)
                sock.close()
                continue
            try:
                sock.sendall(data)
            except OSError:
                clients.remove(sock)
                sock.close()
