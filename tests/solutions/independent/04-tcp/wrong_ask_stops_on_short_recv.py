"""Mistake (exercise 6): the read loop stops as soon as recv returns fewer bytes than asked
for, taking a short read for the end of the reply instead of waiting for b''."""
import socket


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while True:
            chunk = sock.recv(4096)
            reply += chunk
            if len(chunk) < 4096:
                break
    return reply
