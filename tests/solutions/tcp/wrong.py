"""Wrong solutions, one per classic mistake; each docstring names the mistake.

Names say the exercise first: recv_exactly_*, reader_* (SocketReader classes),
send_msg_* / recv_msg_*, make_listener_* / serve_echo_*, http_get_*, ask_*.
Where a mistake lives in one half of a pair, the other half comes from right_chunks.
"""

import socket
import struct

# -- recv_exactly ------------------------------------------------------------------------


def recv_exactly_one_recv(sock, n):
    """One recv taken as the whole message (recv(n) once)."""
    return sock.recv(n)


def recv_exactly_waits_elsewhere(sock, n):
    """Blocks in accept() on a listener nobody connects to (a server left in), before it ever reads."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.accept()
    return sock.recv(n)


def recv_exactly_short_read_loop(sock, n):
    """A loop that stops at the first short read, taking it for the end of the data."""
    data = b""
    while True:
        chunk = sock.recv(n)
        data += chunk
        if len(chunk) < n:
            return data


def recv_exactly_spins_at_eof(sock, n):
    """Ignores b'': at EOF it calls recv forever."""
    data = b""
    while len(data) < n:
        data += sock.recv(n - len(data))
    return data


def recv_exactly_short_at_eof(sock, n):
    """Notices EOF but returns the short result instead of raising."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_exactly_over_reads(sock, n):
    """Asks for 4096 each time and cuts the result: the bytes after n are lost."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("closed")
        data += chunk
    return data[:n]


def recv_exactly_makefile(sock, n):
    """A buffered makefile() per call: it reads ahead, and what it read ahead is lost."""
    data = sock.makefile("rb").read(n)
    if len(data) < n:
        raise EOFError("closed")
    return data


def recv_exactly_wrong_error(sock, n):
    """Raises ConnectionError instead of the EOFError the exercise asks for."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def recv_exactly_retries_after_eof(sock, n):
    """Takes b'' for a pause: tries recv() a few more times "in case more comes", then raises."""
    data = b""
    tries = 0
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            tries += 1
            if tries > 3:
                raise EOFError("closed")
            continue
        data += chunk
    return data


# -- SocketReader ------------------------------------------------------------------------


class ReaderNoBuffer:
    """Reads 4096 at a time and drops whatever came after the delimiter."""

    def __init__(self, sock):
        self.sock = sock

    def recv_until(self, delimiter):
        data = b""
        while delimiter not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            data += chunk
        return data[:data.index(delimiter) + len(delimiter)]

    def recv_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("closed")
            data += chunk
        return data

    def recv_to_eof(self):
        data = b""
        while chunk := self.sock.recv(4096):
            data += chunk
        return data


class ReaderOneRecv:
    """recv_until returns whatever one recv() brought, delimiter or not."""

    def __init__(self, sock):
        self.sock = sock

    def recv_until(self, delimiter):
        return self.sock.recv(4096)

    def recv_exactly(self, n):
        return self.sock.recv(n)

    def recv_to_eof(self):
        return self.sock.recv(65536)


class ReaderSpinsAtEof:
    """Buffers correctly but ignores b'': recv_until spins forever at EOF."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def recv_until(self, delimiter):
        while delimiter not in self.buf:
            self.buf += self.sock.recv(4096)
        line, _, self.buf = self.buf.partition(delimiter)
        return line + delimiter

    def recv_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_to_eof(self):
        while chunk := self.sock.recv(4096):
            self.buf += chunk
        out, self.buf = self.buf, b""
        return out


class ReaderNewChunkOnly:
    """Looks for the delimiter only in the newest chunk: misses one split across two reads."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def recv_until(self, delimiter):
        if delimiter in self.buf:
            line, _, self.buf = self.buf.partition(delimiter)
            return line + delimiter
        while True:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
            if delimiter in chunk:
                line, _, self.buf = self.buf.partition(delimiter)
                return line + delimiter

    def recv_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_to_eof(self):
        while chunk := self.sock.recv(4096):
            self.buf += chunk
        out, self.buf = self.buf, b""
        return out


class ReaderExactlyIgnoresBuffer(ReaderNewChunkOnly):
    """recv_until keeps leftovers, but recv_exactly reads the socket and skips them."""

    def recv_until(self, delimiter):
        while delimiter not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(delimiter)
        return line + delimiter

    def recv_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("closed")
            data += chunk
        return data


class ReaderShortAtEof(ReaderExactlyIgnoresBuffer):
    """recv_until returns the partial line at EOF instead of raising."""

    def recv_until(self, delimiter):
        while delimiter not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                out, self.buf = self.buf, b""
                return out
            self.buf += chunk
        line, _, self.buf = self.buf.partition(delimiter)
        return line + delimiter

    def recv_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


class ReaderToEofIgnoresBuffer(ReaderShortAtEof):
    """recv_to_eof reads the socket but forgets the bytes already buffered."""

    def recv_until(self, delimiter):
        return ReaderExactlyIgnoresBuffer.recv_until(self, delimiter)

    def recv_to_eof(self):
        data = b""
        while chunk := self.sock.recv(4096):
            data += chunk
        return data


# -- send_msg / recv_msg -----------------------------------------------------------------


def _recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("closed")
        data += chunk
    return data


def send_msg_send_not_sendall(sock, data):
    """send() instead of sendall(), ignoring how many bytes it took."""
    sock.send(struct.pack("!I", len(data)) + data)


def send_msg_little_endian(sock, data):
    """The length in host (little-endian) byte order."""
    sock.sendall(struct.pack("<I", len(data)) + data)


def send_msg_two_byte_prefix(sock, data):
    """A 2-byte length prefix."""
    sock.sendall(len(data).to_bytes(2, "big") + data)


def send_msg_no_prefix(sock, data):
    """No length at all: the receiver cannot tell where the message ends."""
    sock.sendall(data)


def recv_msg_one_recv(sock):
    """Reads the prefix properly, then takes one recv() as the whole body."""
    size = int.from_bytes(_recv_exactly(sock, 4), "big")
    return sock.recv(size) if size else b""


def recv_msg_prefix_one_recv(sock):
    """recv(4) once for the prefix: with one byte at a time the length is garbage."""
    size = int.from_bytes(sock.recv(4), "big")
    return _recv_exactly(sock, size)


def recv_msg_little_endian(sock):
    """Decodes the length little-endian."""
    size = int.from_bytes(_recv_exactly(sock, 4), "little")
    return _recv_exactly(sock, size)


def recv_msg_makefile_per_call(sock):
    """A new buffered makefile() per call: it reads past this message and the next is lost."""
    f = sock.makefile("rb")
    size = int.from_bytes(f.read(4), "big")
    data = f.read(size)
    if len(data) < size:
        raise EOFError("closed")
    return data


def recv_msg_short_at_eof(sock):
    """Returns what it has when the peer closes mid-message."""
    size = int.from_bytes(_recv_exactly(sock, 4), "big")
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def recv_msg_one_recv_each(sock):
    """One recv() for the prefix and one for the body, a short prefix taken for EOF."""
    prefix = sock.recv(4)
    if len(prefix) < 4:
        raise EOFError("closed")
    size = int.from_bytes(prefix, "big")
    return sock.recv(size) if size else b""


def recv_msg_empty_at_eof(sock):
    """Returns b'' when the peer closes before a message: it looks like an empty message."""
    first = sock.recv(1)
    if not first:
        return b""
    size = int.from_bytes(first + _recv_exactly(sock, 3), "big")
    return _recv_exactly(sock, size)


# -- the echo server ---------------------------------------------------------------------


def make_listener_no_reuseaddr(host, port):
    """No SO_REUSEADDR: a quick restart fails with 'Address already in use'."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((host, port))
    s.listen(5)
    return s


def make_listener_no_listen(host, port):
    """Binds but never listens."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    return s


def make_listener_any_address(host, port):
    """Binds every interface (the slide's INADDR_ANY) instead of the host it was given."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(5)
    return s


def serve_echo_no_close(listener):
    """Never closes the accepted socket (the descriptor leaks; the client never sees EOF)."""
    while True:
        conn, _ = listener.accept()
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)


_KEPT = []


def serve_echo_leaks_descriptors(listener):
    """Sends FIN with shutdown() but never closes: one descriptor leaks per client."""
    while True:
        conn, _ = listener.accept()
        _KEPT.append(conn)
        while data := conn.recv(65536):
            conn.sendall(data)
        conn.shutdown(socket.SHUT_RDWR)


def serve_echo_one_client(listener):
    """Serves one client and returns."""
    conn, _ = listener.accept()
    with conn:
        while data := conn.recv(65536):
            conn.sendall(data)


def serve_echo_send_not_sendall(listener):
    """send() instead of sendall(): what send() did not take is lost."""
    while True:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(65536):
                conn.send(data)


def serve_echo_one_recv(listener):
    """Echoes one recv() and closes: a big message is cut."""
    while True:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(conn.recv(65536))


def serve_echo_short_read_loop(listener):
    """Stops echoing when a recv() returns less than it asked for."""
    while True:
        conn, _ = listener.accept()
        with conn:
            while True:
                data = conn.recv(4096)
                conn.sendall(data)
                if len(data) < 4096:
                    break


def serve_echo_spins_at_eof(listener):
    """Tests the accumulated data instead of the chunk for b'': at EOF it spins forever."""
    while True:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while True:
                chunk = conn.recv(65536)
                data += chunk
                if not data:
                    break
            conn.sendall(data)


def serve_echo_after_eof(listener):
    """Collects everything until the client's EOF, then echoes it: an interactive client never gets an answer."""
    while True:
        conn, _ = listener.accept()
        with conn:
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
            conn.sendall(data)


# -- http_get ----------------------------------------------------------------------------


def _request(sock, host, path):
    sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())


def _head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError("closed")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    raw = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        raw[name.strip()] = value.strip()
    return int(lines[0].split()[1]), raw, rest


def http_get_body_one_recv(host, port, path):
    """Reads the head properly, then takes one recv() as the rest of the body."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        status, raw, rest = _head(sock)
        headers = {k.lower(): v for k, v in raw.items()}
        length = int(headers.get("content-length", 0))
        if len(rest) < length:
            rest += sock.recv(length - len(rest))
        return status, headers, rest


def http_get_case_sensitive(host, port, path):
    """Looks up 'Content-Length' with exactly that case; reads to EOF when it does not find it."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        status, raw, body = _head(sock)
        if "Content-Length" in raw:
            length = int(raw["Content-Length"])
            while len(body) < length:
                chunk = sock.recv(4096)
                if not chunk:
                    raise EOFError("closed")
                body += chunk
        else:
            while chunk := sock.recv(4096):
                body += chunk
        return status, {k.lower(): v for k, v in raw.items()}, body


def http_get_headers_keep_case(host, port, path):
    """Returns the header names as the server wrote them."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        status, raw, body = _head(sock)
        while chunk := sock.recv(4096):
            body += chunk
        return status, raw, body


def http_get_head_in_one_chunk(host, port, path):
    """Looks for the blank line in each recv() result alone: a split b'\\r\\n\\r\\n' is missed."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in chunk:
                break
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", -1))
        while length < 0 or len(body) < length:
            chunk = sock.recv(4096)
            if not chunk:
                break
            body += chunk
        return int(lines[0].split()[1]), headers, body


def http_get_urllib(host, port, path):
    """Uses urllib, which the exercise forbids."""
    import urllib.request

    with urllib.request.urlopen(f"http://{host}:{port}{path}") as response:
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def http_get_no_blank_line(host, port, path):
    """Forgets the blank line that ends the request: the server waits for it forever."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\n".encode())
        status, raw, body = _head(sock)
        return status, {k.lower(): v for k, v in raw.items()}, body


def http_get_split_last_blank_line(host, port, path):
    """Reads to EOF and splits head from body at the LAST blank line."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        head, _, body = data.rpartition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split()[1]), headers, body


def http_get_head_one_recv(host, port, path):
    """Takes one recv() for the whole head (recv(100): the server's head is longer, so it is cut)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        head, _, body = sock.recv(100).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        while chunk := sock.recv(4096):
            body += chunk
        return int(lines[0].split()[1]), headers, body


def http_get_no_host(host, port, path):
    """Sends no Host header (the exercise asks for one)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\n\r\n".encode())
        status, raw, body = _head(sock)
        headers = {k.lower(): v for k, v in raw.items()}
        length = int(headers.get("content-length", -1))
        while length < 0 or len(body) < length:
            chunk = sock.recv(4096)
            if not chunk:
                break
            body += chunk
        return status, headers, body


# -- ask (half-close) --------------------------------------------------------------------


def ask_close_not_shutdown(host, port, request):
    """close() instead of shutdown(SHUT_WR): the socket is gone before the reply."""
    sock = socket.create_connection((host, port), timeout=10)
    sock.sendall(request)
    sock.close()
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


def ask_no_shutdown(host, port, request):
    """Never signals the end of the request: both sides wait for each other."""
    with socket.create_connection((host, port)) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        return data


def ask_shut_rdwr(host, port, request):
    """shutdown(SHUT_RDWR): also ends the reading direction, so the reply is never read."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_RDWR)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        return data


def ask_one_recv(host, port, request):
    """Takes one recv() as the whole reply."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        return sock.recv(65536)


def ask_short_read_loop(host, port, request):
    """Stops reading at the first short read instead of at EOF."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            chunk = sock.recv(1024)
            data += chunk
            if len(chunk) < 1024:
                return data


def ask_send_not_sendall(host, port, request):
    """One send() for the request, its result ignored: what it did not take is never sent."""
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.send(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        return data


class ReaderWithoutDelimiter(ReaderExactlyIgnoresBuffer):
    """recv_until leaves the delimiter out of what it returns."""

    def recv_until(self, delimiter):
        return ReaderExactlyIgnoresBuffer.recv_until(self, delimiter)[:-len(delimiter)]

    def recv_exactly(self, n):
        return ReaderShortAtEof.recv_exactly(self, n)


class ReaderToEofRaisesAtEof(ReaderShortAtEof):
    """recv_to_eof raises EOFError when nothing is left, instead of returning b''."""

    def recv_until(self, delimiter):
        return ReaderExactlyIgnoresBuffer.recv_until(self, delimiter)

    def recv_to_eof(self):
        data = self.buf
        while True:
            chunk = self.sock.recv(4096)
            if not chunk:
                if not data:
                    raise EOFError("nothing left")
                self.buf = b""
                return data
            data += chunk


def _get_to_eof(host, port, path):
    """The whole response, read until the server closes (the wrong http_get below parse it)."""
    with socket.create_connection((host, port), timeout=10) as sock:
        _request(sock, host, path)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def http_get_raises_on_404(host, port, path):
    """Raises for a status that is not 2xx, as urllib does: a 404 is an answer, not an error."""
    head, _, body = _get_to_eof(host, port, path).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    if status >= 400:
        raise RuntimeError(f"HTTP error {status}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def http_get_split_every_colon(host, port, path):
    """Splits each header line on every colon and keeps the second piece: a Date's time is cut."""
    head, _, body = _get_to_eof(host, port, path).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        parts = line.split(":")
        headers[parts[0].strip().lower()] = parts[1].strip()
    return int(lines[0].split()[1]), headers, body


def http_get_unpacks_every_colon(host, port, path):
    """`name, value = line.split(":")`: a value with a colon in it (a Date, a URL) has more than two pieces."""
    head, _, body = _get_to_eof(host, port, path).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, value = line.split(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body
