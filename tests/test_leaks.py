"""netkit.leaks: what a test leaves behind is named; what it cleans up (even a moment late) is not."""

import socket
import subprocess
import sys
import threading
import time

import pytest

from netkit.leaks import assert_no_leaks, leftovers, snapshot


def test_nothing_new_passes_at_once():
    before = snapshot()
    start = time.perf_counter()
    assert_no_leaks(before)
    assert time.perf_counter() - start < 0.05
    assert leftovers(before) == []


def test_a_listening_socket_is_named_with_its_address():
    before = snapshot()
    listener = socket.socket()
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(AssertionError) as info:
            assert_no_leaks(before, timeout=0.05)
        assert f"TCP/IPv4 listening on 127.0.0.1:{port}" in str(info.value)
    finally:
        listener.close()
    assert_no_leaks(before, timeout=0)


def test_connected_and_datagram_sockets_are_named():
    before = snapshot()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        a, b = socket.socketpair()
        with a, b:
            found = "\n".join(leftovers(before))
    assert f"UDP/IPv4 127.0.0.1:{port} (not connected)" in found
    assert found.count("Unix stream") == 2
    assert_no_leaks(before, timeout=0)


def test_a_socket_closed_a_moment_late_is_not_a_leak():
    before = snapshot()
    sock = socket.socket()
    timer = threading.Timer(0.05, sock.close)
    timer.start()
    assert_no_leaks(before, timeout=2.0)  # the timer's thread and the socket both go


def test_a_running_thread_is_named_and_joined_when_it_ends():
    before = snapshot()
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="lingering-worker", daemon=True)
    worker.start()
    try:
        with pytest.raises(AssertionError) as info:
            assert_no_leaks(before, timeout=0.05)
        assert "daemon thread 'lingering-worker' still running, at line" in str(info.value)
    finally:
        stop.set()
    assert_no_leaks(before, after_timeout=2.0)  # the contract's name for the same knob
    assert not worker.is_alive()


def test_child_processes_and_zombies_are_named():
    before = snapshot()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(AssertionError) as info:
            assert_no_leaks(before, timeout=0.05)
        assert f"child process {child.pid} (python" in str(info.value) and "still running" in str(info.value)
        child.kill()
        deadline = time.monotonic() + 2
        while "zombie" not in " ".join(leftovers(before)) and time.monotonic() < deadline:
            time.sleep(0.005)  # waiting for the kernel to turn the killed child into a zombie
        assert f"child process {child.pid}" in " ".join(leftovers(before))
        assert "never waited for (a zombie)" in " ".join(leftovers(before))
    finally:
        child.kill()
        child.wait()
    assert_no_leaks(before, timeout=0)


def test_what_existed_before_is_not_blamed():
    listener = socket.socket()
    try:
        before = snapshot()
        assert_no_leaks(before, timeout=0)
    finally:
        listener.close()
    assert_no_leaks(before, timeout=0)  # closing something old is fine too
