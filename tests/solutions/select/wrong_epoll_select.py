"""The select() web server handed in again as the epoll one: select() cannot watch descriptor 1024 or above."""

import select


def serve_files_epoll(listener, folder):
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
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                del requests[sock]
                sock.close()
                continue
            requests[sock] += data
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
