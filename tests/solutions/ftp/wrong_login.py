"""login, wrong in the classic ways; each uses a correct read_reply."""

from netkit.ftpproto import FTPError
from tests.solutions.ftp.right_lines import read_reply  # noqa: F401  (the functions below use it)


def out_of_step(sock, reader, user, password):
    """Sends USER and PASS back to back and reads one reply: the replies fall out of step."""
    sock.sendall(f"USER {user}\r\nPASS {password}\r\n".encode())
    code, text = read_reply(reader)
    if code >= 400:
        raise FTPError(code, text)
    return code, text


def never_raises(sock, reader, user, password):
    """Reads both replies but never looks at the codes."""
    sock.sendall(f"USER {user}\r\n".encode())
    read_reply(reader)
    sock.sendall(f"PASS {password}\r\n".encode())
    return read_reply(reader)


def plain_exception(sock, reader, user, password):
    """Raises, but an exception without the server's code and text."""
    sock.sendall(f"USER {user}\r\n".encode())
    read_reply(reader)
    sock.sendall(f"PASS {password}\r\n".encode())
    code, text = read_reply(reader)
    if code != 230:
        raise RuntimeError("login failed")
    return code, text


def always_sends_pass(sock, reader, user, password):
    """Sends PASS whatever USER's reply was (a 230 after USER means: no password needed)."""
    sock.sendall(f"USER {user}\r\n".encode())
    read_reply(reader)
    sock.sendall(f"PASS {password}\r\n".encode())
    code, text = read_reply(reader)
    if code != 230:
        raise FTPError(code, text)
    return code, text


def bare_newline(sock, reader, user, password):
    """Ends its commands with b'\\n' only: FTP commands end with b'\\r\\n' (RFC 959's Telnet end of line)."""
    sock.sendall(f"USER {user}\n".encode())
    code, text = read_reply(reader)
    if code == 331:
        sock.sendall(f"PASS {password}\n".encode())
        code, text = read_reply(reader)
    if code != 230:
        raise FTPError(code, text)
    return code, text
