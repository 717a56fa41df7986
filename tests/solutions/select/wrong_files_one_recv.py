"""Takes the first recv() of a client as its whole request."""

import select


def serve_files(listener, folder):
    clients = []
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                clients.append(listener.accept()[0])
                continue
            clients.remove(sock)
            try:
                request = sock.recv(4096)
                if request:
                    sock.sendall(http_response(request, folder))
            except OSError:
                pass
            sock.close()
