"""The lecture's first two-port server: recvfrom() on each socket in turn blocks on the first."""


def serve_ports(services):
    while True:
        for sock, service in services.items():
            request, sender = sock.recvfrom(1024)
            sock.sendto(service(request), sender)
