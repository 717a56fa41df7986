"""Reads an empty datagram as "the client closed", as recv() on TCP: it never answers one, and
drops the socket from its select() list."""

import select


def serve_ports(services):
    watched = set(services)
    while True:
        readable, _, _ = select.select(list(watched), [], [])
        for sock in readable:
            request, sender = sock.recvfrom(2048)
            if request == b"":
                watched.discard(sock)
            else:
                sock.sendto(services[sock](request), sender)
