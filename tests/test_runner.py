"""netkit.runner: student code that hangs, crashes, exits, prints or forks costs only its deadline.

The functions at the top play the student; they live outside netkit, so the runner treats
their frames as the student's.
"""

import ftplib
import inspect
import math
import os
import signal
import socket
import sys
import threading
import time
import traceback
import warnings

import pytest

from netkit.errors import CheckFailed, DeadlineExceeded, StudentCodeError
from netkit.leaks import assert_no_leaks, snapshot
from netkit.runner import (PROBE_WAIT, ForbiddenModuleError, StandInError, Unpicklable, background, call,
                           report_ready, run)

BOUND = 0.5  # a hang may cost its deadline plus at most this


# ---------------------------------------------------------------- the "student"


def add(a, b=1):
    return a + b


def spin():
    count = 0
    while True:
        count += 1


def accept_forever():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    conn, _ = listener.accept()
    return conn


def read_reply(sock):
    data = sock.recv(1024)
    return data


def read_line(sock):
    return read_reply(sock)


def stubborn():
    while True:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(10)
        except KeyboardInterrupt:
            print("ha, I ignore Ctrl-C")


def swallow_everything():
    while True:
        try:
            time.sleep(10)
        except BaseException:
            pass


def hard_exit():
    print("bye")
    os._exit(0)


def soft_exit():
    sys.exit(3)


def parse_port(text):
    return int(text.split(",")[4]) * 256 + int(text.split(",")[5])


def crash():
    print("about to parse")
    return parse_port("227 Entering Passive Mode (127,0,0,1,x,7)")


def noisy():
    print("to stdout")
    print("to stderr", file=sys.stderr)
    try:
        1 / 0
    except ZeroDivisionError:
        traceback.print_exc()
    os.write(2, b"straight to fd 2\n")
    return "done"


def chatty():
    for i in range(1500):  # 1.5 MB, past the child's 1 MB cap
        print(f"line {i} " + "x" * 1000)
    return "done"


def terminate_self():
    os.kill(os.getpid(), signal.SIGTERM)


def segfault():
    import ctypes

    return ctypes.string_at(0)


def returns_socket():
    return socket.socket()


class TwoArgError(Exception):
    def __init__(self, code, reason):
        super().__init__(f"{code} {reason}")


def raises_two_arg():
    raise TwoArgError(421, "bye")


def raises_with_socket():
    raise OSError("with a socket", socket.socket())


def forks_a_sleeper():
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    return pid


def forks_and_hangs(sock):
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    sock.sendall(str(pid).encode())
    time.sleep(60)


def forks_and_returns_twice():
    os.fork()  # the student forgot os._exit: both processes return
    return os.getpid()


def leaves_threads_and_sockets():
    threading.Thread(target=time.sleep, args=(60,)).start()
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener.getsockname()[1]


def uses_import():
    import ftplib as library

    return library.FTP


def uses_global():
    return ftplib.FTP("127.0.0.1")


def uses_from_import():
    from ftplib import FTP

    return FTP


def uses_http_client():
    import http.client

    return http.client.HTTPConnection("127.0.0.1", 9).host


def echo_server():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    report_ready(listener.getsockname())
    while True:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)


def broken_server():
    print("starting the server")
    raise OSError(98, "Address already in use")


def slow_to_start():
    time.sleep(60)


def line_of(func, snippet):
    """The line number of the first line of ``func`` containing ``snippet``."""
    lines, start = inspect.getsourcelines(func)
    return start + next(i for i, line in enumerate(lines) if snippet in line)


def is_dead(pid):
    """Gone, or a zombie that is not ours (an init that does not reap leaves those)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except FileNotFoundError:
        return True
    state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
    return state == "Z" and int(ppid) != os.getpid()


def wait_dead(pid, timeout=1.0):
    end = time.monotonic() + timeout
    while not is_dead(pid) and time.monotonic() < end:
        time.sleep(0.005)
    return is_dead(pid)


# ---------------------------------------------------------------- returning


def test_returns_the_value_with_args_and_kwargs(capfd):
    outcome = run(add, 40, b=2)
    assert (outcome.status, outcome.value, outcome.ok) == ("returned", 42, True)
    assert call(add, 1) == 2
    assert outcome.elapsed < 1.0
    assert capfd.readouterr() == ("", "")


def test_an_infinite_deadline_is_allowed():
    assert call(add, 1, deadline=math.inf) == 2
    with pytest.raises(ValueError):
        run(add, 1, deadline=0)


def test_everything_printed_is_captured_in_order_and_nothing_reaches_stderr(capfd):
    outcome = run(noisy)
    assert outcome.value == "done"
    out = outcome.output
    assert out.index("to stdout") < out.index("to stderr") < out.index("ZeroDivisionError") < out.index("fd 2")
    assert capfd.readouterr() == ("", "")


def test_long_output_is_cut_in_the_middle():
    outcome = run(chatty, deadline=10)
    assert outcome.value == "done"
    assert outcome.output.startswith("line 0 ")
    assert "bytes not shown" in outcome.output and len(outcome.output) < 12_000
    assert "more output was dropped" in outcome.output  # the child kept at most OUTPUT_CAP


def test_unpicklable_values_and_exceptions_come_back_as_stand_ins():
    value = run(returns_socket).value
    assert isinstance(value, Unpicklable) and "socket" in repr(value)
    exc = run(raises_two_arg).exception  # pickles, but cannot be unpickled
    assert isinstance(exc, StandInError) and type(exc).__name__ == "TwoArgError" and str(exc) == "421 bye"
    exc = run(raises_with_socket).exception  # cannot even be pickled: a builtin type keeps its type
    assert type(exc) is OSError and "with a socket" in str(exc)


# ---------------------------------------------------------------- hanging


@pytest.mark.parametrize("func, call_name, snippet", [
    (accept_forever, "accept", "listener.accept()"),
    (swallow_everything, "sleep", "time.sleep(10)"),
])
def test_a_hang_is_bounded_and_names_the_blocking_call(func, call_name, snippet, capfd):
    start = time.monotonic()
    outcome = run(func, deadline=0.5)
    took = time.monotonic() - start
    assert outcome.status == "timeout"
    assert 0.5 <= took < 0.5 + BOUND
    line = line_of(func, snippet)
    assert outcome.stuck_at == f"stuck in {call_name}() at line {line} of {func.__name__}: `{snippet.strip()}`" or \
        outcome.stuck_at.startswith(f"stuck in {call_name}() at line {line} of {func.__name__}: ")
    assert capfd.readouterr() == ("", "")


def test_a_busy_loop_is_bounded_and_names_its_line():
    start = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        call(spin, deadline=0.5)
    assert time.monotonic() - start < 0.5 + BOUND
    message = str(info.value)
    assert message.startswith("spin did not finish within 0.5 s: stuck at line ")
    assert int(message.split("line ")[1].split()[0]) in (line_of(spin, "while True"), line_of(spin, "count += 1"))


def test_a_blocking_recv_is_named_with_the_calling_frames():
    a, b = socket.socketpair()  # inherited by the child: no pickling needed
    with a, b:
        start = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            call(read_line, a, deadline=0.5)
        assert time.monotonic() - start < 0.5 + BOUND
    line, caller = line_of(read_reply, "sock.recv"), line_of(read_line, "return read_reply")
    assert str(info.value).splitlines()[:2] == [
        f"read_line did not finish within 0.5 s: stuck in recv() at line {line} of read_reply: "
        "`data = sock.recv(1024)`",
        f"  called from line {caller} of read_line: `return read_reply(sock)`",
    ]
    assert isinstance(info.value, CheckFailed) and isinstance(info.value, AssertionError)


def test_keyboard_interrupt_swallowed_in_an_endless_loop():
    start = time.monotonic()
    outcome = run(stubborn, deadline=0.5)
    assert outcome.status == "timeout" and time.monotonic() - start < 0.5 + BOUND
    assert "ha, I ignore Ctrl-C" in outcome.output
    assert "of stubborn" in outcome.stuck_at


# ---------------------------------------------------------------- crashing and exiting


def test_os_exit_does_not_end_the_test_process():
    outcome = run(hard_exit)
    assert (outcome.status, outcome.exit_code, outcome.exit_via) == ("exited", 0, "os._exit(0)")
    with pytest.raises(StudentCodeError) as info:
        outcome.result()
    assert str(info.value).splitlines()[:3] == [
        "hard_exit ended the process with os._exit(0): a function must return, not end the process",
        "  your code printed:",
        "    bye",
    ]


def test_sys_exit_is_reported_with_its_code():
    outcome = run(soft_exit)
    assert (outcome.status, outcome.exit_code, outcome.exit_via) == ("exited", 3, "sys.exit(3)")
    assert outcome.message == "soft_exit ended the program with sys.exit(3): a function must return, not end the program"


def test_an_exception_comes_back_with_the_students_frames_only():
    outcome = run(crash)
    assert outcome.status == "raised" and isinstance(outcome.exception, ValueError)
    assert "netkit" not in outcome.traceback.replace("test_runner", "")
    assert "in crash" in outcome.traceback and "in parse_port" in outcome.traceback
    with pytest.raises(StudentCodeError) as info:
        call(crash)
    message = str(info.value)
    assert message.startswith("crash raised ValueError: invalid literal for int() with base 10: 'x'\n")
    assert f"line {line_of(parse_port, 'return int')}, in parse_port" in message
    assert message.rstrip().endswith("your code printed:\n    about to parse")


def test_death_by_a_signal_is_named(capfd):
    outcome = run(terminate_self)
    assert (outcome.status, outcome.exit_code) == ("killed", -signal.SIGTERM)
    assert outcome.message == "terminate_self was killed by signal 15 (SIGTERM)"
    outcome = run(segfault)
    assert outcome.status == "killed" and "SIGSEGV" in outcome.message
    assert capfd.readouterr().err == ""  # faulthandler wrote into the captured output, if anywhere


# ---------------------------------------------------------------- forking, threads, leaks


def test_a_grandchild_does_not_outlive_the_run():
    pid = run(forks_a_sleeper).value
    assert wait_dead(pid)


def test_a_grandchild_of_a_hung_child_dies_with_it():
    a, b = socket.socketpair()
    with a, b:
        outcome = run(forks_and_hangs, b, deadline=0.5)
        pid = int(a.recv(100))
    assert outcome.status == "timeout" and "sleep()" in outcome.stuck_at
    assert wait_dead(pid)


def test_only_the_child_reports_when_a_fork_returns_too():
    outcome = run(forks_and_returns_twice)
    assert outcome.status == "returned" and outcome.value != os.getpid()


def test_threads_and_sockets_of_the_child_do_not_leak_into_the_parent():
    before = snapshot()
    outcome = run(leaves_threads_and_sockets)
    assert outcome.status == "returned" and outcome.elapsed < 1.0  # a live non-daemon thread does not hold it
    assert_no_leaks(before, timeout=0)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", outcome.value), timeout=1).close()


# ---------------------------------------------------------------- forbid


def test_forbidden_modules_fail_with_a_clear_message_in_the_child_only():
    for func in (uses_import, uses_global, uses_from_import):
        outcome = run(func, forbid=("ftplib",))
        assert outcome.status == "raised", func.__name__
        assert isinstance(outcome.exception, ForbiddenModuleError)
        assert "this exercise forbids 'ftplib'" in outcome.message
        assert f"in {func.__name__}" in outcome.traceback
    assert ftplib.FTP.__name__ == "FTP" and "ftplib" in sys.modules  # the parent is untouched
    assert run(uses_import).value is ftplib.FTP  # without forbid, the same function may use it


def test_forbid_blocks_the_students_imports_not_the_stdlibs():
    assert call(uses_http_client, forbid=("urllib", "email")) == "127.0.0.1"


# ---------------------------------------------------------------- background


def test_background_echo_server_reports_its_address_and_is_stopped(capfd):
    with background(echo_server, deadline=10) as server:
        address = server.ready(timeout=2)
        assert address[0] == "127.0.0.1" and address[1] > 0
        with socket.create_connection(address, timeout=2) as sock:
            sock.sendall(b"hello")
            assert sock.recv(1024) == b"hello"
        assert server.alive
    outcome = server.outcome
    assert outcome.status == "killed" and outcome.stopped and outcome.error() is None
    assert " of echo_server: `" in outcome.stuck_at  # in accept(), or still finishing with the client
    assert not server.alive and server.stop() is outcome
    assert capfd.readouterr() == ("", "")


def test_a_background_child_stopped_at_once_is_stopped_not_crashed():
    for _ in range(10):  # the probe may come before the child's handler is installed
        with background(slow_to_start) as server:
            pass
        assert (server.outcome.status, server.outcome.stopped) == ("killed", True)
        assert server.outcome.error() is None


def test_background_server_that_dies_before_ready():
    with background(broken_server) as server:
        with pytest.raises(StudentCodeError) as info:
            server.ready(timeout=2)
    message = str(info.value)
    assert message.startswith("broken_server ended before it was ready: it raised OSError: "
                              "[Errno 98] Address already in use")
    assert "in broken_server" in message and "starting the server" in message


def test_background_server_that_is_never_ready():
    with background(slow_to_start) as server:
        start = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            server.ready(timeout=0.3)
        assert time.monotonic() - start < 0.3 + BOUND
        assert server.alive  # not ready is not dead: the with-block still stops it
    assert str(info.value).startswith(
        f"slow_to_start was not ready within 0.3 s: stuck in sleep() at line {line_of(slow_to_start, 'sleep')}")
    assert server.outcome.stopped


def test_background_past_its_deadline_ends_itself_and_says_where():
    with background(echo_server, deadline=0.2) as server:
        server.ready(timeout=2)
        outcome = server.wait(timeout=0.2 + 0.5 + PROBE_WAIT + 1.0)  # its watchdog ends it; no probe from here
        assert outcome is not None and not server.alive
    assert outcome.status == "timeout" and isinstance(outcome.error(), DeadlineExceeded)
    assert outcome.stuck_at == (f"stuck in accept() at line {line_of(echo_server, '.accept()')} "
                                "of echo_server: `conn, _ = listener.accept()`")


def test_background_past_its_deadline_fails_ready():
    with background(spin, deadline=0.3) as server:
        start = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            server.ready(timeout=5)
        assert time.monotonic() - start < 0.3 + BOUND
    assert str(info.value).startswith("spin was never ready: it did not finish within 0.3 s: stuck at line")


# ---------------------------------------------------------------- in a Jupyter kernel

NOTEBOOK_CELLS = [
    "import logging, os, sys\nfrom netkit.runner import call\nlogging.basicConfig()",
    "def wait_forever():\n    import socket\n    a, b = socket.socketpair()\n    data = a.recv(1024)\n    return data",
    "call(wait_forever, deadline=0.5)",
    "def noisy():\n    print('to stderr', file=sys.stderr)\n    logging.warning('careful')\n"
    "    os.write(2, b'fd 2\\n')\n    return 42",
    "print(call(noisy))",
    "from netkit.runner import run\nprint(run(noisy).output, end='')",
]


def test_runs_student_code_defined_in_a_jupyter_kernel(tmp_path):
    import nbformat

    from grader.notebook_run import execute

    path = tmp_path / "runner.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in NOTEBOOK_CELLS]), path)
    nb, _ = execute(path, allow_errors=True, cell_timeout=30)
    hang, passing = nb.cells[2], nb.cells[4]
    [error] = [o for o in hang.outputs if o.output_type == "error"]
    assert error["ename"] == "DeadlineExceeded"
    assert error["evalue"].startswith("wait_forever did not finish within 0.5 s: "
                                      "stuck in recv() at line 4 of wait_forever: `data = a.recv(1024)`")
    assert [(o.output_type, o.get("name"), o.get("text")) for o in passing.outputs] == [("stream", "stdout", "42\n")]
    captured = "".join(o.get("text", "") for o in nb.cells[5].outputs)
    assert captured == "to stderr\nWARNING:root:careful\nfd 2\n"  # the kernel's logging handler included


# ---------------------------------------------------------------- sockets left to the garbage collector


def _left_open():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return "done"


def _closed_by_with():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
    return "done"


def _closed_in_finally():
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", 0))
    finally:
        sock.close()
    return "done"


def _returned_to_the_caller():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def _left_in_a_cycle():
    sock = socket.socket()
    holder = [sock]
    holder.append(holder)  # only the collector frees a cycle: the check collects before it looks
    return "done"


@pytest.mark.parametrize("func, expected", [
    (_left_open, 1), (_closed_by_with, 0), (_closed_in_finally, 0), (_returned_to_the_caller, 0),
    (_left_in_a_cycle, 1),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_an_outcome_lists_the_sockets_the_function_left_open(func, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as a check runs it: the child must still see ResourceWarning
        outcome = run(func)
    assert outcome.status == "returned"
    assert len(outcome.unclosed) == expected, outcome.unclosed
    assert all(text.startswith("<socket.socket fd=") for text in outcome.unclosed)


def test_other_warnings_still_reach_the_output():
    def warns():
        warnings.warn("a student's own warning", UserWarning, stacklevel=1)
        return 1

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"{category.__name__}: {message}", file=sys.stderr)  # in the child: its captured stderr

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show  # not pytest's recorder, which the child would inherit
        outcome = run(warns)
    assert outcome.unclosed == () and "a student's own warning" in outcome.output
