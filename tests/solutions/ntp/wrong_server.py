"""make_ntp_socket / serve_ntp, wrong in the classic ways (each serve_* is one mistake).

The test pairs each with the correct make_ntp_socket below.
"""

import socket
import struct
import time

EPOCH = 2208988800


def make_ntp_socket(host, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    return sock


def _ntp(t, epoch=EPOCH, era=True):
    fixed = round((t + epoch) * 2**32)
    return struct.pack("!Q", fixed % 2**64 if era else fixed)


def _loop(sock, clock, build, *, check=True, first_client=False, once=False):
    target = None
    while True:
        data, client = sock.recvfrom(1024)
        if check and (len(data) < 48 or data[0] & 7 != 3):
            continue
        target = target if (first_client and target) else client
        sock.sendto(build(data, clock), target)
        if once:
            return


def _reply(data, clock, *, first=None, originate=None, epoch=EPOCH, era=True):
    t = clock()
    first = (data[0] & 0x38) | 4 if first is None else first
    originate = data[40:48] if originate is None else originate
    head = struct.pack("!BBbbII4s", first, 1, 0, -20, 0, 0, b"LOCL")
    return head + _ntp(t, epoch, era) + originate + _ntp(t, epoch, era) + _ntp(clock(), epoch, era)


def no_originate_echo(sock, clock=time.time):
    """Leaves the originate field zero."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock, originate=bytes(8)))


def originate_is_own_time(sock, clock=time.time):
    """Puts its own time in the originate field."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock, originate=_ntp(clock())))


def replies_mode_3(sock, clock=time.time):
    """Copies the request's first byte: mode 3, as if it were a client."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock, first=data[0]))


def uses_time_time(sock, clock=time.time):
    """Tells time.time(), not the clock it was given."""
    _loop(sock, clock, lambda data, _clock: _reply(data, time.time))


def epoch_1970(sock, clock=time.time):
    """Stamps Unix seconds: 70 years off."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock, epoch=0))


def replies_to_first_client(sock, clock=time.time):
    """Remembers the first client and answers everyone there."""
    _loop(sock, clock, _reply, first_client=True)


def serves_once(sock, clock=time.time):
    """Answers one request and returns."""
    _loop(sock, clock, _reply, once=True)


def dies_on_junk(sock, clock=time.time):
    """Unpacks before checking the length: a short datagram raises and ends the server."""
    while True:
        data, client = sock.recvfrom(1024)
        struct.unpack("!B47x", data)
        if data[0] & 7 == 3:
            sock.sendto(_reply(data, clock), client)


def answers_everything(sock, clock=time.time):
    """Answers every datagram of 48 bytes, mode 4 replies included (two such servers loop forever)."""
    _loop(sock, clock, _reply, check=False)


def always_version_4(sock, clock=time.time):
    """Says version 4 whatever the client spoke."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock, first=0x24))


def appends_the_request_tail(sock, clock=time.time):
    """Sends back whatever followed the request's 48th byte (a key ID and MAC): a reply longer than 48."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock) + data[48:])


def no_era_wrap(sock, clock=time.time):
    """Packs the seconds since 1900 without modulo 2**32: once its clock passes 2036, struct raises."""
    _loop(sock, clock, lambda data, clock: _reply(data, clock, era=False))


def reads_clock_once(sock, clock=time.time):
    """Reads the clock once, before its loop: every reply tells the time the server started."""
    started = clock()
    _loop(sock, clock, lambda data, _clock: _reply(data, lambda: started))


def poll_as_signed_byte(sock, clock=time.time):
    """Copies the request's poll with data[2] into a signed 'b': a negative poll (250) crashes it."""
    def build(data, clock):
        t = _ntp(clock())
        head = struct.pack("!BBbbII4s", (data[0] & 0x38) | 4, 1, data[2], -20, 0, 0, b"LOCL")
        return head + t + data[40:48] + t + _ntp(clock())
    _loop(sock, clock, build)


def unpacks_the_whole_datagram(sock, clock=time.time):
    """Unpacks the whole datagram with a 48-byte format: a request with a MAC after it ends the server."""
    while True:
        data, client = sock.recvfrom(1024)
        if len(data) < 48:
            continue
        first, *_rest = struct.unpack("!B39xQ", data)
        if first & 7 == 3:
            sock.sendto(_reply(data, clock), client)
