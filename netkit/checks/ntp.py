"""Checks for notebook 05 (UDP and NTP): SNTP packets, a retrying client, an SNTP server, a pinger.

Each exercise has a visible check (``check_x``), which its test cell calls:

=====================  ==========================  =====================================
exercise               student writes              the check drives it with
=====================  ==========================  =====================================
1 request              build_request(t)            fixed and random times (pure)
2 reply                parse_reply(data)           packets from netkit.sntp (pure)
3 client               sntp_query(server, ...)     fake servers that forge, lose, stall
4 server               make_ntp_socket, serve_ntp  ntplib and 100 raw clients at once
5 pinger               ping(server, ...)           an echo server behind udp_proxy
=====================  ==========================  =====================================

The reference for every packet is ``netkit.sntp`` (pure code). The student's code runs
in a child process under ``netkit.runner``, so a hang or a crash costs only a message.
Failure messages show packets as hexdumps with the fields marked.
"""

import contextlib
import dataclasses
import math
import random
import select
import socket
import struct
import threading
import time

from .. import sntp
from ..proxies import udp_proxy
from ..runner import report_ready, run
from ..servers import udp_server
from ..wire import hexdump
from ._base import check, fail, show_bytes
from ._cases import run_cases
from ._harness import not_written, serving

__all__ = [
    "check_build_request",
    "check_parse_reply",
    "check_sntp_query",
    "check_ntp_server",
    "check_ping",
]

OFFSET = sntp.NTP_EPOCH_OFFSET
TIME_TOLERANCE = 1e-5          # a float Unix time in 2024 resolves about 2.4e-7 s
ERA_BIT = 0x80000000           # RFC 4330 section 3: seconds with this bit clear are in era 1
ERA1_START = 2**32 - OFFSET    # 2036-02-07 06:28:16 UTC as Unix time: era 1 begins

HINT_PACKET = ("the SNTP packet in part 2: byte 0 = LI (2 bits) | VN (3 bits) | Mode (3 bits), "
               "timestamps at bytes 16/24/32/40, all big-endian (struct '!')")
HINT_TIMESTAMP = ("'Timestamps: seconds since 1900, in 32.32 fixed point' in part 2: the first 32 bits "
                  "are seconds since 1900 (Unix time + NTP_EPOCH_OFFSET), the last 32 the fraction "
                  "in units of 2**-32 s, both big-endian")
HINT_ERA = ("'2036: when 32 bits of seconds run out' in part 2 (RFC 4330 section 3): a writer puts the seconds "
            "modulo 2**32 on the wire, and a reader adds 2**32 to seconds whose top bit is clear (era 1, "
            "2036-2104) before subtracting NTP_EPOCH_OFFSET")


# ---------------------------------------------------------------------------------------
# Shared helpers


def _dump(data):
    """A packet as a hexdump, its fields marked when it is long enough to have them."""
    data = bytes(data)
    if len(data) >= sntp.PACKET_SIZE:
        return hexdump(data[:sntp.PACKET_SIZE], marks=sntp.MARKS) + (
            f"\n   (+ {len(data) - sntp.PACKET_SIZE} more bytes)" if len(data) > sntp.PACKET_SIZE else "")
    return hexdump(data) if data else "(no bytes)"


def _plain_unix(seconds, fraction):
    """NTP (seconds, fraction) as Unix time, era 0 only: what a reader that forgets 2036 computes."""
    return seconds - OFFSET + fraction / 2**32


def _unix(seconds, fraction=0):
    """NTP (seconds, fraction) as Unix time, with RFC 4330's era rule: what a right reader computes."""
    return sntp.from_ntp(seconds, fraction)


def _when(unix_time):
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(unix_time)) + f"{unix_time % 1:.6f}"[1:] + " UTC"
    except (OverflowError, OSError, ValueError):
        return "far outside any calendar"


def _cases(func, cases, forbid=()):
    """One ``Result`` per case (a tuple of arguments), all run in one child process."""
    return run_cases(func, [(tuple(case), {}) for case in cases], forbid=forbid)


# ---------------------------------------------------------------------------------------
# Exercise 1: build_request


def _expected_request(t):
    return sntp.request(t).pack()


def _timestamp_mistake(raw, low, high=None, tol=1e-3):
    """Name the classic mistake that wrote a Unix time in [low, high] as the 8 bytes ``raw``, or None.

    Each hypothesis reads ``raw`` back the way the mistake wrote it; the first whose
    reading lands in the interval (give or take ``tol``) is the diagnosis.
    """
    high = low if high is None else high
    sec, frac = struct.unpack("!II", raw)
    le_sec, le_frac = struct.unpack("<II", raw)
    whole_le = divmod(int.from_bytes(raw, "little"), 2**32)
    base = _unix(sec)          # the whole seconds read right, in whichever era they fall
    if raw == bytes(8):
        return "the timestamp is all zeros"
    hypotheses = [
        (_unix(le_sec, le_frac), "the bytes are little-endian (host order); the network wants "
                                 "big-endian: '!' in struct, or 'big'"),
        (_unix(*whole_le), "the bytes are little-endian (host order); the network wants "
                           "big-endian: '!' in struct, or 'big'"),
        (sec + frac / 2**32, "the seconds count from 1970 (Unix time); NTP counts from 1 January 1900, "
                             f"so add NTP_EPOCH_OFFSET = {OFFSET}"),
        (sec - 2 * OFFSET + frac / 2**32, "NTP_EPOCH_OFFSET was added twice"),
    ]
    for scale, name in ((10**9, "10**9 (nanoseconds)"), (10**6, "10**6 (microseconds)"),
                        (2**16, "2**16"), (10**3, "10**3 (milliseconds)")):
        hypotheses.append((base + frac / scale,
                           f"the fraction is counted in units of 1/{name}; NTP counts it in units of "
                           "2**-32 s: fraction = int(part_after_the_point * 2**32)"))
    for value, why in hypotheses:
        if low - tol <= value <= high + tol:
            return why
    if frac == 0 and low - 1 - tol <= base <= high + tol:
        return "the fraction of a second is missing (the last 4 bytes are zero)"
    return None


def _check_request(t, got, label):
    want = _expected_request(t)
    if not isinstance(got, (bytes, bytearray)):
        fail(f"{label} returned {type(got).__name__} {got!r:.80}, not bytes.",
             expected=f"48 bytes, e.g. {show_bytes(want, 24)}",
             hint="return the packet itself: struct.pack(...) or bytes(...) give bytes")
    got = bytes(got)
    if len(got) != 48:
        fail(f"{label} returned {len(got)} bytes; an SNTP request is exactly 48.",
             trace=f"expected (48 bytes):\n{_dump(want)}\nyours ({len(got)} bytes):\n{_dump(got)}",
             hint=HINT_PACKET + "; count the zero bytes between byte 0 and the transmit timestamp (39)")
    first = got[0]
    leap, version, mode = first >> 6, first >> 3 & 7, first & 7
    if first != 0x23:
        if mode == 4:
            why = "mode 4 means 'server': a request from a client is mode 3"
        elif mode != 3:
            why = f"mode is {mode} ({sntp.MODES[mode]}); a client's request is mode 3"
        elif version != 4:
            why = f"version is {version}; this exercise asks for version 4"
        else:
            why = f"leap indicator is {leap}; a client sends 0"
        fail(f"{label}: byte 0 is {first:#04x} = {first:08b}: {why}.",
             expected="0x23 = 0b00_100_011 (LI 0, version 4, mode 3)",
             got=f"0b{leap:02b}_{version:03b}_{mode:03b} (LI {leap}, version {version}, mode {mode})",
             hint="shift each field to its place and combine: LI << 6 | VN << 3 | mode")
    raw = got[40:48]
    sec, frac = struct.unpack("!II", raw)
    if abs(_unix(sec, frac) - t) > TIME_TOLERANCE:
        mistake = _timestamp_mistake(raw, t)
        if raw == bytes(8):
            mistake = "the transmit timestamp is all zeros: put transmit_time into bytes 40-47"
        moved = [name for name, offset, size in sntp.FIELDS
                 if size == 8 and offset != 40 and got[offset:offset + 8] == want[40:48]]
        if moved:
            mistake = f"the timestamp is in the {moved[0]} field; the transmit timestamp is bytes 40-47"
        fail(f"{label}: the transmit timestamp (bytes 40-47) does not say {t!r} ({_when(t)}).",
             expected=f"{want[40:48].hex(' ')}  (seconds {sntp.to_ntp(t)[0]}, fraction {sntp.to_ntp(t)[1]})",
             got=f"{raw.hex(' ')}  (seconds {sec}, fraction {frac}: {_when(_unix(sec, frac))})",
             trace="your request:\n" + _dump(got),
             hint=(mistake + ". See " if mistake else "") + HINT_TIMESTAMP)
    others = [name for name, offset, size in sntp.FIELDS[1:-1] if any(got[offset:offset + size])]
    if others:
        fail(f"{label}: fields other than byte 0 and the transmit timestamp are not zero: {', '.join(others)}.",
             trace=f"expected:\n{_dump(want)}\nyours:\n{_dump(got)}",
             hint="a client leaves every other field zero (RFC 4330 section 5); the server fills them in")


_VISIBLE_TIMES = (1_000_000_000.5, 1_234_567_890.25, 1_700_000_000.123456, 2_200_000_000.625)  # the last in 2039


def _request_raised(t, result):
    """build_request(t) raised: say what is special about t, and the likely cause."""
    fraction = round((t - math.floor(t)) * 2**32) if math.isfinite(t) else 0
    if t >= ERA1_START:
        seconds = math.floor(t) + OFFSET
        fail(f"build_request({t!r}) {result}.",
             sent=f"{t!r} = {_when(t)}, after 2036-02-07 06:28:16 UTC, when NTP's 32-bit seconds run out "
                  f"(the seconds since 1900 are {seconds}, more than 2**32 - 1 = {2**32 - 1})",
             expected=f"seconds {seconds % 2**32} (= {seconds} modulo 2**32: era 1) and the fraction",
             hint="write the seconds modulo 2**32 (seconds % 2**32, or the whole 64-bit number % 2**64). "
                  "See " + HINT_ERA)
    if fraction == 2**32:
        fail(f"build_request({t!r}) {result}.",
             sent=f"{t!r}: its fraction of a second rounds to 2**32 units of 2**-32 s",
             hint="a fraction like .9999999999 can round to 2**32, one too many for 32 bits; carry it into "
                  "the seconds (or compute the 64-bit number in one go: round(t * 2**32) + "
                  "NTP_EPOCH_OFFSET * 2**32)")
    fail(f"build_request({t!r}) {result}", hint=HINT_TIMESTAMP)


@check
def check_build_request(build_request):
    """build_request(t) is 48 bytes: 0x23, zeros, and t as an NTP timestamp at bytes 40-47 (once after 2036)."""
    results = _cases(build_request, [(t,) for t in _VISIBLE_TIMES])
    for t, result in zip(_VISIBLE_TIMES, results):
        if result.raised:
            _request_raised(t, result)
        _check_request(t, result.value, f"build_request({t!r})")


# ---------------------------------------------------------------------------------------
# Exercise 2: parse_reply

_KEYS = ("leap", "version", "mode", "stratum", "reference", "originate", "receive", "transmit")
_HEADER = ("leap", "version", "mode", "stratum")
_STAMP_AT = {"reference": 16, "originate": 24, "receive": 32, "transmit": 40}


def _packet(leap, version, mode, stratum, stamps, trailer=b""):
    """A packet with the given header and {name: (sec, frac)} timestamps, plus ``trailer``."""
    return sntp.SNTPPacket(leap=leap, version=version, mode=mode, stratum=stratum, poll=6,
                           precision=-20, root_delay=0x00000C00, root_dispersion=0x00001900,
                           ref_id=b"GPS\0", **stamps).pack() + trailer


def _expected_fields(data):
    p = sntp.SNTPPacket.unpack(data)
    result = {"leap": p.leap, "version": p.version, "mode": p.mode, "stratum": p.stratum}
    result.update({name: _unix(*getattr(p, name)) for name in _STAMP_AT})
    return result


def _stamp_mistake(data, name, got):
    """Name the classic mistake that reads timestamp ``name`` of ``data`` as ``got``, or None."""
    offset = _STAMP_AT[name]
    sec, frac = struct.unpack_from("!II", data, offset)
    le_sec, le_frac = struct.unpack_from("<II", data, offset)
    since_1900 = _unix(sec) + OFFSET          # the seconds read right, in their era
    base = since_1900 - OFFSET
    candidates = [
        (_plain_unix(sec, frac) if not sec & ERA_BIT else math.nan,
         f"the seconds ({sec} = {sec:#010x}) have their top bit clear, so this timestamp is in era 1 "
         f"(2036-2104): add 2**32 to them before subtracting NTP_EPOCH_OFFSET, or you get "
         f"{_when(_plain_unix(sec, frac))}"),
        (since_1900 + frac / 2**32, "this is seconds since 1900: subtract NTP_EPOCH_OFFSET to get Unix time"),
        (sec + frac / 2**32, "this is seconds since 1900: subtract NTP_EPOCH_OFFSET to get Unix time"),
        (since_1900 + OFFSET + frac / 2**32, "NTP_EPOCH_OFFSET was added; going from NTP to Unix time subtracts it"),
        (base + frac / 10**9, "the fraction was divided by 10**9; it counts units of 2**-32 s, divide by 2**32"),
        (base + frac / 10**6, "the fraction was divided by 10**6; divide by 2**32"),
        (base + frac / 2**16, "the fraction was divided by 2**16; it has 32 bits, divide by 2**32"),
        (base + frac / (2**32 - 1), None),  # close enough to be right
        (_unix(le_sec, le_frac), "the bytes were read little-endian; use '!' (or 'big')"),
        (_plain_unix(le_sec, le_frac), "the bytes were read little-endian; use '!' (or 'big')"),
        (base, "the fraction of a second is missing: add fraction / 2**32"),
        (base + frac, "the fraction was added as a whole number; divide it by 2**32"),
    ]
    for value, why in candidates:
        if why and abs(got - value) < 1e-3:
            return why
    for other, other_offset in _STAMP_AT.items():
        if other != name and abs(got - _unix(*struct.unpack_from("!II", data, other_offset))) < 1e-3:
            return (f"that is the {other} timestamp (bytes {other_offset}-{other_offset + 7}); "
                    f"{name} is bytes {offset}-{offset + 7}")
    return None


def _header_mistake(data, name, got):
    first = data[0]
    wrong = {
        "version": {first >> 3: "the version was shifted but not masked: the leap bits came along; add & 0b111",
                    first & 7: "that is the mode (the low 3 bits); the version is the 3 bits above it",
                    first >> 6: "that is the leap indicator"},
        "mode": {first: "the mode was not masked: keep the low 3 bits with & 0b111",
                 first >> 3 & 7: "that is the version; the mode is the low 3 bits"},
        "leap": {first & 3: "the leap indicator is the top 2 bits: first >> 6",
                 first >> 5: "shift by 6, not 5"},
        "stratum": {first: "the stratum is byte 1, not byte 0", data[2]: "the stratum is byte 1, not byte 2"},
    }
    return wrong.get(name, {}).get(got)


def _check_reply_fields(data, got, label):
    want = _expected_fields(data)
    if not isinstance(got, dict):
        fail(f"{label} returned {type(got).__name__} {got!r:.80}, not a dict.",
             expected=f"a dict with keys {', '.join(_KEYS)}", hint="return {'leap': ..., 'version': ..., ...}")
    missing = [key for key in _KEYS if key not in got]
    if missing:
        fail(f"{label} returned a dict without the key(s) {', '.join(map(repr, missing))}.",
             expected=f"keys {', '.join(_KEYS)}", got=f"keys {', '.join(map(repr, got))}",
             hint="use exactly the key names of the exercise")
    for key in _KEYS:
        value = got[key]
        if key in _HEADER:
            if not isinstance(value, int) or value != want[key]:
                why = _header_mistake(data, key, value) if isinstance(value, int) else None
                fail(f"{label}: {key} is {value!r}, expected {want[key]}.",
                     sent=f"byte 0 = {data[0]:#04x} = 0b{data[0] >> 6:02b}_{data[0] >> 3 & 7:03b}_{data[0] & 7:03b}"
                          f" (LI | VN | Mode), byte 1 = {data[1]}",
                     trace="the packet:\n" + _dump(data),
                     hint=(why + ". See " if why else "") + HINT_PACKET)
            continue
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or abs(value - want[key]) > TIME_TOLERANCE:
            offset = _STAMP_AT[key]
            sec, frac = struct.unpack_from("!II", data, offset)
            why = _stamp_mistake(data, key, float(value)) if ok else "timestamps are numbers (float seconds)"
            era = why is not None and "era 1" in why
            fail(f"{label}: {key} is {value!r}, expected {want[key]!r} ({_when(want[key])}).",
                 sent=f"bytes {offset}-{offset + 7} = {data[offset:offset + 8].hex(' ')} "
                      f"(seconds {sec}, fraction {frac} = {frac / 2**32:.6f} s)",
                 trace="the packet:\n" + _dump(data),
                 hint=(why + ". See " if why else "") + (HINT_ERA if era else HINT_TIMESTAMP))


def _check_short(results, shorts, label):
    for data, result in zip(shorts, results):
        if result.raised_a("ValueError"):
            continue
        why = (" (struct.error is not a ValueError)" if result.raised_a("error") or result.error_type == "struct.error"
               else "" if result.raised else ", before reading any field")
        fail(f"{label}({show_bytes(data, 20)}) {result}; a packet shorter than 48 bytes must raise ValueError.",
             sent=f"{len(data)} byte{'s' if len(data) != 1 else ''}", expected="ValueError (raise ValueError('...') yourself)",
             hint=f"a datagram can be cut short or forged: check len(data) < 48 first{why}")


def _visible_packets():
    t, later = 1_700_000_000, 2_200_000_000      # 2023 and 2039: both sides of 2036
    stamps = {"reference": sntp.to_ntp(t - 64.0), "originate": sntp.to_ntp(t + 0.5),
              "receive": sntp.to_ntp(t + 42.75), "transmit": sntp.to_ntp(t + 42.875)}
    return [
        _packet(0, 4, 4, 2, stamps),
        _packet(3, 3, 4, 0, {"reference": (0x80000000, 1), "originate": sntp.to_ntp(t + 0.001),
                             "receive": sntp.to_ntp(t + 7.5), "transmit": sntp.to_ntp(t + 7.999)}),
        _packet(1, 4, 5, 15, stamps, trailer=bytes(4) + bytes(range(16))),
        _packet(0, 4, 4, 1, {"reference": sntp.to_ntp(ERA1_START - 0.5), "originate": sntp.to_ntp(later + 0.25),
                             "receive": sntp.to_ntp(later + 3.5), "transmit": sntp.to_ntp(later + 3.625)}),
    ]


def _check_parser(parse_reply, packets, shorts, forbid=()):
    results = _cases(parse_reply, [(p,) for p in packets + shorts], forbid=forbid)
    for data, result in zip(packets, results):
        label = f"parse_reply(<{len(data)} bytes>)"
        if result.raised:
            extra = ("a packet of 48 bytes or more is valid; ignore bytes after the 48th. " if len(data) > 48
                     else "that packet is a whole 48-byte reply. ")
            fail(f"{label} {result}", trace="the packet:\n" + _dump(data), hint=extra + "See " + HINT_PACKET)
        _check_reply_fields(data, result.value, label)
    _check_short(results[len(packets):], shorts, "parse_reply")


@check
def check_parse_reply(parse_reply):
    """parse_reply decodes header fields and timestamps (Unix time) and rejects short packets."""
    _check_parser(parse_reply, _visible_packets(), [bytes(47), b""])


# ---------------------------------------------------------------------------------------
# Exercise 3: sntp_query -- fake servers the check controls


class _FakeServer:
    """An SNTP server whose misbehaviour is configuration (knobs, not subclasses).

    offset      its clock is ``time.time() + offset``
    silent      never answers
    hold        seconds between stamping T2 and T3 (a busy server)
    before      decoys sent before the real reply: "spoof" (a perfect reply from another
                port), "stale" (a wrong originate), "short" (40 bytes), "mode3" (mode 3);
                each tells the time of a clock DECOY_OFFSET s ahead, so believing one shows
    flood       every ``flood`` seconds a stale reply from another port, from the first request on
    stray       ``stray`` seconds after each request, one stale reply (a wrong originate) from the
                server's port: late in a try, it shows a client whose wait restarts
    header      the real reply's leap, stratum and ref_id (``{"leap": 3, "stratum": 16}``): a server
                that is not synchronised, or a kiss-o'-death (stratum 0, its kiss code in ref_id)

    ``log`` keeps what crossed, for the failure message: (time.monotonic(), line).
    """

    DECOY_OFFSET = 1000.0
    DECOYS = {
        "spoof": "a forged reply from another port (address right, port wrong)",
        "stale": "a reply with a wrong originate timestamp (a stale or forged reply)",
        "short": "a truncated reply (40 bytes)",
        "mode3": "a mode-3 packet (a request, not a reply)",
    }

    def __init__(self, offset=12.5, silent=False, hold=0.0, before=(), flood=None, stray=None, header=None):
        self.offset, self.silent, self.hold, self.before, self.flood = offset, silent, hold, before, flood
        self.stray, self.header = stray, dict(header or {})
        self.requests = []        # (time.monotonic(), data, addr)
        self.replies = 0          # real replies sent
        self.log = []
        self.start = time.monotonic()
        self._spoof = None
        self._stop = threading.Event()
        self._flood_thread = None
        self._stray_threads = []
        self._server = udp_server(self._answer)

    def __enter__(self):
        self._spoof = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._spoof.bind(("127.0.0.1", 0))
        self.spoof_port = self._spoof.getsockname()[1]
        try:
            self.address = self._server.__enter__()
        except BaseException:
            self._spoof.close()
            raise
        self.start = time.monotonic()
        return self.address

    def __exit__(self, *exc_info):
        self._stop.set()
        try:
            self._server.__exit__(*exc_info)
        finally:
            if self._flood_thread is not None:
                self._flood_thread.join()
            for thread in self._stray_threads:
                thread.join()
            self._spoof.close()

    def _note(self, line):
        self.log.append((time.monotonic(), line))

    def text(self, limit=12):
        """The log as lines with times relative to the start, long runs shortened."""
        lines = [f"+{when - self.start:.2f} s  {line}" for when, line in self.log]
        if not lines:
            return "nothing reached the server"
        if len(lines) > limit:
            lines = lines[:limit - 2] + [f"... ({len(lines) - limit + 1} more lines)", lines[-1]]
        return "\n".join(lines)

    def _reply(self, data, clock_offset, *, received=None, mode=4, originate=None, header=None):
        now = time.time() + clock_offset
        packet = sntp.reply(sntp.SNTPPacket.unpack(data), now if received is None else received, now)
        fields = dict(header or {})
        if mode != 4:
            fields["mode"] = mode
        if originate is not None:
            fields["originate"] = originate
        return dataclasses.replace(packet, **fields).pack() if fields else packet.pack()

    def _decoy(self, kind, data):
        stale = sntp.to_ntp(sntp.from_ntp(*sntp.SNTPPacket.unpack(data).transmit) - 1.0)
        makers = {
            "spoof": lambda: self._reply(data, self.DECOY_OFFSET),
            "stale": lambda: self._reply(data, self.DECOY_OFFSET, originate=stale),
            "short": lambda: self._reply(data, self.DECOY_OFFSET)[:40],
            "mode3": lambda: self._reply(data, self.DECOY_OFFSET, mode=3),
        }
        return makers[kind]()

    def _answer(self, data, addr):
        received = time.time() + self.offset
        self.requests.append((time.monotonic(), data, addr))
        mode = f"mode {data[0] & 7}" if data else "empty"
        ignored = self.silent or len(data) < 48 or data[0] & 7 != 3
        self._note(f"-> request #{len(self.requests)} from your client (port {addr[1]}): {len(data)} bytes, {mode}"
                   + (" -- no answer" if ignored else ""))
        if self.stray is not None:
            thread = threading.Thread(target=self._send_stray, args=(data, addr), daemon=True,
                                      name="netkit-ntp-stray")
            self._stray_threads.append(thread)
            thread.start()
        if self.flood and self._flood_thread is None:
            self._flood_thread = threading.Thread(target=self._flood, args=(data, addr), daemon=True,
                                                  name="netkit-ntp-flood")
            self._flood_thread.start()
        if ignored:
            return None
        replies = []
        for kind in self.before:
            decoy = self._decoy(kind, data)
            if kind == "spoof":
                self._spoof.sendto(decoy, addr)
                self._note(f"<- decoy from port {self.spoof_port}: {self.DECOYS[kind]}, clock {self.DECOY_OFFSET:+} s")
            else:
                replies.append(decoy)
                self._note(f"<- decoy from the server's port {self.address[1]}: {self.DECOYS[kind]}, "
                           f"clock {self.DECOY_OFFSET:+} s")
        if self.before:
            self._stop.wait(0.02)   # the decoys arrive first, clearly
        if self.hold:
            self._stop.wait(self.hold)
        replies.append(self._reply(data, self.offset, received=received, header=self.header))
        self.replies += 1
        said = ", ".join(f"{key} {value!r}" for key, value in self.header.items())
        self._note(f"<- the real reply from the server's port {self.address[1]}: clock {self.offset:+} s"
                   + (f", held {self.hold} s between T2 and T3" if self.hold else "") + (f", {said}" if said else ""))
        return replies

    def _send_stray(self, data, addr):
        junk = self._reply(data, self.DECOY_OFFSET, originate=(0x80000000, 54321))
        if not self._stop.wait(self.stray):
            with contextlib.suppress(OSError, AttributeError):   # the server may be closing
                self._server._sock.sendto(junk, addr)
            self._note(f"<- a stale reply (wrong originate) from the server's port {self.address[1]}")

    def _flood(self, data, addr):
        # Strategy: stale replies (an old originate) from another port, until the check ends.
        junk = self._reply(data, self.DECOY_OFFSET, originate=(0x80000000, 12345))
        self._note(f"<- from now on, every {self.flood} s a stale reply from port {self.spoof_port}")
        while not self._stop.wait(self.flood):
            with contextlib.suppress(OSError):
                self._spoof.sendto(junk, addr)


HINT_RETRY = ("'What UDP does not promise' in part 3: settimeout, then send a fresh request; "
              "after `tries` requests raise TimeoutError")
HINT_TRUST = ("the three rules in part 3: the sender is exactly `server` (address and port), the "
              "packet has >= 48 bytes and mode 4, and reply[24:32] == request[40:48]; ignore "
              "anything else and keep waiting until the try's deadline")
HINT_FORMULA = "See 'Offset and delay from four timestamps' in part 2"
HINT_NAME = ("a name like 'localhost' is not an address, and a datagram's sender is always an address: resolve "
             "the name once before sending, address = (socket.gethostbyname(host), port), send to it and compare "
             "each sender with it; or connect() the socket to the server and let the kernel filter")
HINT_REFUSE = ("see the last paragraph of Exercise 3: a genuine reply with leap indicator 3 "
               "(clock not synchronised) or stratum 0 (a kiss-o'-death, its kiss code in bytes 12-15) has no time "
               "you may use; raise ConnectionError at once, with a message that says why (for stratum 0, the "
               "kiss code: data[12:16].decode('ascii'))")


def _tb(outcome):
    """The student's traceback, indented under a message's first line ('' if there is none)."""
    text = (outcome.traceback or "").rstrip()
    return "\n" + "\n".join("    " + line for line in text.splitlines()) if text else ""


def _plural(n, word, many=None):
    return f"{n} {word if n == 1 else many or word + 's'}"


def _proxy_text(report):
    """The proxy's report, one line per request, with the transmit time instead of raw bytes."""
    lines = []
    for index, payload in enumerate(report.payloads):
        fate = "dropped" if index in report.dropped else "forwarded to the server"
        stamp = ""
        if len(payload) >= 48:
            stamp = f", transmit {payload[40:48].hex(' ')}"
        lines.append(f"request #{index + 1}: {len(payload)} bytes{stamp}: {fate}")
    return "\n".join(lines) or "(your client sent nothing)"


def _query(sntp_query, address, timeout, tries, extra=0.0, host=None):
    """Run sntp_query in a child, called with (host or the address, port); the Outcome (with .elapsed)."""
    deadline = tries * timeout + 1.5 + extra
    server = (host or address[0], address[1])
    return run(sntp_query, server, timeout=timeout, tries=tries, deadline=deadline, forbid=("ntplib",))


def _raised(outcome, kind):
    return outcome.status == "raised" and isinstance(outcome.exception, kind)


def _returned_pair(outcome, sent, trace, hint):
    """The (offset, delay) the query returned, or a failure saying what happened instead."""
    if outcome.status == "timeout":
        fail(f"{sent} was still running after {outcome.elapsed:.1f} s.",
             expected="(offset, delay) within tries x timeout", got=outcome.stuck_at or "no answer",
             trace=trace, output=outcome.output, hint=hint)
    if outcome.status != "returned":
        fail(f"{sent} {outcome.clause}.{_tb(outcome)}", expected="(offset, delay)",
             trace=trace, output=outcome.output, hint=hint)
    value = outcome.value
    if not (isinstance(value, tuple) and len(value) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        fail(f"{sent} returned {value!r:.100}.", expected="a tuple (offset, delay) of two floats",
             hint="return offset, delay")
    return value


# Margins for a loaded grading machine: the mistakes they catch are off by seconds (a flipped
# sign, a wrong epoch or fraction) or by the server's hold (HOLD, well above DELAY_LIMIT).
OFFSET_MARGIN = 0.1
DELAY_LIMIT = 0.25


def _judge_numbers(sent, value, offset, hold, trace):
    got_offset, got_delay = value
    if abs(got_offset - offset) > OFFSET_MARGIN:
        if abs(got_offset + offset) < OFFSET_MARGIN:
            why = "the sign is flipped: offset = ((T2 - T1) + (T3 - T4)) / 2 is how far the server is AHEAD of you"
        elif abs(got_offset - (offset - 2**32)) < 1.0:
            why = (f"that is 2**32 s (136 years) less: the server's clock reads {_when(time.time() + offset)}, in "
                   "era 1, and the seconds of its timestamps have their top bit clear; parse_reply must add 2**32 "
                   "to such seconds (" + HINT_ERA + ")")
        else:
            why = ("offset = ((T2 - T1) + (T3 - T4)) / 2 with T1 = the time in your request, T4 = time.time() "
                   "when the reply arrived, T2 and T3 = the reply's receive and transmit")
        fail(f"{sent} says the offset is {got_offset:+.4f} s; the server's clock is {offset:+.4f} s from yours.",
             expected=f"{offset:+.4f} s (within {OFFSET_MARGIN} s)", got=f"{got_offset:+.4f} s", trace=trace,
             hint=f"{why}. {HINT_FORMULA}")
    if not -0.01 <= got_delay <= DELAY_LIMIT:
        held = f" (this server held the request {hold} s between T2 and T3)" if hold else ""
        fail(f"{sent} says the delay is {got_delay:.4f} s; on loopback the network takes microseconds{held}.",
             expected=f"0 <= delay < {DELAY_LIMIT} s", got=f"{got_delay:.4f} s", trace=trace,
             hint="delay = (T4 - T1) - (T3 - T2): the round trip minus the time the server held the request. "
                  + HINT_FORMULA)


def _answer_case(sntp_query, *, timeout, tries, offset, hold=0.0, before=(), what="", host=None):
    """A server that answers the first request (maybe after decoys): the right numbers, no decoy believed.
    ``host``: call sntp_query with this name instead of the server's address."""
    fake = _FakeServer(offset=offset, hold=hold, before=before)
    with fake as server:
        outcome = _query(sntp_query, server, timeout, tries, extra=hold, host=host)
    not_written(outcome, outcome.function)
    called = (host or server[0], server[1])
    sent = f"sntp_query({called!r}, timeout={timeout}, tries={tries}){what}"
    trace = fake.text()
    if host and host != server[0]:
        _name_lesson(outcome, fake, sent, called, tuple(server), trace)
    decoys = " and ".join(fake.DECOYS[kind] for kind in before)
    hint = HINT_TRUST if before else HINT_RETRY
    if before and outcome.status == "raised":
        fail(f"{decoys.capitalize()} crashed your client instead of being ignored: {sent} {outcome.clause}."
             f"{_tb(outcome)}", trace=trace, output=outcome.output, hint=HINT_TRUST)
    value = _returned_pair(outcome, sent, trace, hint)
    if before and abs(value[0] - fake.DECOY_OFFSET) < 1.0:
        fail(f"{sent} believed {decoys}: the offset {value[0]:+.3f} s is the decoy's clock.",
             expected=f"offset {offset:+} s, from the real reply that came next", got=f"offset {value[0]:+.3f} s",
             trace=trace, hint=HINT_TRUST)
    _judge_numbers(sent, value, offset, hold, trace)


def _name_lesson(outcome, fake, sent, called, address, trace):
    """sntp_query was called with a name: fail plainly if it never reached or never accepted the server."""
    if not fake.requests:
        fail(f"{sent} sent nothing to the server at {address!r}, the IPv4 address of {called[0]!r}.",
             got=outcome.clause, trace=trace, output=outcome.output,
             hint=f"{called[0]!r} may also have an IPv6 address (::1), where this server does not listen: resolve "
                  "it for IPv4 with socket.gethostbyname(host), and use an AF_INET socket. " + HINT_NAME)
    if (_raised(outcome, TimeoutError) or outcome.status == "timeout") and fake.replies:
        fail(f"{sent} {'raised TimeoutError' if outcome.status == 'raised' else 'never returned'}, but the server "
             f"answered each of your {_plural(len(fake.requests), 'request')}: its replies came from {address!r}, "
             f"while sntp_query was called with {called!r}.",
             expected="the first reply accepted: the sender of a datagram is an address, never a name",
             got=outcome.clause, trace=trace, output=outcome.output, hint=HINT_NAME)


def _refusal_case(sntp_query, *, header, what, code=None, timeout=0.4, tries=3):
    """A server whose every reply is genuine but has no time to give (LI 3, or a kiss-o'-death):
    ConnectionError at once, after one request, naming the kiss code if there is one."""
    fake = _FakeServer(offset=6.5, header=header)
    with fake as server:
        outcome = _query(sntp_query, server, timeout, tries)
    not_written(outcome, outcome.function)
    sent = f"sntp_query(('127.0.0.1', {server[1]}), timeout={timeout}, tries={tries})"
    trace = fake.text()
    expected = "ConnectionError at once, with a message that says why" + (f" (the kiss code {code!r})" if code else "")
    count = len(fake.requests)
    if outcome.status == "returned":
        fail(f"{sent} returned {outcome.value!r:.80} from a reply saying {what}.", expected=expected, trace=trace,
             output=outcome.output, hint=HINT_REFUSE)
    if _raised(outcome, ConnectionError):
        if code and code not in str(outcome.exception):
            fail(f"{sent} raised {type(outcome.exception).__name__}({str(outcome.exception)!r:.100}), which does not "
                 f"name the kiss code; the reply said {what}.", expected=expected, trace=trace,
                 hint="look at the stratum before the leap indicator (a kiss-o'-death often says leap 3 too), and "
                      "put the kiss code, data[12:16].decode('ascii'), in the message. " + HINT_REFUSE)
        if count > 1:
            fail(f"{sent} sent {_plural(count, 'request')} before it raised {type(outcome.exception).__name__}, "
                 f"though the first reply said {what}.", expected=f"{expected}, after 1 request", trace=trace,
                 hint=HINT_REFUSE)
        return
    if _raised(outcome, TimeoutError):
        fail(f"{sent} raised TimeoutError after {_plural(count, 'request')}, but the server answered every one, "
             f"each reply saying {what}.", expected=expected, trace=trace, output=outcome.output,
             hint="ignoring such a reply is not enough: a TimeoutError tells the caller that nobody answered, "
                  "and asking again and again is what a kiss-o'-death asks a client to stop. " + HINT_REFUSE)
    fail(f"{sent} {outcome.clause}, against a server whose replies said {what}.{_tb(outcome)}", expected=expected,
         trace=trace, output=outcome.output, hint=HINT_REFUSE)


UNSYNCHRONISED = {"leap": 3, "stratum": 16, "ref_id": b"INIT"}   # as ntpd answers before it has synchronised
KISS_OF_DEATH = {"leap": 3, "stratum": 0, "ref_id": b"RATE"}     # as ntpd answers a client that asks too often


def _retry_case(sntp_query, *, drop_first, timeout, tries, again=True):
    """The proxy drops the first requests: fresh requests after each timeout, then the right numbers."""
    fake = _FakeServer(offset=-3.25)
    with fake as server, udp_proxy(server, drop_first=drop_first) as proxy:
        outcome = _query(sntp_query, proxy.address, timeout, tries)
    not_written(outcome, outcome.function)
    if again and _raised(outcome, TimeoutError) and len(proxy.report.payloads) == drop_first + 1:
        # The request that is answered went out, but no reply was taken within its short timeout: on a
        # busy machine the reply itself can be that late. Once more with four times the timeout.
        return _retry_case(sntp_query, drop_first=drop_first, timeout=timeout * 4, tries=tries, again=False)
    sent = (f"sntp_query(('127.0.0.1', {proxy.address[1]}), timeout={timeout}, tries={tries}) through a proxy "
            f"that drops the first {_plural(drop_first, 'request')}")
    report = proxy.report
    trace = "what the proxy did with your requests:\n" + _proxy_text(report)
    count = len(report.payloads)
    if outcome.status != "returned" and count <= drop_first:
        what = "was still waiting" if outcome.status == "timeout" else f"gave up: it {outcome.clause}"
        fail(f"{sent} {what}, after {_plural(count, 'request')} and {outcome.elapsed:.2f} s.",
             expected=f"after {timeout} s without a reply, a fresh request; request #{drop_first + 1} is answered",
             got=outcome.stuck_at or f"{_plural(count, 'request')}", trace=trace, output=outcome.output,
             hint=HINT_RETRY)
    value = _returned_pair(outcome, sent, trace, HINT_RETRY)
    transmits = [payload[40:48] for payload in report.payloads]
    if len(set(transmits)) < len(transmits):
        fail(f"{sent} sent the same request {_plural(count, 'time')}.",
             expected="a fresh request every try: build_request(time.time()) again, and T1 = its time",
             trace=trace, hint="with an old T1 the wait for the lost requests counts as network delay. " + HINT_RETRY)
    if count != drop_first + 1:
        fail(f"{sent} sent {_plural(count, 'request')}; {drop_first + 1} were needed.",
             expected=f"{drop_first + 1} requests, one per timeout, none after the answer", got=str(count),
             trace=trace, hint="send one request per try, and stop as soon as a valid reply arrives")
    _judge_numbers(sent, value, fake.offset, 0.0, trace)


def _give_up_case(sntp_query, *, timeout, tries, flood=None, stray=None):
    """A server that never answers (maybe while junk arrives): TimeoutError after tries x timeout.
    ``stray``: one stale reply that many timeouts after each request (a late one shows a wait that restarts)."""
    fake = _FakeServer(silent=True, flood=flood, stray=None if stray is None else stray * timeout)
    with fake as server:
        outcome = _query(sntp_query, server, timeout, tries)
    not_written(outcome, outcome.function)
    sent = f"sntp_query(('127.0.0.1', {server[1]}), timeout={timeout}, tries={tries})"
    situation = "a server that never answers" + (
        f", while stale replies from port {fake.spoof_port} arrive every {flood} s" if flood else "") + (
        f", while one stale reply arrives {stray * timeout:.2f} s after each request" if stray else "")
    trace = fake.text()
    limit = tries * timeout
    sent_at = [when - fake.start for when, _data, _addr in fake.requests]
    name = type(outcome.exception).__name__ if outcome.exception is not None else None
    if outcome.status == "timeout":
        why = (f"it sent {_plural(len(sent_at), 'request')}, more than tries = {tries}: count the tries"
               if len(sent_at) > tries else
               f"it sent {_plural(len(sent_at), 'request')}, then kept waiting: give each try a deadline "
               "(time.monotonic() + timeout) that ignored datagrams do not extend: settimeout(deadline - now) "
               "before every recvfrom")
        fail(f"{sent} never gave up against {situation}.",
             expected=f"TimeoutError after {tries} requests and about {limit:.1f} s",
             got=f"still running after {outcome.elapsed:.1f} s: {outcome.stuck_at}", trace=trace,
             output=outcome.output, hint=why)
    if outcome.status == "returned":
        fail(f"{sent} returned {outcome.value!r:.80} against {situation}: it believed a reply with a wrong "
             "originate timestamp" + ("" if stray else f", from port {fake.spoof_port}") + ".",
             expected="TimeoutError: there was no valid reply", trace=trace, hint=HINT_TRUST)
    if name != "TimeoutError":
        fail(f"Against {situation}, {sent} {outcome.clause}.{_tb(outcome)}",
             expected=f"TimeoutError after {tries} requests", trace=trace, output=outcome.output,
             hint=HINT_RETRY + (" -- and a datagram you ignore must not crash the client" if flood else ""))
    if len(fake.requests) != tries:
        fail(f"{sent} sent {_plural(len(fake.requests), 'request')} to {situation} before giving up.",
             expected=f"{tries} requests, {timeout} s apart", got=str(len(fake.requests)), trace=trace,
             hint=HINT_RETRY)
    if outcome.elapsed > limit + max(0.3, 0.35 * limit):   # a restarted wait takes 1.7 x as long
        gaps = [b - a for a, b in zip(sent_at, sent_at[1:])]
        longest = max(gaps, default=0.0)
        restart = "a wait that starts again after the ignored stale reply (settimeout(timeout) after it)"
        pause = "an extra wait between tries (a sleep, or a second timeout before the next request)"
        if longest > 1.3 * timeout:
            # Strategy: a restarted wait ends timeout after the stray (1 + stray) x timeout into the
            # try; a pause ends it later or earlier. Name one cause only when the gaps say which.
            after_stray = (1 + stray) * timeout if stray else None
            if after_stray and all(abs(gap - after_stray) < 0.1 * timeout for gap in gaps):
                causes = (f"each try ended timeout after the stale reply that came {stray * timeout:.2f} s into "
                          f"it: {restart}")
            elif stray:
                causes = f"likely causes: {restart}, or {pause}"
            else:
                causes = f"likely cause: {pause}"
            why = (f"your tries lasted up to {longest:.2f} s ({longest / timeout:.1f} x timeout); {causes}. A "
                   "try's deadline is time.monotonic() + timeout, set once; before each recvfrom, "
                   "settimeout(deadline - time.monotonic()); send the next request as soon as it passes")
        else:
            why = (f"your requests went out timeout apart, but the call went on {outcome.elapsed - limit:.2f} s "
                   "longer: after the last try's timeout, raise TimeoutError at once (no extra wait or sleep)")
        fail(f"{sent} gave up after {outcome.elapsed:.2f} s against {situation}.",
             expected=f"tries x timeout = {limit:.1f} s (plus a little)",
             got=f"{outcome.elapsed:.2f} s; requests sent at " + ", ".join(f"+{t:.2f} s" for t in sent_at),
             trace=trace, hint=why)
    if outcome.elapsed < limit - timeout / 2:  # slack: on a busy machine the clock may start after the child did
        fail(f"{sent} gave up after {outcome.elapsed:.2f} s, before the last try's timeout ended.",
             expected=f"{limit:.1f} s", got=f"{outcome.elapsed:.2f} s", trace=trace, hint=HINT_RETRY)


@check
def check_sntp_query(sntp_query):
    """Offset and delay, a retry after loss, a forged reply ignored, TimeoutError in time (a late stray
    datagram in every try), a host name, and an unsynchronised server refused."""
    _answer_case(sntp_query, offset=12.5, timeout=0.5, tries=3)
    _retry_case(sntp_query, drop_first=2, timeout=0.2, tries=3)
    _answer_case(sntp_query, offset=12.5, before=("spoof",), timeout=0.5, tries=3)
    _give_up_case(sntp_query, timeout=0.4, tries=3, stray=0.7)
    _answer_case(sntp_query, offset=-4.5, timeout=0.5, tries=2, host="localhost")
    _refusal_case(sntp_query, header=UNSYNCHRONISED,
                  what="leap indicator 3 (its clock is not synchronised), stratum 16")


# ---------------------------------------------------------------------------------------
# Exercise 4: make_ntp_socket + serve_ntp


class _Clock:
    """The clock the student's server serves: ours plus a fixed offset (readable in messages)."""

    def __init__(self, offset):
        self.offset = offset

    @classmethod
    def at(cls, unix_time):
        """A clock that reads ``unix_time`` now and runs on from there."""
        return cls(unix_time - time.time())

    def __call__(self):
        return time.time() + self.offset

    def __repr__(self):
        return f"<clock {self.offset:+} s from time.time()>"


SERVER_OFFSET = 123_456.5     # the server's clock runs about 1.4 days ahead: time.time() would be caught
STAMP_SLACK = 0.002           # float rounding and 32.32 truncation, nothing more
STALE_LIMIT = 600.0           # a stamp this much older than the request: a clock read once, long ago
ERA1_CLOCK = ERA1_START + 0.25   # 2036-02-07 06:28:16.25 UTC: the seconds on the wire start again from 0
HINT_SERVER = ("part 4: recvfrom gives the request and the client's address; the reply is mode 4 with "
               "the request's version, originate = request[40:48] copied unchanged, receive and transmit "
               "from clock(); sendto the address recvfrom returned")


def _serve_child(make_ntp_socket, serve_ntp, clock, host="127.0.0.1"):
    """Run in the child: the student's socket and loop, with the address reported first."""
    sock = make_ntp_socket(host, 0)
    report_ready(sock.getsockname())
    serve_ntp(sock, clock=clock)


def _ntp_server(make_ntp_socket, serve_ntp, clock, *host, deadline):
    """The student's server in a child (``_harness.serving``), a context that yields its ``StudentServer``."""
    return serving(_serve_child, make_ntp_socket, serve_ntp, clock, *host, name="serve_ntp", deadline=deadline,
                   label="your server (make_ntp_socket, then serve_ntp)")


def _client_request(rng, version=4):
    """A client request with a transmit timestamp no server could guess (random bits)."""
    transmit = (rng.randrange(0x80000000, 2**32), rng.randrange(2**32))
    # the poll is a signed byte: chrony asks with -6 (1/64 s) when told to poll fast
    return sntp.SNTPPacket(version=version, mode=3, poll=rng.randrange(-6, 11), transmit=transmit).pack()


@dataclasses.dataclass(frozen=True)
class _Exchange:
    """What some client sockets sent to the server and what came back to each."""

    batches: tuple      # per socket: the datagrams it sent
    ports: tuple        # per socket: its port
    got: tuple          # per socket: [(data, sender), ...] in arrival order
    window: tuple       # (clock() before the first send, clock() after the last reply)


def _exchange(address, batches, clock, wait=1.0):
    """Send each batch from its own socket, all at once; collect replies until each socket has
    one per request it sent (mode 3, 48+ bytes) or ``wait`` runs out."""
    socks = []
    try:
        for _ in batches:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            socks.append(sock)
            sock.bind(("127.0.0.1", 0))
            sock.setblocking(False)
        got = [[] for _ in socks]
        want = [sum(1 for r in batch if len(r) >= 48 and r[0] & 7 == 3) for batch in batches]
        index = {sock.fileno(): i for i, sock in enumerate(socks)}
        poller = select.poll()
        for sock in socks:
            poller.register(sock, select.POLLIN)
        start = clock()
        for sock, batch in zip(socks, batches):
            for datagram in batch:
                sock.sendto(datagram, address)
        until = time.monotonic() + wait
        while any(len(g) < w for g, w in zip(got, want)) and (left := until - time.monotonic()) > 0:
            for fd, _ in poller.poll(max(1, int(left * 1000))):
                _drain(socks[index[fd]], got[index[fd]])
        for sock, replies in zip(socks, got):   # an extra reply already queued is seen too
            _drain(sock, replies)
        end = clock()
        return _Exchange(tuple(map(tuple, batches)), tuple(s.getsockname()[1] for s in socks),
                         tuple(got), (start, end))
    finally:
        for sock in socks:
            sock.close()


def _drain(sock, into):
    with contextlib.suppress(BlockingIOError, ConnectionError):
        while True:
            into.append(sock.recvfrom(2048))


def _server_died(handle, what, hint=None):
    """If the student's server process has ended, fail with how it ended."""
    if handle.alive:
        return
    outcome = handle.end()
    if "format requires -128 <= number <= 127" in outcome.clause + (outcome.traceback or ""):
        hint = ("struct refused a number above 127 for a signed byte ('b'): data[2], the request's poll, is "
                "read as 0-255, and a negative poll (chrony sends -6) is 250 that way. Copy the byte itself "
                "(data[2:3]), or pack it with 'B' (unsigned)")
    fail(f"Your server stopped {what}: serve_ntp {outcome.clause}.{_tb(outcome)}", output=outcome.output,
         hint=hint or "a server answers forever: a loop around recvfrom that never returns, and that skips "
                      "(`continue`) datagrams it does not understand instead of crashing on them")


def _judge_reply(request, data, sender, address, window, clock, label):
    """One reply to ``request``: from the server's port, 48 bytes, mode 4, version and originate
    copied, receive and transmit from clock() between the request's sending and the reply's arrival."""
    trace = "your server was sent:\n" + _dump(request) + "\nand answered:\n" + _dump(data)
    era1 = window[0] >= ERA1_START
    if tuple(sender[:2]) != tuple(address):
        fail(f"{label}: the reply came from port {sender[1]}, not from the server's port {address[1]}.",
             trace=trace, hint="answer with sock.sendto(reply, client) on the socket that received the request")
    if len(data) != 48:
        if len(request) > 48:
            fail(f"{label}: the reply has {len(data)} bytes" + (", as many as the request" if len(data) == len(request)
                                                                else "") + "; an SNTP reply has exactly 48.",
                 sent=f"{len(request)} bytes: the 48-byte packet, then {len(request) - 48} bytes of key ID and "
                      "message authentication code (MAC), as NTPv4 may append", expected="a 48-byte reply",
                 trace=trace, hint="the reply is the 48 bytes of the packet, whatever follows the request's 48th "
                                   "byte: build it from its fields (struct.pack) instead of patching a copy of the "
                                   "request, and send nothing after byte 47. See " + HINT_SERVER)
        fail(f"{label}: the reply has {len(data)} bytes; an SNTP reply has 48.", trace=trace, hint=HINT_SERVER)
    first = data[0]
    mode, version = first & 7, first >> 3 & 7
    if mode != 4:
        why = ("mode 3 is a client's request: did you send the request's first byte back?" if mode == 3
               else f"mode {mode} is '{sntp.MODES[mode]}'")
        fail(f"{label}: the reply is in mode {mode}; a server replies in mode 4 ({why}).",
             expected=f"byte 0 = LI 0 | version {request[0] >> 3 & 7} | mode 4",
             got=f"byte 0 = {first:#04x} = 0b{first >> 6:02b}_{version:03b}_{mode:03b}", trace=trace,
             hint=HINT_SERVER)
    if data[24:32] != request[40:48]:
        originate = data[24:32]
        if originate == bytes(8):
            why = "the originate field is zero: copy the request's transmit timestamp (bytes 40-47) into it"
        elif window[0] - 5 <= _plain_unix(*struct.unpack("!II", originate)) <= window[1] + 5:
            why = "the originate field holds the server's own time; it must hold the client's, copied from the request"
        else:
            why = "the originate field must be the request's bytes 40-47, copied unchanged"
        fail(f"{label}: the reply's originate timestamp is not the request's transmit timestamp: {why}.",
             expected=f"bytes 24-31 = {request[40:48].hex(' ')}", got=f"bytes 24-31 = {originate.hex(' ')}",
             trace=trace, hint="RFC 4330 section 5: originate is how a client knows the reply is its own. "
                               "See " + HINT_SERVER)
    if version != request[0] >> 3 & 7:
        fail(f"{label}: the reply says version {version}; the request was version {request[0] >> 3 & 7}.",
             expected="the request's version, copied", got=f"byte 0 = {first:#04x} = {first:08b}", trace=trace,
             hint="version = request[0] >> 3 & 0b111, put back in the same 3 bits of the reply")
    low, high = window
    for name, offset in (("receive", 32), ("transmit", 40)):
        raw = data[offset:offset + 8]
        when = _unix(*struct.unpack("!II", raw))
        if not low - STAMP_SLACK <= when <= high + STAMP_SLACK:
            mistake = _timestamp_mistake(raw, low, high, tol=STAMP_SLACK)
            if low - clock.offset - 1 <= when <= high - clock.offset + 1:
                mistake = "that is time.time(); the server must tell the time of the clock it was given: clock()"
            elif mistake is None and low - STALE_LIMIT <= when < low:
                mistake = (f"that time is {low - when:.3f} s older than the request: a clock read once (before "
                           "the loop, or in make_ntp_socket) and reused for every reply does this. Read clock() "
                           "for each request: receive when it arrives, transmit just before sendto")
            elif mistake is None:
                mistake = ("that is neither clock() nor time.time() in a format mistake this check knows: look "
                           "at the bytes against the expected time below")
            fail(f"{label}: the reply's {name} timestamp says {_when(when)}, but the server's clock read between "
                 f"{_when(low)} and {_when(high)} while the request was out.",
                 expected=f"clock() at that moment (the clock runs {clock.offset:+} s from time.time())"
                          + (f": seconds {sntp.to_ntp(low)[0]} (era 1, modulo 2**32)" if era1 else ""),
                 got=f"bytes {offset}-{offset + 7} = {raw.hex(' ')}", trace=trace,
                 hint=mistake + ". See " + (HINT_ERA if era1 else HINT_TIMESTAMP))


def _ask_clients(handle, address, clock, requests, label, wait=1.0, died=None):
    """Every request from its own socket at once; each client must get exactly its own reply.
    ``died`` is the hint for a server that stopped meanwhile, where these requests teach something."""
    ex = _exchange(address, [[r] for r in requests], clock, wait=wait)
    owner = {batch[0][40:48]: i for i, batch in enumerate(ex.batches)}
    for i, replies in enumerate(ex.got):
        for data, _sender in replies:
            j = owner.get(data[24:32], i)
            if j != i:
                fail(f"{label}: client #{i} (port {ex.ports[i]}) received the reply meant for client #{j} "
                     f"(port {ex.ports[j]}).", expected="each reply sent to the address that recvfrom returned "
                     "with its request", got=f"{_plural(len(replies), 'reply', 'replies')} at client #{i}",
                     hint="reply with sock.sendto(reply, client), where client comes from the same recvfrom "
                          "as the request; never from a stored address")
    silent = [i for i, replies in enumerate(ex.got) if not replies]
    if silent:
        _server_died(handle, f"while {_plural(len(requests), 'client')} waited ({label})", died)
        first = silent[0]
        fail(f"{label}: {len(silent)} of {_plural(len(requests), 'client')} got no reply within {wait} s, "
             "while your server was still running.",
             sent=f"{_plural(len(requests), 'request')}, each from its own socket, all at once",
             expected="one reply per client", got=f"{len(requests) - len(silent)} answered",
             trace=f"client #{first} (port {ex.ports[first]}) sent:\n{_dump(requests[first])}",
             hint="every datagram of 48 bytes or more in mode 3 gets a reply, sent to the address its recvfrom "
                  "returned, whatever its version (3 or 4), poll or transmit time; a server that stops answering "
                  "after some requests, or waits for something else between them, misses the rest. "
                  "Keep serving: a loop of recvfrom / sendto(reply, client) that never stops")
    for i, (request, port, replies) in enumerate(zip(requests, ex.ports, ex.got)):
        where = f"{label}, client #{i} (port {port})"
        _judge_reply(request, *replies[0], address, ex.window, clock, where)
        if len(replies) > 1:
            fail(f"{where}: one request, {_plural(len(replies), 'reply', 'replies')}.", expected="exactly one reply per request",
                 trace="\n".join(_dump(d) for d, _ in replies[:2]), hint="one sendto per request received")
    return [replies[0][0] for replies in ex.got]


def _ntplib_accepts(handle, address, clock, version=4):
    import ntplib  # here, not at the top: only this check needs a real client library

    try:
        stats = ntplib.NTPClient().request(address[0], port=address[1], version=version, timeout=1.0)
    except ntplib.NTPException as exc:
        _server_died(handle, "when ntplib asked")
        fail(f"ntplib (a real NTP client, version {version}) did not accept your server: {exc}",
             sent=f"one 48-byte request, version {version}, mode 3, from a socket of its own",
             expected="a reply within 1 s, to the address and port the request came from",
             hint=f"your server answered this check's own clients; ntplib differs in its request (poll 0, "
                  f"version {version}, its own transmit time) and reads the reply only on the socket it sent "
                  "from. See " + HINT_SERVER)
    if stats.mode != 4 or abs(stats.offset - clock.offset) > 1.0:
        fail(f"ntplib asked your server (version {version}) and computed an offset of {stats.offset:+.3f} s "
             f"(mode {stats.mode}).", expected=f"offset {clock.offset:+} s (the clock the server was given), mode 4",
             hint=HINT_SERVER)


def _start_server(handle):
    address = handle.ready(timeout=5.0, name="make_ntp_socket")
    if not (isinstance(address, tuple) and len(address) >= 2):
        fail(f"make_ntp_socket returned a socket whose getsockname() is {address!r}.",
             expected="a UDP socket bound to ('127.0.0.1', port)", hint="sock.bind((host, port))")
    return tuple(address[:2])


def _era_died(when):
    return (f"its clock() said {_when(when)}, after 2036-02-07 06:28:16 UTC, when NTP's 32-bit seconds run "
            "out: a server that packs the seconds since 1900 without modulo 2**32 raises there (struct.error, "
            "OverflowError). Write them modulo 2**32 (era 1). See " + HINT_ERA)


def _era_server(make_ntp_socket, serve_ntp, when, rng, clients=2, host="127.0.0.1"):
    """A server whose clock reads ``when`` (after 2036): replies in era 1, and it does not die."""
    clock = _Clock.at(when)
    with _ntp_server(make_ntp_socket, serve_ntp, clock, host, deadline=10.0) as handle:
        address = _start_server(handle)
        label = f"a server whose clock reads {_when(when)}"
        _ask_clients(handle, address, clock, [_client_request(rng) for _ in range(clients)], label,
                     died=_era_died(when))
        _server_died(handle, f"after answering ({label})", _era_died(when))


@check
def check_ntp_server(make_ntp_socket, serve_ntp):
    """Two clients, then 100 clients at once, then ntplib: mode 4, originate echoed, the time of clock();
    then a server whose clock is just past 2036-02-07 06:28:16 (era 1)."""
    clock = _Clock(SERVER_OFFSET)
    rng = random.Random(4)
    with _ntp_server(make_ntp_socket, serve_ntp, clock, deadline=20.0) as handle:
        address = _start_server(handle)
        _ask_clients(handle, address, clock, [_client_request(rng) for _ in range(2)], "two clients at once")
        _ask_clients(handle, address, clock, [_client_request(rng) for _ in range(100)], "100 clients at once")
        _ntplib_accepts(handle, address, clock)
        _server_died(handle, "after answering")
    _era_server(make_ntp_socket, serve_ntp, ERA1_CLOCK, rng)


# ---------------------------------------------------------------------------------------
# Exercise 5: ping


HINT_PING = ("part 5: put the ping number in each payload, and take as the echo of ping i only the "
             "datagram that carries i; anything else (a duplicate or a late echo of an earlier "
             "ping) is ignored, and the wait for ping i ends timeout seconds after it was sent")


def _echo(data, addr):
    return data


def _rtts_text(rtts, limit=24):
    """A returned list in milliseconds, e.g. ``[0.41, None, 0.38] ms``."""
    shown = [f"{r * 1e3:.2f}" if isinstance(r, (int, float)) and not isinstance(r, bool) else repr(r)
             for r in list(rtts)[:limit]]
    return "[" + ", ".join(shown) + (", ..." if len(rtts) > limit else "") + "] ms"


def _ping_outcome(ping, address, count, timeout, host=None):
    """Run ping in a child, called with (host or the address, port)."""
    server = (host or address[0], address[1])
    return run(ping, server, count=count, timeout=timeout, deadline=count * timeout + 2.0)


def _units(rtt, held, timeout):
    """A returned round-trip time that is not seconds between 0 and timeout: what it looks like."""
    if held and held * 1e3 * 0.8 <= rtt <= (timeout + 0.05) * 1e3:
        return (f", but that echo was held {held} s ({held * 1e3:g} ms) on the way: {rtt:.1f} looks like "
                "milliseconds", "return seconds, as time.perf_counter() - sent_at gives them: no * 1000")
    if held and held * 1e6 * 0.8 <= rtt <= (timeout + 0.05) * 1e6:
        return (f", but that echo was held {held} s on the way: {rtt:.0f} looks like microseconds",
                "return seconds, as time.perf_counter() - sent_at gives them: no * 1e6")
    if isinstance(rtt, (int, float)) and rtt > timeout:
        return (f", more than the timeout ({timeout} s), though the echo was in time",
                "if that is milliseconds, return seconds (no * 1000); if it is seconds, the clock started too "
                "early: rtt = time.perf_counter() - sent_at, with sent_at taken just before sendto")
    return ("", "rtt = time.perf_counter() - sent_at, measured when the echo arrives")


def _judge_ping(outcome, label, count, timeout, lost, trace, sent, cause=None, late=None, held=None,
                called=None, address=None):
    """``lost``: the pings that got no echo within timeout; ``late``: {ping: (s, why)} for those of
    them whose echo the server sent after s seconds, too late, and why a pinger might count it;
    ``cause(i)`` explains a lost ping i reported with a time; ``held``: every echo took at least
    that long; ``called``/``address``: ping was called with a name, the echoes come from the address."""
    late = late or {}
    not_written(outcome, outcome.function)
    if outcome.status != "returned":
        fail(f"{label}: ping {outcome.clause}" + (f": {outcome.stuck_at}" if outcome.stuck_at else "") + _tb(outcome),
             trace=trace, output=outcome.output,
             hint="set a timeout on the socket (settimeout) and catch TimeoutError: a lost ping is a None, "
                  "not an error. " + HINT_PING)
    rtts = outcome.value
    if not isinstance(rtts, list):
        fail(f"{label}: ping returned {type(rtts).__name__} {rtts!r:.80}.", expected=f"a list of {count} entries",
             hint="return a list: the round-trip time of each ping, or None")
    if len(rtts) != count:
        extra = (": more entries than pings -- were duplicate echoes counted as received twice?"
                 if len(rtts) > count else ".")
        fail(f"{label}: ping returned {len(rtts)} entries for {count} pings{extra}",
             expected=f"{count} entries, entry i for ping i", got=_rtts_text(rtts), trace=trace, hint=HINT_PING)
    if sent != count:
        fail(f"{label}: the echo side received {sent} pings, but you were asked for {count}.",
             expected=f"each ping sent once ({count} datagrams)", trace=trace,
             hint="send ping i once, wait for its echo up to timeout, then go on to ping i + 1")
    got_lost = [i for i, rtt in enumerate(rtts) if rtt is None]
    if called and called != address and len(got_lost) == count and len(lost) < count:
        fail(f"{label}: you report all {count} pings lost, but the echo server answered {count - len(lost)} of "
             f"them in time: its echoes came from {address!r}, while ping was called with {called!r}.",
             expected=f"lost: {sorted(lost)}", got=f"lost: {got_lost}", trace=trace,
             hint=HINT_NAME + ". " + HINT_PING)
    for i, rtt in enumerate(rtts):
        if i in late and isinstance(rtt, (int, float)) and not isinstance(rtt, bool) and rtt > timeout:
            echo_at, why = late[i]
            fail(f"{label}: ping {i}'s echo came only {echo_at:g} s after it was sent, later than the timeout "
                 f"({timeout} s), but you report a round-trip time of {rtt * 1e3:.1f} ms. {why}",
                 expected=f"lost: {sorted(lost)} (an echo later than timeout means the ping is lost: None)",
                 got=f"lost: {got_lost}, {_rtts_text(rtts)}", trace=trace,
                 hint="give the wait for ping i one deadline, sent_at + timeout, that other datagrams do not "
                      "extend: settimeout(deadline - time.perf_counter()) before every recvfrom, not the whole "
                      "timeout again after each datagram you ignore. " + HINT_PING)
        number = isinstance(rtt, (int, float)) and not isinstance(rtt, bool)
        if rtt is not None and not (number and 0 < rtt <= timeout + 0.05):
            seen, hint = _units(rtt, held, timeout) if number else ("", "return a float number of seconds")
            fail(f"{label}: ping {i}'s round-trip time is {rtt!r}{seen}.",
                 expected=f"a number of seconds between 0 and the timeout ({timeout} s), or None",
                 got="[" + ", ".join(map(repr, rtts[:12])) + (", ...]" if len(rtts) > 12 else "]"), hint=hint)
        if held and rtt is not None and rtt < held * 0.8:
            fail(f"{label}: ping {i}'s round-trip time is {rtt!r} s, but its echo was held {held} s on the way: "
                 "it cannot have come back sooner.", expected=f"about {held} s or a little more",
                 got="[" + ", ".join(map(repr, rtts[:12])) + "]", trace=trace,
                 hint="was the time taken before the echo arrived (right after sendto), or as a difference of "
                      "two clocks? rtt = time.perf_counter() - sent_at, the first taken just before sendto, the "
                      "second when recvfrom returns the echo")
    for i in range(count):
        if i in lost and rtts[i] is not None:
            why = cause(i) if cause else ""
            fail(f"{label}: ping {i} never got an echo, but you report a round-trip time of {rtts[i] * 1e3:.3f} ms."
                 + (f" {why}" if why else ""),
                 expected=f"lost: {sorted(lost)} ({len(lost)} of {count})",
                 got=f"lost: {got_lost} ({len(got_lost)} of {count})", trace=trace, hint=HINT_PING)
        if i not in lost and rtts[i] is None:
            fail(f"{label}: ping {i}'s echo came back in time, but you report it lost.",
                 expected=f"lost: {sorted(lost)}", got=f"lost: {got_lost}", trace=trace,
                 hint="likely causes: the echo was not recognised as ping i's (compare it with what ping i "
                      "sent, or with its number), or the wait for it ended before timeout seconds had passed "
                      "(measure it with the same clock as sent_at). " + HINT_PING)


def _proxy_case(ping, *, count, timeout, seed, drop, duplicate):
    with udp_server(_echo) as echo, udp_proxy(echo, drop=drop, duplicate=duplicate, seed=seed) as proxy:
        outcome = _ping_outcome(ping, proxy.address, count, timeout)
    report = proxy.report
    label = f"ping(<proxy>, count={count}, timeout={timeout}) through a proxy (drop={drop}, duplicate={duplicate}, seed={seed})"
    trace = "what the proxy did with each ping:\n" + str(report)

    def cause(i):
        earlier = [d for d in report.duplicated if d < i]
        return (f"The proxy duplicated ping {earlier[0]}, so an extra echo was waiting in your socket, and "
                f"you took the echo of an earlier ping for ping {i}'s." if earlier else "")

    _judge_ping(outcome, label, count, timeout, set(report.dropped), trace, len(report.payloads), cause)


PING_HOLD = 0.05   # the echo is held this long on the way: RTTs in milliseconds show


def _held_case(ping, count=3, timeout=0.3):
    """Every echo held PING_HOLD s by a proxy: each RTT is about PING_HOLD seconds (not 50 ms)."""
    with udp_server(_echo) as echo, udp_proxy(echo, delay=PING_HOLD) as proxy:
        outcome = _ping_outcome(ping, proxy.address, count, timeout)
    label = f"ping(<proxy>, count={count}, timeout={timeout}) through a proxy that holds each datagram {PING_HOLD} s"
    _judge_ping(outcome, label, count, timeout, set(), "what the proxy did:\n" + str(proxy.report),
                len(proxy.report.payloads), held=PING_HOLD)


def _name_case(ping, count=3, timeout=0.2, host="localhost"):
    """ping called with a host name: the echoes come from its address, and count."""
    seen = []
    with udp_server(lambda data, addr: seen.append(data) or data) as echo:
        outcome = _ping_outcome(ping, echo, count, timeout, host=host)
    called = (host, echo[1])
    label = f"ping({called!r}, count={count}, timeout={timeout})"
    trace = f"the echo server at {tuple(echo)!r} echoed each of the {_plural(len(seen), 'datagram')} it received"
    _judge_ping(outcome, label, count, timeout, set(), trace, len(seen), called=called, address=tuple(echo))


# Seeds chosen so that a ping right after a duplicated one is dropped (a pinger that takes any
# datagram as the echo is caught), with a handful of losses in a short run.
PING_VISIBLE = {"count": 16, "timeout": 0.2, "seed": 2, "drop": 0.2, "duplicate": 0.3}   # drops 3, 8; dups 1, 11


@check
def check_ping(ping):
    """Each ping's RTT in seconds, exactly the pings the lossy proxy dropped despite duplicates, and a
    server given by name."""
    _held_case(ping)
    _proxy_case(ping, **PING_VISIBLE)
    _name_case(ping)


