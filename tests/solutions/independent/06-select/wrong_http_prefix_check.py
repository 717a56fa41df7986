"""Mistake (exercise 3): the folder check compares strings with startswith, so a sibling
folder whose name starts with the folder's name (/srv/site-private for /srv/site) passes
as inside."""
import os
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
    root = os.path.realpath(folder)
    file = os.path.realpath(os.path.join(root, path.lstrip("/")))
    if not file.startswith(root) or not os.path.isfile(file):
        return _reply(404, b"Not Found\n", method == "GET")
    with open(file, "rb") as f:
        return _reply(200, f.read(), method == "GET")
