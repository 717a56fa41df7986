"""Joins the path to the folder without checking it: GET /../secret.txt leaves the folder."""

import os


def http_response(request, folder):
    words = request.decode("latin-1").split("\r\n")[0].split()
    if len(words) != 3 or words[0] not in ("GET", "HEAD"):
        return b"HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
    name = os.path.join(folder, words[1].lstrip("/"))
    if os.path.isfile(name):
        with open(name, "rb") as file:
            body = file.read()
        status = "200 OK"
    else:
        status, body = "404 Not Found", b"not found\n"
    head = f"HTTP/1.0 {status}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head if words[0] == "HEAD" else head + body
