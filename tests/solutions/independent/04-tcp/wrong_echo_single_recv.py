"""Mistake (exercise 4): one recv per client: the first piece is echoed, the connection
closed; the rest of a big message is never echoed."""
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
            data = conn.recv(65536)
            conn.sendall(data)
