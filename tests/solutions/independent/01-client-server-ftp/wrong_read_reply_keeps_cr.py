"""Mistake (read_reply): only the \n is cut from each line, so every line of the text keeps
its \r (the line ending is \r\n, not \n)."""


def read_reply(reader):
    def line():
        raw = reader.readline()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed")
        return raw[:-1].decode()

    first = line()
    if not (first[:3].isdigit() and first[3:4] in (" ", "-")):
        raise ValueError(f"not an FTP reply: {first!r}")
    code, lines = first[:3], [first[4:]]
    if first[3] == "-":
        while True:
            current = line()
            if current.startswith(code + " "):
                lines.append(current[4:])
                break
            lines.append(current)
    return int(code), "\n".join(lines)
