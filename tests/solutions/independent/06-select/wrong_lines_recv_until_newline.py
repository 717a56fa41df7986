"""Mistake (exercise 2): once select() says a client is readable, the server calls recv on
it again and again until a newline arrives, so one client that sent half a line blocks
every other client."""
import select


def serve_lines(listener):
    clients = []
    while True:
        readable, _, _ = select.select([listener, *clients], [], [])
        for sock in readable:
            if sock is listener:
                conn, _ = listener.accept()
                clients.append(conn)
                continue
            try:
                data = sock.recv(4096)
                while data and not data.endswith(b"\n"):
                    more = sock.recv(4096)
                    if not more:
                        break
                    data += more
            except ConnectionResetError:
                data = b""
            if not data:
                clients.remove(sock)
                sock.close()
                continue
            sock.sendall(data)
