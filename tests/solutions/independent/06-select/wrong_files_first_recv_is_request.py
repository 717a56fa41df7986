"""Mistake (exercise 4): the first recv() is taken as the whole request: a request that
arrives in pieces is answered from its first piece (400 Bad Request, or a wrong path)."""
import select
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


def serve_files(listener, folder):
    listener.setblocking(False)
    clients = []
    replies = {}
    while True:
        readable, writable, _ = select.select([listener, *clients], list(replies), [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                clients.append(conn)
                continue
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            clients.remove(sock)
            if not data:
                sock.close()
                continue
            replies[sock] = http_response(data, folder)
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
