"""Mistake (exercise 5): the client is never switched to EVENT_WRITE: the whole response
goes out with a blocking sendall() as soon as the request is complete, so a slow reader
stops the server."""
import select
import selectors
import socket
from http import HTTPStatus
from pathlib import Path


def http_response(request, folder):
    def reply(status, body, send_body=True):
        head = f"HTTP/1.0 {status} {HTTPStatus(status).phrase}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        return head + body if send_body else head

    words = request.split(b"\r\n")[0].split()
    if len(words) != 3:
        return reply(400, b"Bad Request\n")
    method, path, _ = (w.decode("utf-8", "replace") for w in words)
    if method not in ("GET", "HEAD"):
        return reply(501, b"Not Implemented\n")
    root = Path(folder).resolve()
    file = (root / path.lstrip("/")).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return reply(404, b"Not Found\n", method == "GET")
    return reply(200, file.read_bytes(), method == "GET")


def serve_files_epoll(listener, folder):
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    requests = {}
    while True:
        for key, _ in sel.select():
            sock = key.fileobj
            if sock is listener:
                conn, _ = listener.accept()
                requests[conn] = b""
                sel.register(conn, selectors.EVENT_READ)
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
            sel.unregister(sock)
            sock.close()
