"""A correct solution on selectors.DefaultSelector throughout, with a small object per client,
bytearray buffers, a line loop with find(), and non-blocking writes with an output buffer."""

import os
import selectors

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}


def serve_ports(services):
    selector = selectors.DefaultSelector()
    for sock, service in services.items():
        selector.register(sock, selectors.EVENT_READ, service)
    while True:
        for key, _ in selector.select():
            request, sender = key.fileobj.recvfrom(65535)
            key.fileobj.sendto(key.data(request), sender)


class Client:
    """One connection: bytes received but not yet a whole line, and bytes waiting to go out."""

    def __init__(self, sock):
        self.sock = sock
        self.inbox = bytearray()
        self.outbox = bytearray()

    def take_lines(self):
        while (end := self.inbox.find(b"\n")) >= 0:
            self.outbox += self.inbox[:end + 1]
            del self.inbox[:end + 1]


def serve_lines(listener):
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)

    def drop(client):
        selector.unregister(client.sock)
        client.sock.close()

    while True:
        for key, events in selector.select():
            if key.fileobj is listener:
                sock, _ = listener.accept()
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, Client(sock))
                continue
            client = key.data
            try:
                if events & selectors.EVENT_READ:
                    data = client.sock.recv(65536)
                    if not data:
                        drop(client)
                        continue
                    client.inbox += data
                    client.take_lines()
                if client.outbox:
                    sent = client.sock.send(client.outbox)
                    del client.outbox[:sent]
            except BlockingIOError:
                pass
            except OSError:
                drop(client)
                continue
            wanted = selectors.EVENT_READ | (selectors.EVENT_WRITE if client.outbox else 0)
            if wanted != key.events:
                selector.modify(client.sock, wanted, client)


def http_response(request, folder):
    line = request.partition(b"\n")[0].rstrip(b"\r")
    method, _, rest = line.partition(b" ")
    target, _, version = rest.partition(b" ")
    body = None
    if not (method and target and version.startswith(b"HTTP/")):
        status = 400
    elif method not in (b"GET", b"HEAD"):
        status = 405
    else:
        root = os.path.realpath(folder)
        path = os.path.realpath(os.path.join(root, target.decode("latin-1").lstrip("/")))
        if os.path.commonpath([root, path]) == root and os.path.isfile(path):
            status = 200
            with open(path, "rb") as file:
                body = file.read()
        else:
            status = 404
    if body is None:
        body = REASONS[status].encode() + b"\n"
    head = b"HTTP/1.0 %d %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
        status, REASONS[status].encode(), len(body))
    return head if method == b"HEAD" else head + body


class Exchange:
    """One HTTP connection: reading the request, then writing the response."""

    def __init__(self, sock):
        self.sock = sock
        self.request = bytearray()
        self.response = None
        self.offset = 0


def serve_files(listener, folder):
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)

    def end(exchange):
        selector.unregister(exchange.sock)
        exchange.sock.close()

    while True:
        for key, _ in selector.select():
            if key.fileobj is listener:
                try:
                    sock, _ = listener.accept()
                except BlockingIOError:
                    continue
                sock.setblocking(False)
                selector.register(sock, selectors.EVENT_READ, Exchange(sock))
                continue
            exchange = key.data
            try:
                if exchange.response is None:
                    data = exchange.sock.recv(8192)
                    if not data:
                        end(exchange)
                        continue
                    exchange.request += data
                    if b"\r\n\r\n" in exchange.request:
                        exchange.response = memoryview(http_response(bytes(exchange.request), folder))
                        selector.modify(exchange.sock, selectors.EVENT_WRITE, exchange)
                else:
                    exchange.offset += exchange.sock.send(exchange.response[exchange.offset:])
                    if exchange.offset == len(exchange.response):
                        end(exchange)
            except BlockingIOError:
                pass
            except OSError:
                end(exchange)


serve_files_epoll = serve_files  # already on selectors.DefaultSelector (epoll on Linux)
