"""Independent solution of notebook 06 (select), exercises 1 and 2 on
selectors.SelectSelector: the selectors interface, but select() underneath (one select()
loop, as the exercises ask); exercises 3-5 as in a third variation (HTTPStatus, a bytes
buffer per client with a select() loop that accepts once per round)."""
import select
import selectors
import socket
from http import HTTPStatus
from pathlib import Path


def serve_ports(services):
    """Answer the datagrams that arrive on any socket of services, for ever, with select()."""
    sel = selectors.SelectSelector()
    for sock, handler in services.items():
        sel.register(sock, selectors.EVENT_READ, handler)
    while True:
        for key, _ in sel.select():
            try:
                data, sender = key.fileobj.recvfrom(1024)
            except OSError:
                continue
            key.fileobj.sendto(key.data(data), sender)


def serve_lines(listener):
    """Echo every complete line to the client that sent it, for many clients at once, for ever."""
    sel = selectors.SelectSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                sel.register(conn, selectors.EVENT_READ, {"buf": b""})
                continue
            conn, state = key.fileobj, key.data
            try:
                data = conn.recv(4096)
            except ConnectionResetError:
                data = b""
            if data:
                state["buf"] += data
                if b"\n" in state["buf"]:
                    lines, sep, rest = state["buf"].rpartition(b"\n")
                    state["buf"] = rest
                    try:
                        conn.sendall(lines + sep)
                        continue
                    except OSError:
                        pass
                else:
                    continue
            sel.unregister(conn)
            conn.close()


def http_response(request, folder):
    """The whole HTTP/1.0 response (head and body, as bytes) to the request head `request`."""
    def reply(status, body, with_body=True):
        s = HTTPStatus(status)
        head = b"HTTP/1.0 %d %s\r\nContent-Length: %d\r\n\r\n" % (s.value, s.phrase.encode(), len(body))
        return head + body if with_body else head

    words = request.split(b"\r\n")[0].split(b" ")
    if len(words) != 3 or not all(words):
        return reply(400, b"bad request\n")
    method, path, version = words
    if method not in {b"GET", b"HEAD"}:
        return reply(501, b"not implemented\n")
    root = Path(folder).resolve()
    wanted = (root / path.decode("utf-8", "replace").lstrip("/")).resolve()
    if root in wanted.parents and wanted.is_file():
        return reply(200, wanted.read_bytes(), method == b"GET")
    return reply(404, b"not found\n", method == b"GET")


def serve_files(listener, folder):
    """Serve the files in folder over HTTP/1.0 to many clients at once, for ever, with select()."""
    listener.setblocking(False)
    inbox, outbox = {}, {}
    while True:
        r, w, _ = select.select([listener, *inbox], [*outbox], [])
        for s in r:
            if s is listener:
                try:
                    c, _ = s.accept()
                    c.setblocking(False)
                    inbox[c] = b""
                except OSError:
                    pass
                continue
            try:
                data = s.recv(8192)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                del inbox[s]
                s.close()
                continue
            inbox[s] += data
            if b"\r\n\r\n" in inbox[s]:
                head = inbox.pop(s).split(b"\r\n\r\n")[0] + b"\r\n\r\n"
                outbox[s] = memoryview(http_response(head, folder))
        for s in w:
            try:
                n = s.send(outbox[s])
            except BlockingIOError:
                continue
            except OSError:
                n = -1
            if n < 0 or n == len(outbox[s]):
                del outbox[s]
                s.close()
            else:
                outbox[s] = outbox[s][n:]


class Connection:
    """One client of serve_files_epoll: what it has sent, and what is left to send it."""

    def __init__(self, sock):
        self.sock = sock
        self.request = b""
        self.reply = b""


def serve_files_epoll(listener, folder):
    """The web server of serve_files on selectors.DefaultSelector() (epoll on Linux)."""
    with selectors.DefaultSelector() as sel:
        listener.setblocking(False)
        sel.register(listener, selectors.EVENT_READ)
        while True:
            for key, mask in sel.select():
                if key.fileobj is listener:
                    try:
                        sock, _ = listener.accept()
                    except OSError:
                        continue
                    sock.setblocking(False)
                    sel.register(sock, selectors.EVENT_READ, Connection(sock))
                    continue
                conn = key.data
                try:
                    if mask & selectors.EVENT_READ:
                        data = conn.sock.recv(8192)
                        if not data:
                            raise ConnectionResetError
                        conn.request += data
                        if b"\r\n\r\n" in conn.request:
                            conn.reply = http_response(conn.request.split(b"\r\n\r\n")[0] + b"\r\n\r\n", folder)
                            sel.modify(conn.sock, selectors.EVENT_WRITE, conn)
                        continue
                    conn.reply = conn.reply[conn.sock.send(conn.reply):]
                    if conn.reply:
                        continue
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                sel.unregister(conn.sock)
                conn.sock.close()
