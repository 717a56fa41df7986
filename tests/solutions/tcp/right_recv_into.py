"""A correct solution in the C style: preallocated bytearray buffers filled with recv_into
through a memoryview, a hand-written send loop that honours send()'s return value, and
header parsing on bytes (no decoding until the end)."""

import socket


def recv_exactly(sock, n):
    buffer = bytearray(n)
    view = memoryview(buffer)
    got = 0
    while got < n:
        count = sock.recv_into(view[got:], n - got)
        if count == 0:
            raise EOFError(f"connection closed after {got} of {n} bytes")
        got += count
    return bytes(buffer)


class SocketReader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()
        self.scratch = bytearray(16384)

    def _more(self):
        count = self.sock.recv_into(self.scratch)
        if count == 0:
            raise EOFError("connection closed")
        self.buffer += memoryview(self.scratch)[:count]

    def recv_until(self, delimiter):
        searched = 0
        while True:
            found = self.buffer.find(delimiter, searched)
            if found >= 0:
                break
            searched = max(0, len(self.buffer) - len(delimiter) + 1)
            self._more()
        end = found + len(delimiter)
        out = bytes(self.buffer[:end])
        del self.buffer[:end]
        return out

    def recv_exactly(self, n):
        while len(self.buffer) < n:
            self._more()
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def recv_to_eof(self):
        while True:
            count = self.sock.recv_into(self.scratch)
            if count == 0:
                break
            self.buffer += memoryview(self.scratch)[:count]
        out = bytes(self.buffer)
        self.buffer.clear()
        return out


def _send_all(sock, data):
    view = memoryview(data)
    while view:
        sent = sock.send(view)
        view = view[sent:]


def send_msg(sock, data):
    _send_all(sock, len(data).to_bytes(4, "big"))
    _send_all(sock, data)


def recv_msg(sock):
    return recv_exactly(sock, int.from_bytes(recv_exactly(sock, 4), "big"))


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(16)
    except OSError:
        listener.close()
        raise
    return listener


def serve_echo(listener):
    scratch = bytearray(65536)
    while True:
        conn, _ = listener.accept()
        try:
            while True:
                count = conn.recv_into(scratch)
                if not count:
                    break
                _send_all(conn, memoryview(scratch)[:count])
        finally:
            conn.close()


def http_get(host, port, path):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    try:
        sock.connect((host, port))
        _send_all(sock, b"GET " + path.encode() + b" HTTP/1.0\r\nHost: " + host.encode() + b"\r\n\r\n")
        reader = SocketReader(sock)
        status_line = reader.recv_until(b"\r\n")
        status = int(status_line.split(b" ")[1])
        headers = {}
        while (line := reader.recv_until(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            headers[name.decode().lower()] = value.strip().decode("latin-1")
        if "content-length" in headers:
            body = reader.recv_exactly(int(headers["content-length"]))
        else:
            body = reader.recv_to_eof()
        return status, headers, body
    finally:
        sock.close()


def ask(host, port, request):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(10)
    try:
        sock.connect((host, port))
        _send_all(sock, request)
        sock.shutdown(socket.SHUT_WR)
        reply = bytearray()
        scratch = bytearray(4096)
        while count := sock.recv_into(scratch):
            reply += scratch[:count]
        return bytes(reply)
    finally:
        sock.close()
