"""Independent solution of notebook 06 (select), approach 1.

Plain select.select over lists; dicts of per-client buffers keyed by socket; bytes.split
for lines; pathlib + HTTPStatus for the HTTP answer; a select web server with a write list;
the selectors server with a Connection object in key.data.
"""
import select
import selectors
import socket
from http import HTTPStatus
from pathlib import Path


# ---------------------------------------------------------------- exercise 1
def serve_ports(services):
    """Answer the datagrams that arrive on any socket of services, for ever, with select()."""
    sockets = list(services)
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            try:
                data, sender = sock.recvfrom(2048)
            except OSError:
                continue
            try:
                sock.sendto(services[sock](data), sender)
            except OSError:
                pass


# ---------------------------------------------------------------- exercise 2
def serve_lines(listener):
    """Echo every complete line to the client that sent it, for many clients at once, for ever."""
    buffers = {}
    while True:
        readable, _, _ = select.select([listener, *buffers], [], [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                buffers[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except OSError:                 # ConnectionResetError and friends
                data = b""
            if not data:
                del buffers[sock]
                sock.close()
                continue
            *lines, rest = (buffers[sock] + data).split(b"\n")
            buffers[sock] = rest
            if lines:
                try:
                    sock.sendall(b"".join(line + b"\n" for line in lines))
                except OSError:
                    del buffers[sock]
                    sock.close()


# ---------------------------------------------------------------- exercise 3
def _response(status, body=b"", head_only=False, length=None):
    phrase = HTTPStatus(status).phrase
    head = (f"HTTP/1.0 {status} {phrase}\r\n"
            f"Content-Length: {len(body) if length is None else length}\r\n"
            "Connection: close\r\n\r\n").encode("ascii")
    return head if head_only else head + body


def http_response(request, folder):
    """The whole HTTP/1.0 response (head and body, as bytes) to the request head `request`."""
    first_line = request.split(b"\r\n", 1)[0]
    words = first_line.split()
    if len(words) != 3:
        return _response(400, b"Bad Request\n")
    method, target, _version = words
    if method not in (b"GET", b"HEAD"):
        return _response(501, b"Not Implemented\n")
    head_only = method == b"HEAD"
    root = Path(folder).resolve()
    path = target.decode("utf-8", "surrogateescape").split("?", 1)[0]
    candidate = root.joinpath(path.lstrip("/")).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return _response(404, b"Not Found\n", head_only)
    try:
        body = candidate.read_bytes()
    except OSError:
        return _response(404, b"Not Found\n", head_only)
    return _response(200, body, head_only)


# ---------------------------------------------------------------- exercise 4
def serve_files(listener, folder):
    """Serve the files in folder over HTTP/1.0 to many clients at once, for ever, with select()."""
    listener.setblocking(False)
    requests = {}      # socket -> bytes received so far (reading)
    replies = {}       # socket -> bytes still to send (writing)

    def forget(sock):
        requests.pop(sock, None)
        replies.pop(sock, None)
        sock.close()

    while True:
        readable, writable, _ = select.select([listener, *requests], list(replies), [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                    continue
                except OSError:
                    continue
                conn.setblocking(False)
                requests[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                forget(sock)
                continue
            if not data:
                forget(sock)
                continue
            requests[sock] += data
            end = requests[sock].find(b"\r\n\r\n")
            if end >= 0:
                head = requests.pop(sock)[:end + 4]
                replies[sock] = http_response(head, folder)
        for sock in writable:
            if sock not in replies:
                continue
            try:
                sent = sock.send(replies[sock])
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                forget(sock)
                continue
            replies[sock] = replies[sock][sent:]
            if not replies[sock]:
                forget(sock)


# ---------------------------------------------------------------- exercise 5
class Connection:
    """One client of serve_files_epoll: what it has sent, and what is left to send it."""

    def __init__(self, sock):
        self.sock = sock
        self.request = b""
        self.reply = b""


def serve_files_epoll(listener, folder):
    """The web server of serve_files on selectors.DefaultSelector() (epoll on Linux)."""
    selector = selectors.DefaultSelector()
    listener.setblocking(False)
    selector.register(listener, selectors.EVENT_READ, None)

    def close(conn):
        selector.unregister(conn.sock)
        conn.sock.close()

    while True:
        for key, events in selector.select():
            if key.data is None:
                try:
                    sock, _ = listener.accept()
                except OSError:
                    continue
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, Connection(sock))
                continue
            conn = key.data
            if events & selectors.EVENT_READ:
                try:
                    data = conn.sock.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    close(conn)
                    continue
                if not data:
                    close(conn)
                    continue
                conn.request += data
                end = conn.request.find(b"\r\n\r\n")
                if end >= 0:
                    conn.reply = http_response(conn.request[:end + 4], folder)
                    selector.modify(conn.sock, selectors.EVENT_WRITE, conn)
            elif events & selectors.EVENT_WRITE:
                try:
                    sent = conn.sock.send(conn.reply)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    close(conn)
                    continue
                conn.reply = conn.reply[sent:]
                if not conn.reply:
                    close(conn)
