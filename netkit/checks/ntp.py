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
import re
import select
import socket
import struct
import threading
import time

from .. import sntp
from ..proxies import udp_proxy
from ..runner import background, report_ready, run
from ..servers import udp_server
from ..wire import hexdump
from ._base import CheckFailed, check, fail, show_bytes
from ._cases import run_cases

__all__ = [
    "check_build_request",
    "check_parse_reply",
    "check_sntp_query",
    "check_ntp_server",
    "check_ping",
]

OFFSET = sntp.NTP_EPOCH_OFFSET
TIME_TOLERANCE = 1e-5          # a float Unix time in 2024 resolves about 2.4e-7 s

HINT_PACKET = ("the SNTP packet in part 2: byte 0 = LI (2 bits) | VN (3 bits) | Mode (3 bits), "
               "timestamps at bytes 16/24/32/40, all big-endian (struct '!')")
HINT_TIMESTAMP = ("'Timestamps: seconds since 1900, in 32.32 fixed point' in part 2: the first 32 bits "
                  "are seconds since 1900 (Unix time + NTP_EPOCH_OFFSET), the last 32 the fraction "
                  "in units of 2**-32 s, both big-endian")


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
    """NTP (seconds, fraction) as Unix time, era 0 only: what a student's code computes."""
    return seconds - OFFSET + fraction / 2**32


def _when(unix_time):
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(unix_time)) + f"{unix_time % 1:.6f}"[1:] + " UTC"
    except (OverflowError, OSError, ValueError):
        return "far outside any calendar"


def _cases(func, cases, forbid=()):
    """One ``Result`` per case (a tuple of arguments), all run in one child process."""
    return run_cases(func, [(tuple(case), {}) for case in cases], forbid=forbid)


def _not_written(outcome):
    """Fail plainly when the student's code (or a stub it calls) still raises NotImplementedError."""
    if outcome.status == "raised" and type(outcome.exception).__name__ == "NotImplementedError":
        names = re.findall(r", in (\w+)", outcome.traceback or "")
        name = names[-1] if names else outcome.function
        fail(f"{name} is not written yet (it raises NotImplementedError).",
             hint=f"replace `raise NotImplementedError()` in {name} with your code, run that cell, "
                  "then run this one again")


def _not_written_or(exc, names):
    """``background().ready()`` failed: say "not written yet" plainly, else re-raise its lesson."""
    text = str(exc)
    if "NotImplementedError" in text:
        found = re.findall(r", in (\w+)", text)
        name = found[-1] if found else names[-1]
        fail(f"{name} is not written yet (it raises NotImplementedError).",
             hint=f"replace `raise NotImplementedError()` in {name} with your code, run that cell, "
                  "then run this one again")
    raise exc


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
    if raw == bytes(8):
        return "the timestamp is all zeros"
    hypotheses = [
        (_plain_unix(le_sec, le_frac), "the bytes are little-endian (host order); the network wants "
                                       "big-endian: '!' in struct, or 'big'"),
        (_plain_unix(*whole_le), "the bytes are little-endian (host order); the network wants "
                                 "big-endian: '!' in struct, or 'big'"),
        (sec + frac / 2**32, "the seconds count from 1970 (Unix time); NTP counts from 1 January 1900, "
                             f"so add NTP_EPOCH_OFFSET = {OFFSET}"),
        (sec - 2 * OFFSET + frac / 2**32, "NTP_EPOCH_OFFSET was added twice"),
    ]
    for scale, name in ((10**9, "10**9 (nanoseconds)"), (10**6, "10**6 (microseconds)"),
                        (2**16, "2**16"), (10**3, "10**3 (milliseconds)")):
        hypotheses.append((sec - OFFSET + frac / scale,
                           f"the fraction is counted in units of 1/{name}; NTP counts it in units of "
                           "2**-32 s: fraction = int(part_after_the_point * 2**32)"))
    for value, why in hypotheses:
        if low - tol <= value <= high + tol:
            return why
    if frac == 0 and low - 1 - tol <= sec - OFFSET <= high + tol:
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
    if abs(_plain_unix(sec, frac) - t) > TIME_TOLERANCE:
        mistake = _timestamp_mistake(raw, t)
        if raw == bytes(8):
            mistake = "the transmit timestamp is all zeros: put transmit_time into bytes 40-47"
        moved = [name for name, offset, size in sntp.FIELDS
                 if size == 8 and offset != 40 and got[offset:offset + 8] == want[40:48]]
        if moved:
            mistake = f"the timestamp is in the {moved[0]} field; the transmit timestamp is bytes 40-47"
        fail(f"{label}: the transmit timestamp (bytes 40-47) does not say {t!r} ({_when(t)}).",
             expected=f"{want[40:48].hex(' ')}  (seconds {sntp.to_ntp(t)[0]}, fraction {sntp.to_ntp(t)[1]})",
             got=f"{raw.hex(' ')}  (seconds {sec}, fraction {frac}: {_when(_plain_unix(sec, frac))})",
             trace="your request:\n" + _dump(got),
             hint=(mistake + ". See " if mistake else "") + HINT_TIMESTAMP)
    others = [name for name, offset, size in sntp.FIELDS[1:-1] if any(got[offset:offset + size])]
    if others:
        fail(f"{label}: fields other than byte 0 and the transmit timestamp are not zero: {', '.join(others)}.",
             trace=f"expected:\n{_dump(want)}\nyours:\n{_dump(got)}",
             hint="a client leaves every other field zero (RFC 4330 section 5); the server fills them in")


_VISIBLE_TIMES = (1_000_000_000.5, 1_234_567_890.25, 1_700_000_000.123456)


@check
def check_build_request(build_request):
    """build_request(t) is 48 bytes: 0x23, zeros, and t as an NTP timestamp at bytes 40-47."""
    results = _cases(build_request, [(t,) for t in _VISIBLE_TIMES])
    for t, result in zip(_VISIBLE_TIMES, results):
        if result.raised:
            fail(f"build_request({t!r}) {result}", hint=HINT_TIMESTAMP)
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
    result.update({name: _plain_unix(*getattr(p, name)) for name in _STAMP_AT})
    return result


def _stamp_mistake(data, name, got):
    """Name the classic mistake that reads timestamp ``name`` of ``data`` as ``got``, or None."""
    offset = _STAMP_AT[name]
    sec, frac = struct.unpack_from("!II", data, offset)
    le_sec, le_frac = struct.unpack_from("<II", data, offset)
    candidates = [
        (sec + frac / 2**32, "this is seconds since 1900: subtract NTP_EPOCH_OFFSET to get Unix time"),
        (sec + OFFSET + frac / 2**32, "NTP_EPOCH_OFFSET was added; going from NTP to Unix time subtracts it"),
        (sec - OFFSET + frac / 10**9, "the fraction was divided by 10**9; it counts units of 2**-32 s, divide by 2**32"),
        (sec - OFFSET + frac / 10**6, "the fraction was divided by 10**6; divide by 2**32"),
        (sec - OFFSET + frac / 2**16, "the fraction was divided by 2**16; it has 32 bits, divide by 2**32"),
        (sec - OFFSET + frac / (2**32 - 1), None),  # close enough to be right
        (_plain_unix(le_sec, le_frac), "the bytes were read little-endian; use '!' (or 'big')"),
        (sec - OFFSET, "the fraction of a second is missing: add fraction / 2**32"),
        (sec - OFFSET + frac, "the fraction was added as a whole number; divide it by 2**32"),
    ]
    for value, why in candidates:
        if why and abs(got - value) < 1e-3:
            return why
    for other, other_offset in _STAMP_AT.items():
        if other != name and abs(got - _plain_unix(*struct.unpack_from("!II", data, other_offset))) < 1e-3:
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
            fail(f"{label}: {key} is {value!r}, expected {want[key]!r} ({_when(want[key])}).",
                 sent=f"bytes {offset}-{offset + 7} = {data[offset:offset + 8].hex(' ')} "
                      f"(seconds {sec}, fraction {frac} = {frac / 2**32:.6f} s)",
                 trace="the packet:\n" + _dump(data),
                 hint=(why + ". See " if why else "") + HINT_TIMESTAMP)


def _check_short(results, shorts, label):
    for data, result in zip(shorts, results):
        if result.raised_a("ValueError"):
            continue
        fail(f"{label}({show_bytes(data, 20)}) {result}; a packet shorter than 48 bytes must raise ValueError.",
             sent=f"{len(data)} byte{'s' if len(data) != 1 else ''}", expected="ValueError (raise ValueError('...') yourself)",
             hint="a datagram can be cut short or forged: check len(data) < 48 first "
                  "(struct.error is not a ValueError)")


def _visible_packets():
    t = 1_700_000_000
    stamps = {"reference": sntp.to_ntp(t - 64.0), "originate": sntp.to_ntp(t + 0.5),
              "receive": sntp.to_ntp(t + 42.75), "transmit": sntp.to_ntp(t + 42.875)}
    return [
        _packet(0, 4, 4, 2, stamps),
        _packet(3, 3, 4, 0, {"reference": (0x80000000, 1), "originate": sntp.to_ntp(t + 0.001),
                             "receive": sntp.to_ntp(t + 7.5), "transmit": sntp.to_ntp(t + 7.999)}),
        _packet(1, 4, 5, 15, stamps, trailer=bytes(4) + bytes(range(16))),
    ]


def _check_parser(parse_reply, packets, shorts, forbid=()):
    results = _cases(parse_reply, [(p,) for p in packets + shorts], forbid=forbid)
    for data, result in zip(packets, results):
        label = f"parse_reply(<{len(data)} bytes>)"
        if result.raised:
            fail(f"{label} {result}", trace="the packet:\n" + _dump(data),
                 hint="a packet of 48 bytes or more is valid; ignore bytes after the 48th. See " + HINT_PACKET)
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

    ``log`` keeps what crossed, for the failure message: (time.monotonic(), line).
    """

    DECOY_OFFSET = 1000.0
    DECOYS = {
        "spoof": "a forged reply from another port (address right, port wrong)",
        "stale": "a reply with a wrong originate timestamp (a stale or forged reply)",
        "short": "a truncated reply (40 bytes)",
        "mode3": "a mode-3 packet (a request, not a reply)",
    }

    def __init__(self, offset=12.5, silent=False, hold=0.0, before=(), flood=None):
        self.offset, self.silent, self.hold, self.before, self.flood = offset, silent, hold, before, flood
        self.requests = []        # (time.monotonic(), data, addr)
        self.log = []
        self.start = time.monotonic()
        self._spoof = None
        self._stop = threading.Event()
        self._flood_thread = None
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

    def _reply(self, data, clock_offset, *, received=None, mode=4, originate=None):
        now = time.time() + clock_offset
        packet = sntp.reply(sntp.SNTPPacket.unpack(data), now if received is None else received, now)
        fields = {"mode": mode} if mode != 4 else {}
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
        replies.append(self._reply(data, self.offset, received=received))
        self._note(f"<- the real reply from the server's port {self.address[1]}: clock {self.offset:+} s"
                   + (f", held {self.hold} s between T2 and T3" if self.hold else ""))
        return replies

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


def _query(sntp_query, address, timeout, tries, extra=0.0):
    """Run sntp_query in a child; the Outcome (with .elapsed)."""
    deadline = tries * timeout + 1.5 + extra
    return run(sntp_query, tuple(address), timeout=timeout, tries=tries, deadline=deadline, forbid=("ntplib",))


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


def _answer_case(sntp_query, *, timeout, tries, offset, hold=0.0, before=(), what=""):
    """A server that answers the first request (maybe after decoys): the right numbers, no decoy believed."""
    fake = _FakeServer(offset=offset, hold=hold, before=before)
    with fake as server:
        outcome = _query(sntp_query, server, timeout, tries, extra=hold)
    _not_written(outcome)
    sent = f"sntp_query(('127.0.0.1', {server[1]}), timeout={timeout}, tries={tries}){what}"
    trace = fake.text()
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


def _retry_case(sntp_query, *, drop_first, timeout, tries):
    """The proxy drops the first requests: fresh requests after each timeout, then the right numbers."""
    fake = _FakeServer(offset=-3.25)
    with fake as server, udp_proxy(server, drop_first=drop_first) as proxy:
        outcome = _query(sntp_query, proxy.address, timeout, tries)
    _not_written(outcome)
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


def _give_up_case(sntp_query, *, timeout, tries, flood=None):
    """A server that never answers (maybe while junk arrives): TimeoutError after tries x timeout."""
    fake = _FakeServer(silent=True, flood=flood)
    with fake as server:
        outcome = _query(sntp_query, server, timeout, tries)
    _not_written(outcome)
    sent = f"sntp_query(('127.0.0.1', {server[1]}), timeout={timeout}, tries={tries})"
    situation = "a server that never answers" + (
        f", while stale replies from port {fake.spoof_port} arrive every {flood} s" if flood else "")
    trace = fake.text()
    limit = tries * timeout
    name = type(outcome.exception).__name__ if outcome.exception is not None else None
    if outcome.status == "timeout":
        fail(f"{sent} never gave up against {situation}.",
             expected=f"TimeoutError after {tries} requests and about {limit:.1f} s",
             got=f"still running after {outcome.elapsed:.1f} s: {outcome.stuck_at}", trace=trace,
             output=outcome.output,
             hint="count the tries, and give each try a deadline (time.monotonic() + timeout) that ignored "
                  "datagrams do not extend: settimeout(deadline - now) before every recvfrom")
    if outcome.status == "returned":
        fail(f"{sent} returned {outcome.value!r:.80} against {situation}.",
             expected="TimeoutError: there was no valid reply", trace=trace, hint=HINT_TRUST)
    if name != "TimeoutError":
        fail(f"Against {situation}, {sent} {outcome.clause}.{_tb(outcome)}",
             expected=f"TimeoutError after {tries} requests", trace=trace, output=outcome.output,
             hint=HINT_RETRY + (" -- and a datagram you ignore must not crash the client" if flood else ""))
    if len(fake.requests) != tries:
        fail(f"{sent} sent {_plural(len(fake.requests), 'request')} to {situation} before giving up.",
             expected=f"{tries} requests, {timeout} s apart", got=str(len(fake.requests)), trace=trace,
             hint=HINT_RETRY)
    if outcome.elapsed > limit + 0.3:
        fail(f"{sent} gave up after {outcome.elapsed:.2f} s against {situation}.",
             expected=f"tries x timeout = {limit:.1f} s (plus a little)", got=f"{outcome.elapsed:.2f} s",
             trace=trace,
             hint="wait timeout seconds per try, once: a try's deadline is time.monotonic() + timeout, "
                  "and datagrams you ignore do not restart it")
    if outcome.elapsed < limit - timeout / 2:  # slack: on a busy machine the clock may start after the child did
        fail(f"{sent} gave up after {outcome.elapsed:.2f} s, before the last try's timeout ended.",
             expected=f"{limit:.1f} s", got=f"{outcome.elapsed:.2f} s", trace=trace, hint=HINT_RETRY)


@check
def check_sntp_query(sntp_query):
    """Offset and delay, a retry after loss, a forged reply ignored, TimeoutError in time."""
    _answer_case(sntp_query, offset=12.5, timeout=0.5, tries=3)
    _retry_case(sntp_query, drop_first=2, timeout=0.2, tries=3)
    _answer_case(sntp_query, offset=12.5, before=("spoof",), timeout=0.5, tries=3)
    _give_up_case(sntp_query, timeout=0.2, tries=3)


# ---------------------------------------------------------------------------------------
# Exercise 4: make_ntp_socket + serve_ntp


class _Clock:
    """The clock the student's server serves: ours plus a fixed offset (readable in messages)."""

    def __init__(self, offset):
        self.offset = offset

    def __call__(self):
        return time.time() + self.offset

    def __repr__(self):
        return f"<clock {self.offset:+} s from time.time()>"


SERVER_OFFSET = 123_456.5     # the server's clock runs about 1.4 days ahead: time.time() would be caught
STAMP_SLACK = 0.002           # float rounding and 32.32 truncation, nothing more
HINT_SERVER = ("part 4: recvfrom gives the request and the client's address; the reply is mode 4 with "
               "the request's version, originate = request[40:48] copied unchanged, receive and transmit "
               "from clock(); sendto the address recvfrom returned")


def _serve_child(make_ntp_socket, serve_ntp, clock):
    """Run in the child: the student's socket and loop, with the address reported first."""
    sock = make_ntp_socket("127.0.0.1", 0)
    report_ready(sock.getsockname())
    serve_ntp(sock, clock=clock)


_serve_child.__name__ = _serve_child.__qualname__ = "your server (make_ntp_socket, then serve_ntp)"


def _client_request(rng, version=4):
    """A client request with a transmit timestamp no server could guess (random bits)."""
    transmit = (rng.randrange(0x80000000, 2**32), rng.randrange(2**32))
    return sntp.SNTPPacket(version=version, mode=3, poll=rng.randrange(4, 11), transmit=transmit).pack()


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
    outcome = handle.stop()
    _not_written(outcome)
    fail(f"Your server stopped {what}: serve_ntp {outcome.clause}.{_tb(outcome)}", output=outcome.output,
         hint=hint or "a server answers forever: a loop around recvfrom that never returns, and that skips "
                      "(`continue`) datagrams it does not understand instead of crashing on them")


def _judge_reply(request, data, sender, address, window, clock, label):
    """One reply to ``request``: from the server's port, 48 bytes, mode 4, version and originate
    copied, receive and transmit from clock() between the request's sending and the reply's arrival."""
    trace = "your server was sent:\n" + _dump(request) + "\nand answered:\n" + _dump(data)
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
        when = _plain_unix(*struct.unpack("!II", raw))
        if not low - STAMP_SLACK <= when <= high + STAMP_SLACK:
            mistake = _timestamp_mistake(raw, low, high, tol=STAMP_SLACK)
            if low - clock.offset - 1 <= when <= high - clock.offset + 1:
                mistake = "that is time.time(); the server must tell the time of the clock it was given: clock()"
            fail(f"{label}: the reply's {name} timestamp says {_when(when)}, but the server's clock read between "
                 f"{_when(low)} and {_when(high)} while the request was out.",
                 expected=f"clock() at that moment (the clock runs {clock.offset:+} s from time.time())",
                 got=f"bytes {offset}-{offset + 7} = {raw.hex(' ')}", trace=trace,
                 hint=(mistake + ". See " if mistake else "") + HINT_TIMESTAMP)


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
        fail(f"{label}: {len(silent)} of {_plural(len(requests), 'client')} got no reply within {wait} s.",
             sent=f"{_plural(len(requests), 'request')}, each from its own socket, all at once",
             expected="one reply per client", got=f"{len(requests) - len(silent)} answered",
             trace=f"client #{first} (port {ex.ports[first]}) sent:\n{_dump(requests[first])}",
             hint="keep serving: a loop of recvfrom / sendto(reply, client) that never stops")
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
             hint="ntplib waits for the reply on the socket it sent from. " + HINT_SERVER)
    if stats.mode != 4 or abs(stats.offset - clock.offset) > 1.0:
        fail(f"ntplib asked your server (version {version}) and computed an offset of {stats.offset:+.3f} s "
             f"(mode {stats.mode}).", expected=f"offset {clock.offset:+} s (the clock the server was given), mode 4",
             hint=HINT_SERVER)


def _start_server(handle):
    try:
        address = handle.ready(timeout=5.0)
    except CheckFailed as exc:
        _not_written_or(exc, ("make_ntp_socket", "serve_ntp"))
    if not (isinstance(address, tuple) and len(address) >= 2):
        fail(f"make_ntp_socket returned a socket whose getsockname() is {address!r}.",
             expected="a UDP socket bound to ('127.0.0.1', port)", hint="sock.bind((host, port))")
    return tuple(address[:2])


@check
def check_ntp_server(make_ntp_socket, serve_ntp):
    """Two clients, then 100 clients at once, then ntplib: mode 4, originate echoed, the time of clock()."""
    clock = _Clock(SERVER_OFFSET)
    rng = random.Random(4)
    with background(_serve_child, make_ntp_socket, serve_ntp, clock, deadline=20.0) as handle:
        address = _start_server(handle)
        _ask_clients(handle, address, clock, [_client_request(rng) for _ in range(2)], "two clients at once")
        _ask_clients(handle, address, clock, [_client_request(rng) for _ in range(100)], "100 clients at once")
        _ntplib_accepts(handle, address, clock)
        _server_died(handle, "after answering")


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


def _ping_outcome(ping, address, count, timeout):
    return run(ping, tuple(address), count=count, timeout=timeout, deadline=count * timeout + 2.0)


def _judge_ping(outcome, label, count, timeout, lost, trace, sent, cause=None, late=None):
    """``lost``: the pings that got no echo within timeout; ``late``: {ping: (s, why)} for those of
    them whose echo the server sent after s seconds, too late, and why a pinger might count it;
    ``cause(i)`` explains a lost ping i reported with a time."""
    late = late or {}
    _not_written(outcome)
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
        if rtt is not None and not (isinstance(rtt, (int, float)) and 0 < rtt <= timeout + 0.05):
            fail(f"{label}: ping {i}'s round-trip time is {rtt!r}.",
                 expected=f"a number of seconds between 0 and the timeout ({timeout} s), or None",
                 got=_rtts_text(rtts), hint="rtt = time.perf_counter() - sent_at, measured when the echo arrives")
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
                 hint="compare an echo with what ping i sent (or its number), and measure the time with "
                      "the same clock. " + HINT_PING)


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


# Seeds chosen so that a ping right after a duplicated one is dropped (a pinger that takes any
# datagram as the echo is caught), with a handful of losses in a short run.
PING_VISIBLE = {"count": 16, "timeout": 0.2, "seed": 2, "drop": 0.2, "duplicate": 0.3}   # drops 3, 8; dups 1, 11


@check
def check_ping(ping):
    """Each ping's RTT, and exactly the pings the lossy proxy dropped, despite duplicates."""
    _proxy_case(ping, **PING_VISIBLE)


