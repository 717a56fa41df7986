"""sntp_query, wrong in the classic ways (each function is one mistake).

They use the correct build_request and parse_reply of right_struct, so that only the
client logic is wrong.
"""

import socket
import time

from tests.solutions.ntp.right_struct import build_request, parse_reply


def _numbers(request, data, t4):
    reply = parse_reply(data)
    t1 = parse_reply(request)["transmit"]
    return t1, reply["receive"], reply["transmit"], t4


def _valid(request, data, sender, server):
    return (sender == tuple(server) and len(data) >= 48 and data[0] & 7 == 4
            and data[24:32] == request[40:48])


def _refuse(data):
    """The right answer to a reply with no time in it: ConnectionError naming why."""
    if data[1] == 0:
        raise ConnectionError("kiss-o'-death: %s" % data[12:16].decode("ascii", "replace"))
    if data[0] >> 6 == 3:
        raise ConnectionError("the server is not synchronised")


def _careful(server, timeout, tries, formula, *, valid=_valid, wait_after=0.0, same_request=False,
             forever=False, per_recv_timeout=False, error=TimeoutError, resolve=True, refuse=_refuse,
             restart_after_junk=False):
    """The right loop, with one knob turned per mistake."""
    if resolve:
        server = (socket.gethostbyname(server[0]), server[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        attempt, request = 0, None
        while forever or attempt < tries:
            attempt += 1
            if request is None or not same_request:
                request = build_request(time.time())
            sock.sendto(request, server)
            deadline = time.monotonic() + timeout
            while (left := deadline - time.monotonic()) > 0:
                if per_recv_timeout:
                    left = timeout
                    deadline = time.monotonic() + timeout
                sock.settimeout(timeout if restart_after_junk else left)
                try:
                    data, sender = sock.recvfrom(1024)
                except TimeoutError:
                    break
                t4 = time.time()
                if valid(request, data, sender, server):
                    if refuse(data):
                        continue
                    return formula(*_numbers(request, data, t4))
            time.sleep(wait_after)
    raise error("no reply")


def _right(t1, t2, t3, t4):
    return ((t2 - t1) + (t3 - t4)) / 2, (t4 - t1) - (t3 - t2)


def offset_wrong_sign(server, timeout=0.5, tries=3):
    """offset = ((T1 - T2) + (T4 - T3)) / 2: how far the client is ahead, not the server."""
    return _careful(server, timeout, tries, lambda t1, t2, t3, t4: (((t1 - t2) + (t4 - t3)) / 2,
                                                                    (t4 - t1) - (t3 - t2)))


def delay_wrong_sign(server, timeout=0.5, tries=3):
    """delay = (T4 - T1) + (T3 - T2): adds the server's holding time instead of subtracting it."""
    return _careful(server, timeout, tries, lambda t1, t2, t3, t4: (((t2 - t1) + (t3 - t4)) / 2,
                                                                    (t4 - t1) + (t3 - t2)))


def no_retransmit(server, timeout=0.5, tries=3):
    """Sends once; the socket's timeout ends everything."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        request = build_request(time.time())
        sock.sendto(request, server)
        while True:
            data, sender = sock.recvfrom(1024)
            if _valid(request, data, sender, server):
                return _right(*_numbers(request, data, time.time()))


def accepts_any_reply(server, timeout=0.5, tries=3):
    """Believes the first datagram that arrives, whoever sent it."""
    return _careful(server, timeout, tries, _right, valid=lambda request, data, sender, server: True)


def trusts_the_address_only(server, timeout=0.5, tries=3):
    """Checks who sent the reply, but not its originate timestamp (like ntplib)."""
    return _careful(server, timeout, tries, _right,
                    valid=lambda request, data, sender, server: sender == tuple(server) and len(data) >= 48)


def crashes_on_truncated(server, timeout=0.5, tries=3):
    """Parses before checking the length: a short datagram raises ValueError out of the client."""
    def valid(request, data, sender, server):
        parse_reply(data)
        return _valid(request, data, sender, server)
    return _careful(server, timeout, tries, _right, valid=valid)


def accepts_mode_3(server, timeout=0.5, tries=3):
    """Checks sender and originate, but not the mode."""
    return _careful(server, timeout, tries, _right,
                    valid=lambda request, data, sender, server: sender == tuple(server) and len(data) >= 48
                    and data[24:32] == request[40:48])


def never_gives_up(server, timeout=0.5, tries=3):
    """Retries forever: `tries` is never counted."""
    return _careful(server, timeout, tries, _right, forever=True)


def timeout_per_recv(server, timeout=0.5, tries=3):
    """Restarts the full timeout after every ignored datagram: junk keeps it waiting forever."""
    return _careful(server, timeout, tries, _right, per_recv_timeout=True)


def waits_twice_as_long(server, timeout=0.5, tries=3):
    """Sleeps another timeout after each silent try: tries x timeout x 2 in all."""
    return _careful(server, timeout, tries, _right, wait_after=timeout)


def same_request_every_try(server, timeout=0.5, tries=3):
    """Resends the first request: T1 is the first try's time, so the delay includes the waits."""
    return _careful(server, timeout, tries, _right, same_request=True)


def compares_given_tuple(server, timeout=0.5, tries=3):
    """Compares each sender with server as given: called with ('localhost', port), every reply
    comes from ('127.0.0.1', port) and is thrown away."""
    return _careful(server, timeout, tries, _right, resolve=False)


def restarts_timeout_after_stray(server, timeout=0.5, tries=3):
    """Keeps the try's deadline for the loop, but settimeout(timeout) before every recvfrom: a
    datagram ignored late in a try makes the try last almost twice as long."""
    return _careful(server, timeout, tries, _right, restart_after_junk=True)


def accepts_unsynchronised(server, timeout=0.5, tries=3):
    """Uses the time of a server that says leap 3 (not synchronised) or stratum 0 (kiss-o'-death)."""
    return _careful(server, timeout, tries, _right, refuse=lambda data: False)


def ignores_unsynchronised(server, timeout=0.5, tries=3):
    """Treats a reply with leap 3 or stratum 0 as no reply: asks again, then raises TimeoutError."""
    return _careful(server, timeout, tries, _right, refuse=lambda data: data[1] == 0 or data[0] >> 6 == 3)


def kiss_code_not_named(server, timeout=0.5, tries=3):
    """Looks at the leap indicator first: a kiss-o'-death (leap 3 too) raises without its kiss code."""
    def refuse(data):
        if data[0] >> 6 == 3 or data[1] == 0:
            raise ConnectionError("the server has no time for us")
    return _careful(server, timeout, tries, _right, refuse=refuse)


def no_era(server, timeout=0.5, tries=3):
    """Reads the reply's timestamps as 1968-2036: a server in 2040 seems 136 years behind."""
    def era_0(t1, t2, t3, t4):
        return _right(t1, t2 - 2**32 if t2 > 2085978496 else t2, t3 - 2**32 if t3 > 2085978496 else t3, t4)
    return _careful(server, timeout, tries, era_0)


def wrong_exception(server, timeout=0.5, tries=3):
    """Gives up with RuntimeError, not the TimeoutError the exercise asks for."""
    return _careful(server, timeout, tries, _right, error=RuntimeError)
