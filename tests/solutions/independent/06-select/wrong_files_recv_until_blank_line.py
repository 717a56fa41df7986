"""Mistake (exercise 4): after select() says a client is readable, the server keeps calling
recv on it until the whole head (\\r\\n\\r\\n) is there, so a silent client or one
that sent half a request blocks everybody."""
import select
import socket
from http import HTTPStatus
from pathlib import Path


def http_response(request, folder):
    def reply(status, body, send_body=True):
        head = f"HTTP/1.0 {status} {HTTPStatus(status).phrase}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        return head + body if send_body else head

    words = request.split(b"\r\n")[0].split()
    if len(words) != 3:
        return reply(400, b"Bad Request\n")
    method, path, _ = (w.decode("utf-8", "replace") for w in words)
    if method not in ("GET", "HEAD"):
        return reply(501, b"Not Implemented\n")
    root = Path(folder).resolve()
    file = (root / path.lstrip("/")).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return reply(404, b"Not Found\n", method == "GET")
    return reply(200, file.read_bytes(), method == "GET")


def serve_files(listener, folder):
    replies = {}
    clients = []
    while True:
        readable, writable, _ = select.select([listener, *clients], list(replies), [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                clients.append(conn)
                continue
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    data = sock.recv(4096)
                    if not data:
                        break
                    request += data
            except OSError:
                request = b""
            clients.remove(sock)
            if b"\r\n\r\n" not in request:
                sock.close()
                continue
            sock.setblocking(False)
            replies[sock] = http_response(request, folder)
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
