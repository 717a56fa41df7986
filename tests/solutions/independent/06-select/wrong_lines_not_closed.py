"""Mistake (exercise 2): a client that closes is removed from the list but its socket is
never closed: the server leaks a descriptor per client, and the client never sees the
connection end."""
import select

_gone = []


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
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                clients.remove(sock)
                _gone.append(sock)                 # forgotten, never closed
                continue
            buffers[sock] += data
            if b"\n" in buffers[sock]:
                lines, _, buffers[sock] = buffers[sock].rpartition(b"\n")
                sock.sendall(lines + b"\n")
