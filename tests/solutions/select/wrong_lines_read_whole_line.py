"""Once select() says a client is readable, reads until the whole line is there: blocks on a half line."""

import select


def serve_lines(listener):
    clients = []
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                clients.append(listener.accept()[0])
                continue
            line = b""
            try:
                while not line.endswith(b"\n"):
                    data = sock.recv(1)
                    if not data:
                        break
                    line += data
            except ConnectionResetError:
                data = b""
            if line.endswith(b"\n"):
                sock.sendall(line)
            else:
                clients.remove(sock)
                sock.close()
