"""Mistake (exercise 2): ConnectionResetError is not caught: one client that resets its
connection kills the whole server."""
import select


def serve_lines(listener):
    clients = []
    buffers = {}
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                clients.append(conn)
                buffers[conn] = b""
                continue
            data = sock.recv(4096)
            if not data:
                clients.remove(sock)
                sock.close()
                continue
            buffers[sock] += data
            if b"\n" in buffers[sock]:
                lines, _, buffers[sock] = buffers[sock].rpartition(b"\n")
                sock.sendall(lines + b"\n")
