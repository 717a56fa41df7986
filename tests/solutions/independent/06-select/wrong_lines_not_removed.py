"""Mistake (exercise 2): the lecture's C loop: a client that closes is closed but not
removed from the list, so the next select() gets a closed socket (fd -1) and the server
dies."""
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
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                sock.close()                       # ... but it stays in `clients`
                continue
            buffers[sock] += data
            if b"\n" in buffers[sock]:
                lines, _, buffers[sock] = buffers[sock].rpartition(b"\n")
                sock.sendall(lines + b"\n")
