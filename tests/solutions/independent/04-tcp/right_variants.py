"""Independent solution of notebook 04 (TCP), approach 3: legitimate but less common choices.

recv_exactly with a bytes accumulator and recv(n - len(data)); a SocketReader over a list
of pieces; send_msg with a single sendall of header + data (memoryview join); a listener
with listen(1) (a backlog of one is enough for an iterative server) bound via
getaddrinfo; http_get that sends its request in several pieces with extra headers and
parses the head by hand; ask via sock.makefile('rb').read().
"""
import socket


def recv_exactly(sock, n):
    """Receive exactly n bytes from sock and return them (bytes)."""
    data = b""
    while len(data) < n:
        piece = sock.recv(n - len(data))
        if piece == b"":
            raise EOFError("connection closed: %d of %d bytes received" % (len(data), n))
        data += piece
    return data


class SocketReader:
    """Read from a connected socket up to a delimiter, exactly n bytes, or to the end."""

    def __init__(self, sock):
        self.sock = sock
        self.pieces = []          # received, not yet returned
        self.size = 0

    def _receive(self):
        piece = self.sock.recv(8192)
        if not piece:
            raise EOFError("peer closed with %d bytes buffered" % self.size)
        self.pieces.append(piece)
        self.size += len(piece)

    def _take(self, n):
        joined = b"".join(self.pieces)
        head, rest = joined[:n], joined[n:]
        self.pieces = [rest] if rest else []
        self.size = len(rest)
        return head

    def recv_until(self, delimiter):
        while True:
            joined = b"".join(self.pieces)
            self.pieces = [joined] if joined else []
            at = joined.find(delimiter)
            if at != -1:
                return self._take(at + len(delimiter))
            self._receive()

    def recv_exactly(self, n):
        while self.size < n:
            self._receive()
        return self._take(n)

    def recv_to_eof(self):
        while True:
            try:
                self._receive()
            except EOFError:
                return self._take(self.size)


def send_msg(sock, data):
    """Send data as one message: its length (4 bytes, big-endian), then the bytes."""
    sock.sendall(b"".join([len(data).to_bytes(4, "big"), memoryview(data)]))


def recv_msg(sock):
    """Receive one message sent by send_msg; EOFError if the peer closes first."""
    return recv_exactly(sock, int.from_bytes(recv_exactly(sock, 4), "big"))


def make_listener(host, port):
    """A TCP socket bound to (host, port), listening, with SO_REUSEADDR set."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    listener.bind(address)
    listener.listen(1)
    return listener


def serve_echo(listener):
    """Serve clients one after another, forever: accept, echo until EOF, close."""
    while True:
        conn, _addr = listener.accept()
        try:
            while True:
                data = conn.recv(1024)
                if data == b"":
                    break
                conn.sendall(data)
        except ConnectionError:
            pass
        conn.close()


def http_get(host, port, path):
    """GET path over HTTP/1.0; returns (status: int, headers: dict, body: bytes)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.0\r\n")
        sock.sendall(b"Host: " + host.encode() + b"\r\n")
        sock.sendall(b"User-Agent: independent-test/1.0\r\nAccept: */*\r\nConnection: close\r\n")
        sock.sendall(b"\r\n")
        reader = SocketReader(sock)
        status_line = reader.recv_until(b"\r\n")
        version, code, *_reason = status_line.decode("latin-1").split(" ", 2)
        headers = {}
        while (line := reader.recv_until(b"\r\n")) != b"\r\n":
            name, value = line.decode("latin-1").split(":", 1)
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length")
        body = reader.recv_exactly(int(length)) if length is not None else reader.recv_to_eof()
    return int(code), headers, body


def ask(host, port, request):
    """Send request, end it with shutdown(SHUT_WR), return the whole reply (read to EOF)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        with sock.makefile("rb") as stream:
            return stream.read()
