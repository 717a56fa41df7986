"""Mistake (exercise 1): the lecture's first attempt: recvfrom on each socket in turn, so the
server blocks on a quiet port while datagrams wait on the others."""


def serve_ports(services):
    while True:
        for sock, service in services.items():
            data, sender = sock.recvfrom(1024)
            sock.sendto(service(data), sender)
