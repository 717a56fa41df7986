"""Reads requests with select() correctly, but sends each response with a blocking sendall():
a client that reads slowly stops the whole server."""

import select


def serve_files(listener, folder):
    requests = {}
    while True:
        readable, _, _ = select.select([listener, *requests], [], [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                requests[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if data:
                requests[sock] += data
                if b"\r\n\r\n" not in requests[sock]:
                    continue
                try:
                    sock.sendall(http_response(requests[sock], folder))
                except OSError:
                    pass
            del requests[sock]
            sock.close()
