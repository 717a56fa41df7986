"""A correct solution with lists of chunks joined at the end, struct for the length prefix,
socket.create_server / create_connection, and str.partition for HTTP."""

import socket
import struct


def recv_exactly(sock, n):
    chunks, missing = [], n
    while missing:
        chunk = sock.recv(min(missing, 1 << 16))
        if chunk == b"":
            raise EOFError("peer closed the connection %d bytes short" % missing)
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


class SocketReader:
    """Keeps a list of received chunks; joins only when a call needs to look."""

    def __init__(self, sock):
        self.sock = sock
        self.pending = b""

    def _pull(self):
        chunk = self.sock.recv(8192)
        if not chunk:
            raise EOFError("peer closed the connection")
        self.pending += chunk

    def recv_until(self, delimiter):
        while delimiter not in self.pending:
            self._pull()
        head, sep, self.pending = self.pending.partition(delimiter)
        return head + sep

    def recv_exactly(self, n):
        while len(self.pending) < n:
            self._pull()
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def recv_to_eof(self):
        chunks = [self.pending]
        while chunk := self.sock.recv(8192):
            chunks.append(chunk)
        self.pending = b""
        return b"".join(chunks)


def send_msg(sock, data):
    sock.sendall(struct.pack("!I", len(data)))
    sock.sendall(data)


def recv_msg(sock):
    (size,) = struct.unpack("!I", recv_exactly(sock, 4))
    return recv_exactly(sock, size)


def make_listener(host, port):
    # create_server sets SO_REUSEADDR itself on POSIX systems
    return socket.create_server((host, port), reuse_port=False, backlog=8)


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                conn.sendall(data)


def http_get(host, port, path):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        reader = SocketReader(sock)
        head = reader.recv_until(b"\r\n\r\n").decode("iso-8859-1")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.lower()] = value.strip()
        length = headers.get("content-length")
        body = reader.recv_to_eof() if length is None else reader.recv_exactly(int(length))
        return status, headers, body


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        parts = []
        while True:
            part = sock.recv(1024)
            if not part:
                return b"".join(parts)
            parts.append(part)
