"""Tests "inside the folder" with str.startswith: /srv/site-private starts with /srv/site."""

import os


def http_response(request, folder):
    words = request.decode("latin-1").split("\r\n")[0].split()
    if len(words) != 3:
        return b"HTTP/1.0 400 Bad Request\r\nContent-Length: 4\r\n\r\nbad\n"
    if words[0] not in ("GET", "HEAD"):
        return b"HTTP/1.0 501 Not Implemented\r\nContent-Length: 4\r\n\r\nno.\n"
    root = os.path.abspath(folder)
    name = os.path.normpath(os.path.join(root, words[1].lstrip("/")))
    if name.startswith(root) and os.path.isfile(name):
        with open(name, "rb") as file:
            status, body = "200 OK", file.read()
    else:
        status, body = "404 Not Found", b"not found\n"
    head = f"HTTP/1.0 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head if words[0] == "HEAD" else head + body
