"""Treats one recv() as one line: sends back whatever arrived, half lines included."""

import select


def serve_lines(listener):
    clients = []
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                clients.append(listener.accept()[0])
                continue
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            try:
                if data:
                    sock.sendall(data)
                    continue
            except OSError:
                pass
            clients.remove(sock)
            sock.close()
