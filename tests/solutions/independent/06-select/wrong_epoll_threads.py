"""Mistake (exercise 5): the selector only accepts; each client is served by a thread of
its own (threads are forbidden)."""
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


import threading


def _client(conn, folder):
    with conn:
        request = b""
        try:
            while b"\r\n\r\n" not in request:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            conn.sendall(http_response(request, folder))
        except OSError:
            pass


def serve_files_epoll(listener, folder):
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    while True:
        for _key, _ in sel.select():
            conn, _ = listener.accept()
            threading.Thread(target=_client, args=(conn, folder), daemon=True).start()
