"""Mistake (exercise 5): the response is split at every blank line and the body taken as
the second part, so a body that holds a blank line (b"\\r\\n\\r\\n") is cut short."""
import socket


def http_get(host, port, path):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        response = b""
        headers = None
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            response += chunk
            parts = response.split(b"\r\n\r\n")
            if len(parts) >= 2:
                lines = parts[0].decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                if "content-length" in headers and len(response) - len(parts[0]) - 4 >= int(headers["content-length"]):
                    break
    parts = response.split(b"\r\n\r\n")
    lines = parts[0].decode("latin-1").split("\r\n")
    return int(lines[0].split()[1]), headers, parts[1]
