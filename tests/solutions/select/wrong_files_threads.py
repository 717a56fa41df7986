"""A thread per connection with blocking sockets: it serves everyone, but it is not select()."""

from concurrent.futures import ThreadPoolExecutor


def serve_files(listener, folder):
    def serve(conn):
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                try:
                    data = conn.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                request += data
            try:
                conn.sendall(http_response(request, folder))
            except OSError:
                pass

    with ThreadPoolExecutor(max_workers=64) as pool:
        while True:
            conn, _ = listener.accept()
            pool.submit(serve, conn)
