"""Mistake (exercise 2): a thread per client instead of one select() loop (forbidden)."""
import threading


def _client(conn):
    with conn:
        buffer = b""
        try:
            while data := conn.recv(4096):
                buffer += data
                if b"\n" in buffer:
                    lines, _, buffer = buffer.rpartition(b"\n")
                    conn.sendall(lines + b"\n")
        except OSError:
            pass


def serve_lines(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_client, args=(conn,), daemon=True).start()
