"""Answers HEAD exactly like GET, body included."""

from pathlib import Path


def http_response(request, folder):
    method, path, _ = request.decode("latin-1").split("\r\n")[0].split(" ")
    file = Path(folder) / path.lstrip("/")
    status, body = ("200 OK", file.read_bytes()) if file.is_file() else ("404 Not Found", b"not found\n")
    return f"HTTP/1.0 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
