"""Mistake (exercise 2): lines are split on b"\\n" and sent back without their newline."""
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
            *lines, buffers[sock] = (buffers[sock] + data).split(b"\n")
            for line in lines:
                sock.sendall(line)
