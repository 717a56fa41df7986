"""Notebook 05's reference NTP client and server (read from the notebook) past 2036, and
against real NTP software.

- Clocks set in 2036 (just past 2036-02-07 06:28:16 UTC, where the 32-bit seconds start
  again from 0), 2040 and 2100, injected (``clock`` for the server, ``time.time`` for the
  client), never the system clock: the reference client and server against each other,
  and each against netkit's SNTP server and packet code.
- Interop with chrony (Debian's ``chrony``; skipped with one plain line where it is not
  installed): ``chronyd -Q`` (query once, set nothing) measures the reference server, and
  the reference client asks ``chronyd -x`` (serve time, never touch the clock) on a
  loopback port, each with a host name and with an address.
"""

import os
import re
import shutil
import socket
import subprocess
import time

import ntplib
import pytest

from netkit import sntp
from netkit.runner import background, report_ready
from netkit.sntp import sntp_server
from tests.solutions.ntp import reference

pytestmark = pytest.mark.timeout(60)

ERA1 = 2**32 - sntp.NTP_EPOCH_OFFSET        # 2036-02-07 06:28:16 UTC, Unix time
CLOCKS = {
    "2036": ERA1 + 0.25,                    # the seconds on the wire are 0
    "2040": 2_208_988_800.0,                # 2040-01-01
    "2100": 4_102_444_800.0,                # 2100-01-01, late in era 1
}
HOSTS = ("127.0.0.1", "localhost")
TOLERANCE = 0.05                            # seconds: loopback, a busy machine


def shifted(at):
    """A wall clock that reads ``at`` now and runs on from there."""
    shift = at - time.time()
    return lambda: time.time() + shift


def _serve(make_ntp_socket, serve_ntp, clock, host):
    sock = make_ntp_socket(host, 0)
    report_ready(sock.getsockname())
    serve_ntp(sock, clock)


def reference_server(clock, host="127.0.0.1"):
    """The notebook's make_ntp_socket + serve_ntp in a child process, serving ``clock``."""
    return background(_serve, reference.make_ntp_socket, reference.serve_ntp, clock, host, deadline=30.0)


# -- the era: both sides of 2036 -----------------------------------------------------------


@pytest.mark.parametrize("year", CLOCKS)
def test_reference_packets_round_trip_in_every_era(year):
    at = CLOCKS[year]
    ns = reference.load()
    data = ns["build_request"](at)
    assert sntp.SNTPPacket.unpack(data).transmit == sntp.to_ntp(at)
    assert abs(ns["parse_reply"](data)["transmit"] - at) < 1e-6
    packet = sntp.reply(sntp.SNTPPacket.unpack(data), at + 1.5, at + 1.75).pack()
    fields = ns["parse_reply"](packet)
    assert abs(fields["receive"] - (at + 1.5)) < 1e-6 and abs(fields["originate"] - at) < 1e-6


@pytest.mark.parametrize("year", CLOCKS)
@pytest.mark.parametrize("host", HOSTS)
def test_reference_client_and_server_agree_in_every_era(year, host):
    at = CLOCKS[year]
    client = reference.load(clock=shifted(at))
    with reference_server(shifted(at + 3.25), host) as server:
        _, port = server.ready(timeout=10.0)
        offset, delay = client["sntp_query"]((host, port), timeout=1.0, tries=3)
        assert server.alive, server.stop().message       # it answered and goes on serving
        offset_now, _ = reference.sntp_query((host, port), timeout=1.0, tries=3)
    assert abs(offset - 3.25) < TOLERANCE and 0 <= delay < TOLERANCE
    # a client in 2026 asking a server past 2036: the offset spans the era boundary
    assert abs(offset_now - (at + 3.25 - time.time())) < 1.0


@pytest.mark.parametrize("year", CLOCKS)
def test_reference_client_reads_netkits_server_in_every_era(year):
    at = CLOCKS[year]
    client = reference.load(clock=shifted(at))
    with sntp_server(offset=-1.5, clock=shifted(at)) as (host, port):
        for name in HOSTS:
            offset, delay = client["sntp_query"]((name, port), timeout=1.0, tries=3)
            assert abs(offset + 1.5) < TOLERANCE and 0 <= delay < TOLERANCE, (name, offset, delay)


@pytest.mark.parametrize("year", CLOCKS)
def test_netkits_packets_read_the_reference_servers_replies_in_every_era(year):
    at = CLOCKS[year]
    with reference_server(shifted(at)) as server, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        address = server.ready(timeout=10.0)
        sock.settimeout(5.0)
        request = sntp.request(at)
        sock.sendto(request.pack(), address)
        data, _ = sock.recvfrom(1024)
    answer = sntp.SNTPPacket.unpack(data)
    assert answer.mode == 4 and answer.originate == request.transmit
    assert abs(answer.seconds("transmit") - at) < 1.0   # the server's clock read "at" a moment ago


# -- interop with chrony ---------------------------------------------------------------------

CHRONYD = shutil.which("chronyd") or next(
    (path for path in ("/usr/sbin/chronyd", "/sbin/chronyd") if os.access(path, os.X_OK)), None)
needs_chrony = pytest.mark.skipif(
    CHRONYD is None, reason="chronyd not installed (Debian package chrony, as .ci/run installs it): "
                            "interop of notebook 05 with a real NTP implementation not tested")


# chronyd refuses to start a server as another user than root unless told -U (then it keeps
# that user); as root it drops to its own user. Its pid file goes to tmp_path, never where a
# system chronyd keeps its own.
AS_USER = [] if os.geteuid() == 0 else ["-U"]


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@needs_chrony
@pytest.mark.parametrize("host", HOSTS)
def test_chronyd_measures_the_reference_server(host, tmp_path):
    with reference_server(shifted(time.time() + 2.5)) as server:
        _, port = server.ready(timeout=10.0)
        # -Q: query once and print the offset, never set the clock; a poll of 1/64 s, not 64 s
        done = subprocess.run(
            [CHRONYD, *AS_USER, "-Q", "-t", "10", f"server {host} port {port} minpoll -6 maxpoll -6",
             f"pidfile {tmp_path / 'chronyd.pid'}"],
            capture_output=True, text=True, timeout=30)
        alive = server.alive
    found = re.search(r"System clock wrong by (-?[\d.]+) seconds", done.stdout + done.stderr)
    assert found, f"chronyd -Q did not accept the reference server:\n{done.stdout}{done.stderr}"
    assert abs(float(found.group(1)) - 2.5) < TOLERANCE, done.stderr
    assert alive


@pytest.fixture
def chrony_server(tmp_path):
    """chronyd serving the system clock on a loopback port: -x (never touch the clock),
    local stratum 8 (serve though unsynchronised), no command sockets. Yields the port."""
    folder = tmp_path
    port = _free_udp_port()
    conf = folder / "chrony.conf"
    conf.write_text(f"port {port}\nbindaddress 127.0.0.1\nallow 127.0.0.1\nlocal stratum 8\n"
                    f"cmdport 0\nbindcmdaddress /\npidfile {folder / 'chronyd.pid'}\n")
    log = (folder / "chronyd.log").open("w")
    process = subprocess.Popen([CHRONYD, *AS_USER, "-x", "-d", "-f", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10.0
        while True:          # ready when it answers (ntplib: a client independent of the notebook)
            try:
                ntplib.NTPClient().request("127.0.0.1", port=port, version=4, timeout=0.2)
                break
            except ntplib.NTPException:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"chronyd did not serve on port {port}:\n{(folder / 'chronyd.log').read_text()}")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@needs_chrony
def test_reference_client_asks_chronyd(chrony_server):
    for host in HOSTS:
        offset, delay = reference.sntp_query((host, chrony_server), timeout=1.0, tries=3)
        assert abs(offset) < TOLERANCE and 0 <= delay < TOLERANCE, (host, offset, delay)


def test_ntplib_measures_the_reference_server():
    with reference_server(shifted(time.time() - 7.0)) as server:
        host, port = server.ready(timeout=10.0)
        stats = ntplib.NTPClient().request(host, port=port, version=4, timeout=2.0)
    assert stats.mode == 4 and stats.leap == 0 and stats.stratum == 1
    assert abs(stats.offset + 7.0) < TOLERANCE
