"""Mistake (exercise 3): the path is joined to the folder without checking where it leads:
GET /../secret.txt serves a file outside the folder."""
from http import HTTPStatus
from pathlib import Path


def _reply(status, body, send_body=True):
    head = f"HTTP/1.0 {status} {HTTPStatus(status).phrase}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head + body if send_body else head


def http_response(request, folder):
    words = request.split(b"\r\n")[0].split()
    if len(words) != 3:
        return _reply(400, b"Bad Request\n")
    method, path, _ = (w.decode() for w in words)
    if method not in ("GET", "HEAD"):
        return _reply(501, b"Not Implemented\n")
    file = Path(folder) / path.lstrip("/")
    if not file.is_file():
        return _reply(404, b"Not Found\n", method == "GET")
    return _reply(200, file.read_bytes(), method == "GET")
