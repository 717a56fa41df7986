"""Never handles recv() returning b'': a client that closes before its request is complete stays in the
read set forever, so select() reports it readable at once, every time (the server spins, and holds the
connection in CLOSE_WAIT), while everyone else is still served."""

import select


def serve_files(listener, folder):
    listener.setblocking(False)
    requests, replies = {}, {}
    while True:
        readable, writable, _ = select.select([listener, *requests], list(replies), [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                requests[conn] = b""
                continue
            try:
                requests[sock] += sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                del requests[sock]
                sock.close()
                continue
            if b"\r\n\r\n" in requests[sock]:
                replies[sock] = http_response(requests.pop(sock), folder)
        for sock in writable:
            try:
                replies[sock] = replies[sock][sock.send(replies[sock]):]
            except BlockingIOError:
                continue
            except OSError:
                replies[sock] = b""
            if not replies[sock]:
                del replies[sock]
                sock.close()
