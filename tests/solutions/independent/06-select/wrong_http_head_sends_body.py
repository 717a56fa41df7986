"""Mistake (exercise 3): HEAD is answered like GET, body included."""
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
    root = Path(folder).resolve()
    file = (root / path.lstrip("/")).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return _reply(404, b"Not Found\n")
    return _reply(200, file.read_bytes())
