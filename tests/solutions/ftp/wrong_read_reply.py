"""read_reply, wrong in the classic ways (each function is one mistake)."""


def one_read_is_one_reply(reader):
    """Takes whatever one read returns as the whole reply (one recv = one message)."""
    data = reader.read1(4096).decode()
    lines = data.rstrip("\r\n").split("\r\n")
    lines[0] = lines[0][4:]
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(data[:3]), "\n".join(lines)


def single_line(reader):
    """Reads one line and stops, even at '220-' (a multi-line reply's first line)."""
    line = reader.readline().decode().rstrip("\r\n")
    return int(line[:3]), line[4:]


def dash_lines_only(reader):
    """Goes on only while lines start with 'ddd-': stops at a middle line without the code."""
    line = reader.readline().decode().rstrip("\r\n")
    code, lines = line[:3], [line[4:]]
    while line[3:4] == "-":
        line = reader.readline().decode().rstrip("\r\n")
        lines.append(line[4:] if line.startswith(code) else line)
    return int(code), "\n".join(lines)


def loops_forever_at_eof(reader):
    """Never notices readline() returning b'' (the peer closed): spins forever."""
    first = reader.readline()
    code, lines = first[:3], [first[4:].rstrip(b"\r\n")]
    line = first
    while line[:4] != code + b" ":
        line = reader.readline()
        if line:
            lines.append(line.rstrip(b"\r\n"))
    if len(lines) > 1:
        lines[-1] = lines[-1][4:]
    return int(code), b"\n".join(lines).decode()


def with_reference(reader):
    """Lets netkit's reference parser do the exercise."""
    from netkit.ftpproto import ReplyParser

    parser = ReplyParser()
    while (reply := parser.next_reply()) is None:
        parser.feed(reader.readline())
    return reply
