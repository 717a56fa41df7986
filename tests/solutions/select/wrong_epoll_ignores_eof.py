"""The epoll web server that never handles recv() returning b'': a client that closes before its request
is complete stays registered for EVENT_READ, so every select() returns at once (the server spins)."""

import selectors


def serve_files_epoll(listener, folder):
    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    while True:
        for key, events in selector.select():
            sock = key.fileobj
            if sock is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ, [b"", b""])
                continue
            state = key.data
            try:
                if events & selectors.EVENT_READ:
                    state[0] += sock.recv(4096)
                    if b"\r\n\r\n" in state[0]:
                        state[1] = http_response(state[0], folder)
                        selector.modify(sock, selectors.EVENT_WRITE, state)
                    continue
                state[1] = state[1][sock.send(state[1]):]
                if state[1]:
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            selector.unregister(sock)
            sock.close()
