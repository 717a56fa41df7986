"""Mistake (exercise 3): the method is never looked at: POST or DELETE get the file as if
they were GET (instead of 501 Not Implemented)."""
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
    root = Path(folder).resolve()
    file = (root / path.lstrip("/")).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return _reply(404, b"Not Found\n", method != "HEAD")
    return _reply(200, file.read_bytes(), method != "HEAD")
