"""What the safe runner costs: a trivial student function called directly vs through netkit.runner.

Not a test: prints medians over RUNS runs. ``python bench/bench_runner.py [runs]``
"""

import os
import statistics
import sys
import time

from netkit.runner import background, call, report_ready, run

RUNS = 200


def trivial(a, b):
    return a + b


def ready_at_once():
    report_ready(("127.0.0.1", 0))
    time.sleep(60)


def median_ms(func, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bare_fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def background_round():
    with background(ready_at_once, deadline=10) as server:
        server.ready()


def main(runs=RUNS):
    direct = median_ms(lambda: trivial(1, 2), runs)
    fork = median_ms(bare_fork, runs)
    safe = median_ms(lambda: call(trivial, 1, 2), runs)
    raised = median_ms(lambda: run(int, "x"), runs)
    served = median_ms(background_round, max(runs // 4, 10))
    print(f"median over {runs} runs")
    print(f"  direct call                    {direct:9.4f} ms")
    print(f"  call() under the safe runner   {safe:9.4f} ms   (overhead {safe - direct:.2f} ms, "
          f"{safe / direct:,.0f}x the direct call)")
    print(f"  bare os.fork() + waitpid()     {fork:9.4f} ms   (the floor on this machine)")
    print(f"  run() of code that raises      {raised:9.4f} ms")
    print(f"  background(): start, ready, stop {served:7.4f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
