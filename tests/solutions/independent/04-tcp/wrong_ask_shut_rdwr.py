"""Mistake (exercise 6): shutdown(SHUT_RDWR) instead of SHUT_WR: the receiving direction is
shut too, so recv returns b'' at once and the reply is lost."""
import socket


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_RDWR)
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    return reply
