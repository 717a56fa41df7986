"""Independent solution of notebook 04 (TCP), approach 1.

recv_into a preallocated bytearray; a SocketReader with a bytearray buffer and an
incremental search; struct for the length prefix; a plain socket/setsockopt listener;
http_get built on SocketReader; ask reading chunks into a list.
"""
import socket
import struct


def recv_exactly(sock, n):
    """Receive exactly n bytes from sock and return them (bytes).

    Raises EOFError if the peer closes the connection before n bytes have arrived.
    """
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        count = sock.recv_into(view[got:], n - got)
        if count == 0:
            raise EOFError(f"peer closed after {got} of {n} bytes")
        got += count
    return bytes(buf)


class SocketReader:
    """Read from a connected socket up to a delimiter, exactly n bytes, or to the end."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()

    def _receive(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError(f"peer closed with {len(self.buffer)} bytes unread")
        self.buffer += chunk

    def recv_until(self, delimiter):
        start = 0
        while True:
            index = self.buffer.find(delimiter, start)
            if index >= 0:
                end = index + len(delimiter)
                line = bytes(self.buffer[:end])
                del self.buffer[:end]
                return line
            # the delimiter may straddle the old end of the buffer and the next piece
            start = max(0, len(self.buffer) - len(delimiter) + 1)
            self._receive()

    def recv_exactly(self, n):
        while len(self.buffer) < n:
            self._receive()
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def recv_to_eof(self):
        while True:
            try:
                self._receive()
            except EOFError:
                break
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def send_msg(sock, data):
    """Send data as one message: its length (4 bytes, big-endian), then the bytes."""
    sock.sendall(struct.pack("!I", len(data)))
    sock.sendall(data)


def recv_msg(sock):
    """Receive one message sent by send_msg; EOFError if the peer closes first."""
    (length,) = struct.unpack("!I", recv_exactly(sock, 4))
    return recv_exactly(sock, length)


def make_listener(host, port):
    """A TCP socket bound to (host, port), listening, with SO_REUSEADDR set."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    return listener


def serve_echo(listener):
    """Serve clients one after another, forever: accept, echo until EOF, close."""
    while True:
        conn, _ = listener.accept()
        with conn:
            try:
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                pass   # a client that resets must not stop the server


def http_get(host, port, path):
    """GET path over HTTP/1.0; returns (status: int, headers: dict, body: bytes)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        reader = SocketReader(sock)
        head = reader.recv_until(b"\r\n\r\n").decode("iso-8859-1")
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = reader.recv_exactly(int(headers["content-length"]))
        else:
            body = reader.recv_to_eof()
    return status, headers, body


def ask(host, port, request):
    """Send request, end it with shutdown(SHUT_WR), return the whole reply (read to EOF)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)
