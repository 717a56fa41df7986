"""Mistake (read_reply): the first line's fourth character is not checked: anything that
starts with three digits is taken as a one-line reply (no ValueError for "2200 x")."""


def read_reply(reader):
    def line():
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed")
        return raw.decode().rstrip("\r\n")

    first = line()
    code = int(first[:3])
    lines = [first[4:]]
    if first[3:4] == "-":
        while True:
            current = line()
            if current.startswith(first[:3] + " "):
                lines.append(current[4:])
                break
            lines.append(current)
    return code, "\n".join(lines)
