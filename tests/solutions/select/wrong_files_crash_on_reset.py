"""Non-blocking and select() with a write set, but send() to a client that reset raises, and nothing catches it."""

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
            data = sock.recv(4096)
            if not data:
                del requests[sock]
                sock.close()
                continue
            requests[sock] += data
            if b"\r\n\r\n" in requests[sock]:
                replies[sock] = http_response(requests.pop(sock), folder)
        for sock in writable:
            try:
                sent = sock.send(replies[sock])
            except BlockingIOError:
                continue
            replies[sock] = replies[sock][sent:]
            if not replies[sock]:
                del replies[sock]
                sock.close()
