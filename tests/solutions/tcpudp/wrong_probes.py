"""probe_tcp and probe_udp, wrong in the classic ways (one mistake each)."""

import socket


def tcp_no_timeout(host, port, timeout=1.0):
    """No timeout: a silent port keeps connect() waiting for minutes."""
    sock = socket.socket()
    try:
        sock.connect((host, port))
        return "open"
    except ConnectionRefusedError:
        return "closed"
    finally:
        sock.close()


def tcp_refused_as_silent(host, port, timeout=1.0):
    """Catches every OSError as 'silent', so ECONNREFUSED is silent too."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return "open"
    except OSError:
        return "silent"


def tcp_timeout_as_closed(host, port, timeout=1.0):
    """Catches OSError before TimeoutError: a timeout is an OSError, so silent becomes closed."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return "open"
    except OSError:
        return "closed"
    except TimeoutError:
        return "silent"


def tcp_waits_for_data(host, port, timeout=1.0):
    """Calls a port open only if the server says something."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.recv(1)
            return "open"
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"


def tcp_own_timeout(host, port, timeout=1.0):
    """Uses a timeout of its own instead of the parameter."""
    try:
        socket.create_connection((host, port), timeout=1.5).close()
        return "open"
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"


def udp_unconnected(host, port, timeout=1.0):
    """sendto/recvfrom on an unconnected socket: the ICMP error never reaches it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(b"probe", (host, port))
        try:
            sock.recvfrom(2048)
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"


def udp_refused_as_silent(host, port, timeout=1.0):
    """Connected, but treats ConnectionRefusedError like a timeout."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            sock.recv(2048)
            return "answers"
        except OSError:
            return "silent"


def udp_no_timeout(host, port, timeout=1.0):
    """No timeout: a server that never answers keeps recv() waiting forever."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            sock.recv(2048)
            return "answers"
        except ConnectionRefusedError:
            return "refused"


def udp_short_timeout(host, port, timeout=1.0):
    """Waits 0.1 s whatever the timeout: a slow answer counts as silence."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.1)
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            sock.recv(2048)
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"


def tcp_never_closes(host, port, timeout=1.0):
    """Right answers, but never closes its socket: CPython closes it when the function returns."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect((host, port))
    except ConnectionRefusedError:
        return "closed"
    except TimeoutError:
        return "silent"
    return "open"


def tcp_connect_ex_nonzero_is_closed(host, port, timeout=1.0):
    """connect_ex, reading any error number as 'closed': a timeout gives EAGAIN, not ECONNREFUSED."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return "open" if sock.connect_ex((host, port)) == 0 else "closed"


def udp_own_echo_only(host, port, timeout=1.0):
    """Counts as an answer only its own probe sent back: a server that answers otherwise looks silent."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            while sock.recv(2048) != b"probe":
                pass
            return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"


def udp_sender_is_host(host, port, timeout=1.0):
    """recvfrom on a connected socket, keeping only replies whose sender equals (host, port) as given."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect((host, port))
        sock.send(b"probe")
        try:
            while True:
                _, sender = sock.recvfrom(2048)
                if sender == (host, port):
                    return "answers"
        except ConnectionRefusedError:
            return "refused"
        except TimeoutError:
            return "silent"
