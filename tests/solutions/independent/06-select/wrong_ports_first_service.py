"""Mistake (exercise 1): the service is not looked up by the socket the datagram arrived on:
the handler of the first port answers every port."""
import select


def serve_ports(services):
    sockets = list(services)
    handler = next(iter(services.values()))
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            data, sender = sock.recvfrom(2048)
            sock.sendto(handler(data), sender)
