"""Mistake (exercise 4): no SO_REUSEADDR before bind, so a restart on the same port fails
with "Address already in use" while old connections are in TIME_WAIT."""
import socket


def make_listener(host, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, port))
    listener.listen(16)
    return listener


def serve_echo(listener):
    while True:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)
