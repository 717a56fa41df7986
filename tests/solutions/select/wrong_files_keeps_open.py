"""Sends the whole response but never closes the connection: an HTTP/1.0 client waits for EOF."""

import select


def serve_files(listener, folder):
    listener.setblocking(False)
    requests, replies = {}, {}
    while True:
        readable, writable, _ = select.select([listener, *requests], [s for s in replies if replies[s]], [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                requests[conn], replies[conn] = b"", b""
                continue
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                del requests[sock], replies[sock]
                sock.close()
                continue
            requests[sock] += data
            if b"\r\n\r\n" in requests[sock]:
                replies[sock] = http_response(requests[sock], folder)
                requests[sock] = b""
        for sock in writable:
            try:
                replies[sock] = replies[sock][sock.send(replies[sock]):]
            except BlockingIOError:
                pass
            except OSError:
                replies[sock] = b""
