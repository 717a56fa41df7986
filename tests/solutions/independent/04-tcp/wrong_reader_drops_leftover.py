"""Mistake (exercise 2): no buffer kept between calls: recv_until returns the bytes up to
the delimiter and throws away what came after it in the same recv."""


class SocketReader:
    def __init__(self, sock):
        self.sock = sock

    def recv_until(self, delimiter):
        data = b""
        while delimiter not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("peer closed")
            data += chunk
        end = data.index(delimiter) + len(delimiter)
        return data[:end]                      # data[end:] is lost

    def recv_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("peer closed")
            data += chunk
        return data

    def recv_to_eof(self):
        data = b""
        while chunk := self.sock.recv(4096):
            data += chunk
        return data
