"""A thread per client: right answers, but the exercise is one thread and select()."""

import threading


def serve_lines(listener):
    def serve(conn):
        buffer = b""
        with conn:
            while True:
                try:
                    data = conn.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                lines, newline, buffer = (buffer + data).rpartition(b"\n")
                if newline:
                    conn.sendall(lines + newline)

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
