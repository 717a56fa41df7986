"""Remembers the first client it hears from and sends every reply there, whoever asked."""

import select


def serve_ports(services):
    sockets = list(services)
    first = None
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            request, sender = sock.recvfrom(1024)
            first = first or sender
            sock.sendto(services[sock](request), first)
