"""Mistake (login): a refusal is returned like a success: (530, ...) comes back instead of
raising FTPError."""

def read_reply(reader):
    """A correct read_reply (the mistake of this file is elsewhere)."""
    def line():
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed")
        return raw.decode().removesuffix("\n").removesuffix("\r")

    first = line()
    if not (len(first) >= 4 and first[:3].isascii() and first[:3].isdigit() and first[3] in " -"):
        raise ValueError(f"not an FTP reply: {first!r}")
    lines = [first[4:]]
    if first[3] == "-":
        while True:
            current = line()
            if current.startswith(first[:3] + " "):
                lines.append(current[4:])
                break
            lines.append(current)
    return int(first[:3]), "\n".join(lines)


def login(sock, reader, user, password):
    sock.sendall(f"USER {user}\r\n".encode())
    code, text = read_reply(reader)
    if code == 331:
        sock.sendall(f"PASS {password}\r\n".encode())
        code, text = read_reply(reader)
    return code, text
