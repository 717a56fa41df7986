"""Mistake (exercise 4): conn.send(data) instead of sendall: what send could not take is
lost, so a 1 MiB echo comes back short when the socket's buffer fills."""
import socket


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(16)
    return listener


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(65536):
                conn.send(data)
