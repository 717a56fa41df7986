"""Independent solution of notebook 04 (TCP), approach 2.

recv of the missing count into a list of chunks; a SocketReader with an immutable bytes
buffer and partition; int.to_bytes and a hand-written send loop (checking send's return
value) for the length prefix; socket.create_server for the listener; http_get through
sock.makefile('rb'); ask with recv_into a growing bytearray.
"""
import socket


def recv_exactly(sock, n):
    """Receive exactly n bytes from sock and return them (bytes).

    Raises EOFError if the peer closes the connection before n bytes have arrived.
    """
    chunks = []
    missing = n
    while missing > 0:
        chunk = sock.recv(min(missing, 1 << 16))
        if not chunk:
            raise EOFError(f"only {n - missing} of {n} bytes arrived before the peer closed")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


class SocketReader:
    """Read from a connected socket up to a delimiter, exactly n bytes, or to the end."""

    def __init__(self, sock):
        self._sock = sock
        self._buf = b""
        self._eof = False

    def _receive(self):
        if self._eof:
            raise EOFError("the peer has closed")
        chunk = self._sock.recv(4096)
        if chunk == b"":
            self._eof = True
            raise EOFError(f"the peer closed; {len(self._buf)} bytes left in the buffer")
        self._buf += chunk

    def recv_until(self, delimiter):
        while delimiter not in self._buf:
            self._receive()
        before, sep, after = self._buf.partition(delimiter)
        self._buf = after
        return before + sep

    def recv_exactly(self, n):
        while len(self._buf) < n:
            self._receive()
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def recv_to_eof(self):
        parts = [self._buf]
        self._buf = b""
        if not self._eof:
            while chunk := self._sock.recv(4096):
                parts.append(chunk)
            self._eof = True
        return b"".join(parts)


def _send_everything(sock, data):
    view = memoryview(data)
    while view:
        sent = sock.send(view)
        view = view[sent:]


def send_msg(sock, data):
    """Send data as one message: its length (4 bytes, big-endian), then the bytes."""
    _send_everything(sock, len(data).to_bytes(4, "big") + bytes(data))


def recv_msg(sock):
    """Receive one message sent by send_msg; EOFError if the peer closes first."""
    length = int.from_bytes(recv_exactly(sock, 4), "big")
    return recv_exactly(sock, length)


def make_listener(host, port):
    """A TCP socket bound to (host, port), listening, with SO_REUSEADDR set."""
    # create_server sets SO_REUSEADDR before bind on POSIX
    return socket.create_server((host, port), family=socket.AF_INET, backlog=16)


def serve_echo(listener):
    """Serve clients one after another, forever: accept, echo until EOF, close."""
    buf = bytearray(1 << 16)
    view = memoryview(buf)
    while True:
        conn, _ = listener.accept()
        try:
            while True:
                count = conn.recv_into(buf)
                if count == 0:
                    break
                conn.sendall(view[:count])
        except OSError:
            pass
        finally:
            conn.close()


def http_get(host, port, path):
    """GET path over HTTP/1.0; returns (status: int, headers: dict, body: bytes)."""
    sock = socket.create_connection((host, port), timeout=10)
    try:
        request = "GET " + path + " HTTP/1.0\r\n" + "Host: " + host + ":" + str(port) + "\r\n\r\n"
        sock.sendall(request.encode("ascii"))
        with sock.makefile("rb") as stream:
            status_line = stream.readline()
            if not status_line.endswith(b"\n"):
                raise EOFError("the server closed before the status line ended")
            status = int(status_line.split(None, 2)[1])
            headers = {}
            while True:
                line = stream.readline()
                if not line.endswith(b"\n"):
                    raise EOFError("the server closed inside the head")
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            if "content-length" in headers:
                length = int(headers["content-length"])
                body = stream.read(length)
                if len(body) != length:
                    raise EOFError(f"body: {len(body)} of {length} bytes")
            else:
                body = stream.read()
    finally:
        sock.close()
    return status, headers, body


def ask(host, port, request):
    """Send request, end it with shutdown(SHUT_WR), return the whole reply (read to EOF)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.settimeout(10)
        sock.connect((host, port))
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        reply = bytearray()
        piece = bytearray(8192)
        while (count := sock.recv_into(piece)) > 0:
            reply += piece[:count]
        return bytes(reply)
    finally:
        sock.close()
