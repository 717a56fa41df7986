"""Independent solution of notebook 06 (select), approach 2.

Non-blocking sockets drained until BlockingIOError; state kept by file descriptor number
in bytearrays; bytearray.rfind for the last newline; os.path.realpath/commonpath and a
hand-made phrase table for the HTTP answer; a client object with a memoryview cursor for
the select web server; callbacks in key.data for the selectors server.
"""
import os
import select
import selectors
import socket

# ---------------------------------------------------------------- exercise 1


def serve_ports(services):
    """Answer the datagrams that arrive on any socket of services, for ever, with select()."""
    for sock in services:
        sock.setblocking(False)
    watched = list(services)
    while True:
        ready, _, _ = select.select(watched, [], [], 5.0)
        for sock in ready:
            while True:                       # take every datagram waiting on this socket
                try:
                    request, client = sock.recvfrom(65535)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break
                reply = services[sock](request)
                try:
                    sock.sendto(reply, client)
                except OSError:
                    pass


# ---------------------------------------------------------------- exercise 2
def serve_lines(listener):
    """Echo every complete line to the client that sent it, for many clients at once, for ever."""
    clients = {}        # fd -> socket
    pending = {}        # fd -> bytearray of bytes after the last newline
    while True:
        ready, _, _ = select.select([listener.fileno(), *clients], [], [])
        for fd in ready:
            if fd == listener.fileno():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                clients[conn.fileno()] = conn
                pending[conn.fileno()] = bytearray()
                continue
            conn = clients[fd]
            try:
                chunk = conn.recv(65536)
            except ConnectionError:
                chunk = b""
            if chunk:
                buf = pending[fd]
                buf += chunk
                cut = buf.rfind(b"\n")
                if cut < 0:
                    continue
                complete = bytes(buf[:cut + 1])
                del buf[:cut + 1]
                try:
                    conn.sendall(complete)
                    continue
                except OSError:
                    pass
            del clients[fd], pending[fd]
            conn.close()


# ---------------------------------------------------------------- exercise 3
_PHRASES = {200: "OK", 400: "Bad Request", 404: "Not Found", 501: "Not Implemented"}


def _answer(code, body, send_body):
    head = "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (
        code, _PHRASES[code], "application/octet-stream" if code == 200 else "text/plain", len(body))
    return head.encode("latin-1") + (body if send_body else b"")


def http_response(request, folder):
    """The whole HTTP/1.0 response (head and body, as bytes) to the request head `request`."""
    line = request.partition(b"\r\n")[0].decode("latin-1")
    parts = line.split()
    if len(parts) != 3:
        return _answer(400, b"<h1>400 Bad Request</h1>\n", True)
    method, target, _ = parts
    if method != "GET" and method != "HEAD":
        return _answer(501, b"<h1>501 Not Implemented</h1>\n", True)
    send_body = method == "GET"
    base = os.path.realpath(folder)
    name = target.encode("latin-1").decode("utf-8", "replace").lstrip("/")
    full = os.path.realpath(os.path.join(base, name))
    inside = os.path.commonpath([base, full]) == base
    if inside and os.path.isfile(full):
        try:
            with open(full, "rb") as f:
                return _answer(200, f.read(), send_body)
        except OSError:
            pass
    return _answer(404, b"<h1>404 Not Found</h1>\n", send_body)


# ---------------------------------------------------------------- exercise 4
class _Client:
    def __init__(self, sock):
        self.sock = sock
        self.received = bytearray()
        self.out = None            # memoryview of the response once it is known
        self.sent = 0


def serve_files(listener, folder):
    """Serve the files in folder over HTTP/1.0 to many clients at once, for ever, with select()."""
    listener.setblocking(False)
    clients = []
    while True:
        reading = [c.sock for c in clients if c.out is None]
        writing = [c.sock for c in clients if c.out is not None]
        ready_r, ready_w, _ = select.select([listener] + reading, writing, [], 1.0)
        by_sock = {c.sock: c for c in clients}
        done = []
        if listener in ready_r:
            for _ in range(64):                        # accept all waiting clients
                try:
                    sock, _ = listener.accept()
                except OSError:
                    break
                sock.setblocking(False)
                clients.append(_Client(sock))
        for sock in ready_r:
            if sock is listener:
                continue
            client = by_sock[sock]
            try:
                data = sock.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                done.append(client)
                continue
            if not data:
                done.append(client)
                continue
            client.received += data
            end = client.received.find(b"\r\n\r\n")
            if end != -1:
                client.out = memoryview(http_response(bytes(client.received[:end + 4]), folder))
        for sock in ready_w:
            client = by_sock[sock]
            try:
                client.sent += sock.send(client.out[client.sent:])
            except BlockingIOError:
                continue
            except OSError:
                done.append(client)
                continue
            if client.sent == len(client.out):
                done.append(client)
        for client in done:
            if client in clients:
                clients.remove(client)
                client.sock.close()


# ---------------------------------------------------------------- exercise 5
class Connection:
    """One client of serve_files_epoll: what it has sent, and what is left to send it."""

    def __init__(self, sock):
        self.sock = sock
        self.request = b""
        self.reply = b""


def serve_files_epoll(listener, folder):
    """The web server of serve_files on selectors.DefaultSelector() (epoll on Linux)."""
    sel = selectors.DefaultSelector()

    def drop(sock):
        sel.unregister(sock)
        sock.close()

    def on_write(sock, state):
        try:
            n = sock.send(state.reply)
        except BlockingIOError:
            return
        except OSError:
            drop(sock)
            return
        state.reply = state.reply[n:]
        if not state.reply:
            drop(sock)

    def on_read(sock, state):
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            drop(sock)
            return
        state.request += data
        if b"\r\n\r\n" in state.request:
            head = state.request[:state.request.index(b"\r\n\r\n") + 4]
            state.reply = http_response(head, folder)
            sel.modify(sock, selectors.EVENT_WRITE, (on_write, state))

    def on_accept(sock, _state):
        try:
            conn, _ = sock.accept()
        except OSError:
            return
        conn.setblocking(False)
        sel.register(conn, selectors.EVENT_READ, (on_read, Connection(conn)))

    listener.setblocking(False)
    sel.register(listener, selectors.EVENT_READ, (on_accept, None))
    while True:
        for key, _mask in sel.select(timeout=1.0):
            handler, state = key.data
            handler(key.fileobj, state)
