"""A correct solution with select.select and dicts keyed by socket, a second with select.poll,
and select.epoll used directly with a map from descriptor numbers to sockets."""

import errno
import select
from pathlib import Path


def serve_ports(services):
    poller = select.poll()
    by_fd = {}
    for sock in services:
        poller.register(sock, select.POLLIN)
        by_fd[sock.fileno()] = sock
    while True:
        for fd, _ in poller.poll():
            sock = by_fd[fd]
            data, peer = sock.recvfrom(2048)
            sock.sendto(services[sock](data), peer)


def serve_lines(listener):
    listener.setblocking(False)
    pending = {}  # socket -> bytearray of its unfinished line
    outgoing = {}  # socket -> bytearray waiting to be sent
    while True:
        readable, writable, _ = select.select([listener, *pending], [s for s in outgoing if outgoing[s]], [], None)
        gone = set()
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                pending[conn], outgoing[conn] = bytearray(), bytearray()
                continue
            try:
                chunk = sock.recv(1024)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                gone.add(sock)
                continue
            *lines, rest = (pending[sock] + chunk).split(b"\n")
            pending[sock] = bytearray(rest)
            outgoing[sock] += b"".join(line + b"\n" for line in lines)
        for sock in writable:
            if sock in gone:
                continue
            try:
                del outgoing[sock][:sock.send(outgoing[sock])]
            except BlockingIOError:
                pass
            except OSError:
                gone.add(sock)
        for sock in gone:
            del pending[sock], outgoing[sock]
            sock.close()


STATUS_LINES = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found", 501: "501 Not Implemented"}


def http_response(request, folder):
    words = request.decode("latin-1").split("\n", 1)[0].split()
    status, body = 404, b"<h1>404 Not Found</h1>\n"
    if len(words) != 3:
        status, body = 400, b"<h1>400 Bad Request</h1>\n"
    elif words[0] not in ("GET", "HEAD"):
        status, body = 501, b"<h1>501 Not Implemented</h1>\n"
    else:
        base = Path(folder).resolve()
        wanted = base.joinpath(words[1].split("?")[0].lstrip("/")).resolve()
        if base in wanted.parents and wanted.is_file():
            status, body = 200, wanted.read_bytes()
    lines = [f"HTTP/1.0 {STATUS_LINES[status]}", "Content-Type: application/octet-stream",
             f"Content-Length: {len(body)}", "", ""]
    head = "\r\n".join(lines).encode("ascii")
    return head if words[:1] == ["HEAD"] else head + body


def serve_files(listener, folder):
    listener.setblocking(False)
    poller = select.poll()
    poller.register(listener, select.POLLIN)
    socks, requests, replies = {}, {}, {}

    def close(fd):
        poller.unregister(fd)
        socks.pop(fd).close()
        requests.pop(fd, None)
        replies.pop(fd, None)

    while True:
        for fd, events in poller.poll():
            if fd == listener.fileno():
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                socks[conn.fileno()] = conn
                requests[conn.fileno()] = b""
                poller.register(conn, select.POLLIN)
                continue
            sock = socks[fd]
            try:
                if fd in requests:
                    data = sock.recv(2048)
                    if not data:
                        close(fd)
                        continue
                    requests[fd] += data
                    if b"\r\n\r\n" in requests[fd]:
                        replies[fd] = memoryview(http_response(requests.pop(fd), folder))
                        poller.modify(fd, select.POLLOUT)
                else:
                    replies[fd] = replies[fd][sock.send(replies[fd]):]
                    if not len(replies[fd]):
                        close(fd)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
                    close(fd)


def serve_files_epoll(listener, folder):
    listener.setblocking(False)
    epoll = select.epoll()
    epoll.register(listener.fileno(), select.EPOLLIN)
    conns, inbox, outbox = {}, {}, {}

    def forget(fd):
        epoll.unregister(fd)
        conns.pop(fd).close()
        inbox.pop(fd, None)
        outbox.pop(fd, None)

    while True:
        for fd, events in epoll.poll():
            if fd == listener.fileno():
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                conns[conn.fileno()], inbox[conn.fileno()] = conn, b""
                epoll.register(conn.fileno(), select.EPOLLIN)
                continue
            try:
                if fd in inbox:
                    data = conns[fd].recv(4096)
                    if not data:
                        forget(fd)
                        continue
                    inbox[fd] += data
                    if b"\r\n\r\n" in inbox[fd]:
                        outbox[fd] = http_response(inbox.pop(fd), folder)
                        epoll.modify(fd, select.EPOLLOUT)
                elif fd in outbox:
                    outbox[fd] = outbox[fd][conns[fd].send(outbox[fd]):]
                    if not outbox[fd]:
                        forget(fd)
            except BlockingIOError:
                pass
            except OSError:
                forget(fd)
