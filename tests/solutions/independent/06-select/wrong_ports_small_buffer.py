"""Mistake (exercise 1): recvfrom(512): a datagram longer than the buffer is cut (Linux keeps
the first 512 bytes and drops the rest), although requests can be 1024 bytes."""
import select


def serve_ports(services):
    sockets = list(services)
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for sock in readable:
            data, sender = sock.recvfrom(512)
            sock.sendto(services[sock](data), sender)
