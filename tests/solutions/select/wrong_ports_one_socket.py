"""Replies to every datagram from the first socket, whatever port the request came to."""

import select


def serve_ports(services):
    sockets = list(services)
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            request, sender = sock.recvfrom(1024)
            sockets[0].sendto(services[sock](request), sender)
