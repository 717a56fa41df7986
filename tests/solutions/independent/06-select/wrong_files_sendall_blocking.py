"""Mistake (exercise 4): the request is read with select(), but the response goes out with
a blocking sendall(): one client that reads slowly (or not at all) stops the whole server."""
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
    requests = {}
    while True:
        readable, _, _ = select.select([listener, *requests], [], [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                requests[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:
                del requests[sock]
                sock.close()
                continue
            requests[sock] += data
            if b"\r\n\r\n" in requests[sock]:
                head = requests.pop(sock)
                try:
                    sock.sendall(http_response(head, folder))
                except OSError:
                    pass
                sock.close()
