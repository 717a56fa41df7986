"""Mistake (exercise 5): a finished socket is closed but never unregistered: the selector
still holds its descriptor number, and when the kernel gives that number to a new client,
register() raises KeyError (already registered)."""
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
    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ)
    state = {}
    while True:
        for key, events in sel.select():
            sock = key.fileobj
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                state[conn] = [b"", b""]
                sel.register(conn, selectors.EVENT_READ)
                continue
            if sock not in state:
                continue
            request, reply = state[sock]
            try:
                if events & selectors.EVENT_READ:
                    data = sock.recv(4096)
                    if not data:
                        raise ConnectionResetError
                    request += data
                    if b"\r\n\r\n" in request:
                        reply = http_response(request, folder)
                        sel.modify(sock, selectors.EVENT_WRITE)
                    state[sock] = [request, reply]
                    continue
                reply = reply[sock.send(reply):]
                state[sock] = [request, reply]
                if reply:
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            del state[sock]
            sock.close()                          # no sel.unregister(sock)
