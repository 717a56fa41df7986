"""Mistake (login): USER and PASS are sent together before any reply is read, as if every server
answered 331; the second reply is taken as the answer to PASS whatever the first said."""

from netkit.ftpproto import FTPError

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
    sock.sendall(f"USER {user}\r\nPASS {password}\r\n".encode())
    first = read_reply(reader)
    if first[0] == 230:
        return first
    code, text = read_reply(reader)
    if code != 230:
        raise FTPError(code, text)
    return code, text
