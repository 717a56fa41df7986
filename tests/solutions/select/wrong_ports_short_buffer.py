"""recvfrom(512): longer datagrams are cut, and the rest of each is lost for good."""

import select


def serve_ports(services):
    while True:
        readable, _, _ = select.select(list(services), [], [])
        for sock in readable:
            request, sender = sock.recvfrom(512)
            sock.sendto(services[sock](request), sender)
