"""Mistake (read_reply): no EOFError. A closed connection (readline() returns b'') is not
noticed: int(b'') then raises ValueError, and a last line cut short (no \n) is accepted."""


def read_reply(reader):
    first = reader.readline().decode().rstrip("\r\n")
    code = int(first[:3])
    if first[3:4] not in (" ", "-"):
        raise ValueError(f"not an FTP reply: {first!r}")
    lines = [first[4:]]
    if first[3] == "-":
        while True:
            current = reader.readline().decode().rstrip("\r\n")
            if current.startswith(first[:3] + " ") or current == "":
                lines.append(current[4:])
                break
            lines.append(current)
    return code, "\n".join(lines)
