"""Mistake (exercise 1): a thread per port instead of one select() loop (the exercise
forbids threads)."""
import threading


def _serve_one(sock, service):
    while True:
        data, sender = sock.recvfrom(2048)
        sock.sendto(service(data), sender)


def serve_ports(services):
    threads = [threading.Thread(target=_serve_one, args=item, daemon=True) for item in services.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
