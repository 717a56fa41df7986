"""Mistake (exercise 5): header names are kept as the server wrote them, and Content-Length
is looked up with that exact spelling; header names are case-insensitive."""
import socket


def _recv_until(sock, buffer, delimiter):
    while delimiter not in buffer:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("closed inside the head")
        buffer += chunk
    head, _, rest = buffer.partition(delimiter)
    return head, rest


def http_get(host, port, path):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        head, body = _recv_until(sock, b"", b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip()] = value.strip()
        if "Content-Length" in headers:
            length = int(headers["Content-Length"])
            while len(body) < length:
                chunk = sock.recv(length - len(body))
                if not chunk:
                    raise EOFError("closed inside the body")
                body += chunk
        else:
            while chunk := sock.recv(4096):
                body += chunk
    return int(lines[0].split()[1]), headers, body
