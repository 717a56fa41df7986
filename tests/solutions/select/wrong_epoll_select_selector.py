"""selectors, but SelectSelector: the same select() underneath, with the same 1024 limit."""

import selectors


def serve_files_epoll(listener, folder):
    listener.setblocking(False)
    selector = selectors.SelectSelector()
    selector.register(listener, selectors.EVENT_READ)
    while True:
        for key, events in selector.select():
            if key.fileobj is listener:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    continue
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ, {"in": b"", "out": b""})
                continue
            sock, state = key.fileobj, key.data
            try:
                if events & selectors.EVENT_READ:
                    data = sock.recv(4096)
                    if not data:
                        selector.unregister(sock)
                        sock.close()
                        continue
                    state["in"] += data
                    if b"\r\n\r\n" in state["in"]:
                        state["out"] = http_response(state["in"], folder)
                        selector.modify(sock, selectors.EVENT_WRITE, state)
                else:
                    state["out"] = state["out"][sock.send(state["out"]):]
                    if not state["out"]:
                        selector.unregister(sock)
                        sock.close()
            except BlockingIOError:
                pass
            except OSError:
                selector.unregister(sock)
                sock.close()
