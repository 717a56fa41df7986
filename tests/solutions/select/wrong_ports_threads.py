"""A thread per port, each blocking in recvfrom(): it works, but it is not what the exercise asks."""

import threading


def serve_ports(services):
    def serve(sock, service):
        while True:
            request, sender = sock.recvfrom(2048)
            sock.sendto(service(request), sender)

    threads = [threading.Thread(target=serve, args=item, daemon=True) for item in services.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
