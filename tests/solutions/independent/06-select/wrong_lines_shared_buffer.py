"""Mistake (exercise 2): one buffer for all clients: the bytes after one client's last
newline are glued to the next client's data and echoed to the wrong client."""
import select


def serve_lines(listener):
    clients = []
    buffer = b""
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
            buffer += data
            if b"\n" in buffer:
                lines, _, buffer = buffer.rpartition(b"\n")
                sock.sendall(lines + b"\n")
