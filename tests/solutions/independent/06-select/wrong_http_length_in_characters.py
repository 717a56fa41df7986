"""Mistake (exercise 3): the file is decoded to a str (undecodable bytes kept with
surrogateescape, so binary files survive) and Content-Length is len() of that str: the
number of characters, not of bytes, which is too small for UTF-8 text beyond ASCII."""
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
    text = file.read_bytes().decode("utf-8", "surrogateescape")
    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(text)}\r\n\r\n".encode()
    body = text.encode("utf-8", "surrogateescape")
    return head + body if method == "GET" else head
