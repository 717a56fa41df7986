"""What a background server costs: the median time to start it and stop it.

Not a test: prints, for each netkit server, the median of RUNS start-plus-stop cycles
(``with server: pass``) and its ratio to a baseline measured in the same run: a bare
socket's bind, listen and close. ``python bench/bench_servers.py [runs]``
"""

import socket
import statistics
import sys
import time

from netkit.ftp import ftp_server
from netkit.http import http_server
from netkit.servers import echo_server, nop_server, scripted_server, tcp_server, udp_server
from netkit.sntp import sntp_server

RUNS = 20


def bare_socket():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.close()


def cycle(make):
    def start_and_stop():
        with make():
            pass

    return start_and_stop


CASES = [
    ("bare socket bind+listen+close", bare_socket),
    ("echo_server()", cycle(echo_server)),
    ("nop_server()", cycle(nop_server)),
    ("scripted_server(b'hi')", cycle(lambda: scripted_server(b"hi"))),
    ("tcp_server(handler)", cycle(lambda: tcp_server(lambda conn, addr: None))),
    ("udp_server(handler)", cycle(lambda: udp_server(lambda data, addr: None))),
    ("ftp_server(files=1 file)", cycle(lambda: ftp_server(files={"a.txt": b"a"}))),
    ("http_server(files=1 file)", cycle(lambda: http_server(files={"a.txt": b"a"}))),
    ("sntp_server()", cycle(sntp_server)),
]


def median_seconds(func, runs):
    func()  # warm up: imports, first allocations
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(runs=RUNS):
    results = [(name, median_seconds(func, runs)) for name, func in CASES]
    baseline = results[0][1]
    print(f"start + stop, median of {runs} runs")
    print(f"  {'server':<32}{'median ms':>10}{'x baseline':>12}")
    for name, seconds in results:
        print(f"  {name:<32}{seconds * 1000:>10.3f}{seconds / baseline:>12.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
