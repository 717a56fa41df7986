"""Content-Length counts characters of the decoded text, not bytes."""

from pathlib import Path


def http_response(request, folder):
    method, path, _ = request.decode("latin-1").split("\r\n")[0].split(" ")
    file = Path(folder) / path.lstrip("/")
    if file.is_file():
        body = file.read_bytes()
        head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(body.decode('utf-8', 'replace'))}\r\n\r\n"
    else:
        body = b"not found\n"
        head = f"HTTP/1.0 404 Not Found\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + (body if method == "GET" else b"")
