"""Mistake (exercise 1): TCP habits on UDP: an empty datagram (b'') is taken for "the peer
closed", and the socket is dropped from the select list, so its port goes silent."""
import select


def serve_ports(services):
    sockets = list(services)
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            data, sender = sock.recvfrom(1024)
            if not data:
                sockets.remove(sock)
                continue
            sock.sendto(services[sock](data), sender)
