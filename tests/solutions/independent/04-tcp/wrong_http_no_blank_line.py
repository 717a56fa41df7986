"""Mistake (exercise 5): the request ends without the blank line (only one \\r\\n after the
Host header), so the server waits for the rest of the head."""
import socket


def http_get(host, port, path):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n".encode())
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(4096)
            if not chunk:
                raise EOFError("closed inside the head")
            buffer += chunk
        head, _, body = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(body) < length:
                chunk = sock.recv(length - len(body))
                if not chunk:
                    raise EOFError("closed inside the body")
                body += chunk
        else:
            while chunk := sock.recv(4096):
                body += chunk
    return int(lines[0].split()[1]), headers, body
