"""A correct solution built on file objects: MSG_WAITALL for recv_exactly, a reader over
sock.makefile("rb") (its buffer is the leftover store), makefile("wb") for sending, and
an echo server that reads with read1 from an unbuffered file."""

import socket


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        part = sock.recv(n - len(data), socket.MSG_WAITALL)
        if not part:
            raise EOFError("short read: %d of %d bytes" % (len(data), n))
        data += part
    return data


class SocketReader:
    def __init__(self, sock):
        self.file = sock.makefile("rb")

    def recv_until(self, delimiter):
        line = bytearray()
        while not line.endswith(delimiter):
            byte = self.file.read(1)  # cheap: the file object buffers
            if not byte:
                raise EOFError("no %r before the end of the stream" % delimiter)
            line += byte
        return bytes(line)

    def recv_exactly(self, n):
        data = self.file.read(n)
        if len(data) < n:
            raise EOFError("got %d of %d bytes" % (len(data), n))
        return data

    def recv_to_eof(self):
        return self.file.read()


def send_msg(sock, data):
    with sock.makefile("wb") as out:
        out.write(len(data).to_bytes(4, byteorder="big"))
        out.write(data)


def recv_msg(sock):
    # unbuffered: a buffered file would read past this message and drop the next one
    with sock.makefile("rb", buffering=0) as raw:
        def exactly(n):
            buf = bytearray(n)
            view, got = memoryview(buf), 0
            while got < n:
                count = raw.readinto(view[got:])
                if not count:
                    raise EOFError("closed mid-message")
                got += count
            return bytes(buf)

        return exactly(int.from_bytes(exactly(4), "big"))


def make_listener(host, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, True)
    s.bind((host, port))
    s.listen()
    return s


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        with conn, conn.makefile("rb", buffering=0) as raw:
            while chunk := raw.read(32768):
                conn.sendall(chunk)


def http_get(host, port, path):
    with socket.create_connection((host, port), timeout=10) as sock, sock.makefile("rb") as f:
        sock.sendall(b"GET %s HTTP/1.0\r\nUser-Agent: right_makefile\r\nhost: %s\r\n\r\n"
                     % (path.encode(), host.encode()))
        status = int(f.readline().split()[1])
        headers = {}
        while (line := f.readline()) not in (b"\r\n", b"\n", b""):
            name, value = line.decode("latin-1").split(":", 1)
            headers[name.strip().casefold()] = value.strip()
        if "content-length" in headers:
            size = int(headers["content-length"])
            body = f.read(size)
            if len(body) < size:
                raise EOFError("body cut short")
        else:
            body = f.read()
        return status, headers, body


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        with sock.makefile("wb") as out:
            out.write(request)
        sock.shutdown(socket.SHUT_WR)
        with sock.makefile("rb") as f:
            return f.read()
