"""Mistake (exercise 6): the reply is read with one recv, so a reply that comes in pieces
(or after a pause) is cut short."""
import socket


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        return sock.recv(1 << 20)
