"""Accepts, then reads the request at once with a blocking recv(): a silent client blocks everyone."""

import select


def serve_files(listener, folder):
    while True:
        select.select([listener], [], [])
        conn, _ = listener.accept()
        request = b""
        while b"\r\n\r\n" not in request:
            data = conn.recv(4096)
            if not data:
                break
            request += data
        if request:
            conn.sendall(http_response(request, folder))
        conn.close()
