"""Mistake (exercise 1): every reply is sent from the first socket, not from the socket the
request came in on, so the client sees it come from the wrong port."""
import select


def serve_ports(services):
    sockets = list(services)
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            data, sender = sock.recvfrom(1024)
            sockets[0].sendto(services[sock](data), sender)
