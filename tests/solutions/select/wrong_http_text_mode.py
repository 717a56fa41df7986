"""Reads the file in text mode: binary files raise UnicodeDecodeError."""

import os


def http_response(request, folder):
    method, path, _ = request.decode().split("\r\n")[0].split(" ")
    name = os.path.join(folder, path.lstrip("/"))
    if os.path.isfile(name):
        with open(name, encoding="utf-8") as file:
            body = file.read().encode()
        status = "200 OK"
    else:
        status, body = "404 Not Found", b"not found\n"
    head = f"HTTP/1.0 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head if method == "HEAD" else head + body
