"""Mistake (exercise 3): the file is read as text and Content-Length is the number of
characters (len of the str), not of bytes: wrong for UTF-8 text, and a binary file cannot
even be decoded."""
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
        return _reply(404, b"Not Found\n", method == "GET")
    text = file.read_text(encoding="utf-8")
    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(text)}\r\n\r\n"
    return (head + text).encode() if method == "GET" else head.encode()
