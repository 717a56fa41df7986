"""Mistake (exercise 2): only the first complete line in the buffer is echoed after each
recv; when several lines arrive in one piece the others wait (for ever, if the client
sends nothing more)."""
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
                clients.remove(sock)
                sock.close()
                continue
            buffers[sock] += data
            if b"\n" in buffers[sock]:
                line, _, buffers[sock] = buffers[sock].partition(b"\n")
                sock.sendall(line + b"\n")
