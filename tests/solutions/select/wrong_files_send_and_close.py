"""Non-blocking sockets, then one send() of the response and close(): what did not fit in the
send buffer is lost, so a slow client gets a big file cut short."""

import select


def serve_files(listener, folder):
    listener.setblocking(False)
    buffers = {}
    while True:
        readable, _, _ = select.select([listener, *buffers], [], [])
        for sock in readable:
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                buffers[conn] = b""
                continue
            try:
                data = sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            buffers[sock] += data
            if data and b"\r\n\r\n" not in buffers[sock]:
                continue
            request = buffers.pop(sock)
            if data:
                try:
                    sock.send(http_response(request, folder))
                except OSError:
                    pass
            sock.close()
