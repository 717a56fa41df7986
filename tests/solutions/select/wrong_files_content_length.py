"""A select() web server whose own response code counts characters for Content-Length."""

import os
import select


def response_for(request, folder):
    method, path, _ = request.decode("latin-1").split("\r\n")[0].split(" ")
    name = os.path.join(folder, path.lstrip("/"))
    if not os.path.isfile(name):
        return b"HTTP/1.0 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n"
    with open(name, "rb") as file:
        body = file.read()
    text = body.decode("utf-8", "ignore")
    head = f"HTTP/1.0 200 OK\r\nContent-Length: {len(text)}\r\n\r\n".encode()
    return head if method == "HEAD" else head + body


def serve_files(listener, folder):
    listener.setblocking(False)
    requests, replies = {}, {}
    while True:
        readable, writable, _ = select.select([listener, *requests], list(replies), [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                requests[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                del requests[sock]
                sock.close()
                continue
            requests[sock] += data
            if b"\r\n\r\n" in requests[sock]:
                replies[sock] = response_for(requests.pop(sock), folder)
        for sock in writable:
            try:
                replies[sock] = replies[sock][sock.send(replies[sock]):]
            except BlockingIOError:
                continue
            except OSError:
                replies[sock] = b""
            if not replies[sock]:
                del replies[sock]
                sock.close()
