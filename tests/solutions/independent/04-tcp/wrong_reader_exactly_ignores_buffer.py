"""Mistake (exercise 2): recv_exactly reads from the socket and forgets the bytes that
recv_until already put in the buffer."""


class SocketReader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def recv_until(self, delimiter):
        while delimiter not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("peer closed")
            self.buffer += chunk
        end = self.buffer.index(delimiter) + len(delimiter)
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        return line

    def recv_exactly(self, n):
        data = b""
        while len(data) < n:                   # self.buffer is not used
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError("peer closed")
            data += chunk
        return data

    def recv_to_eof(self):
        data, self.buffer = self.buffer, b""
        while chunk := self.sock.recv(4096):
            data += chunk
        return data
