"""The reference solutions against peers nobody here wrote (issue 13's proof).

Each client exercise's reference solution, extracted from its source notebook, talks to an
independent real server, and each server exercise's reference serves an independent real
client, with a host name ("localhost") as well as an address ("127.0.0.1"):

- the FTP client of notebook 01 (read_reply, login, parse_pasv, download) against Debian's vsftpd,
  anonymous and read-only, run in the foreground on a loopback port with a config made here;
- http_get and probe_tcp against Python's http.server;
- the select() and epoll web servers of notebook 06 against curl and ApacheBench (ab).

A tool that is not installed skips its tests with a line that says which Debian package
provides it (the README's optional step; CI installs them).
"""

import contextlib
import functools
import http.server
import json
import os
import random
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from netkit.runner import background

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["127.0.0.1", "localhost"]
FILE = random.Random(13).randbytes(300_000) + b"\r\n\0end\n"


def reference(assignment):
    """The notebook's reference solutions: its first code cell (the imports), then every solution cell."""
    cells = json.loads((NOTEBOOKS / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8"))["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    namespace = {"__name__": f"reference_{assignment.replace('-', '_')}"}
    for cell in code[:1] + [c for c in code[1:] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]:
        exec(compile("".join(cell["source"]), f"<{assignment} reference>", "exec"), namespace)  # noqa: S102
    return namespace


def tool(name, package):
    """The path of a Debian tool, or skip the test saying which package to install."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        pytest.skip(f"{name} is not installed (Debian package {package}; see the README's optional step)")
    return found


def free_port():
    """A loopback port nobody uses now (vsftpd takes a port number, not a socket)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port, process, timeout=10.0):
    """Wait until something accepts on 127.0.0.1:port (or the process ends: then fail with its output)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"the server ended at once (exit {process.returncode}): {process.stdout.read()!r}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.02)  # polling a port another process opens: there is no event to wait on
    pytest.fail(f"nothing listened on port {port} within {timeout} s")


# ---------------------------------------------------------------- notebook 01: vsftpd


@pytest.fixture(scope="module")
def vsftpd(tmp_path_factory):
    """Debian's vsftpd, anonymous read-only, in the foreground on a loopback port: yields (port, files)."""
    binary = tool("vsftpd", "vsftpd")
    base = tmp_path_factory.mktemp("vsftpd")
    root, empty = base / "root", base / "empty"
    for folder in (base, root, empty):
        folder.mkdir(exist_ok=True)
        folder.chmod(0o755)  # vsftpd refuses a root its anonymous user could write, and must read the files
    files = {"random.bin": FILE, "hello.txt": b"Hello from vsftpd\r\n", "empty.bin": b""}
    for name, data in files.items():
        (root / name).write_bytes(data)
        (root / name).chmod(0o644)
    port = free_port()
    settings = {
        "listen": "YES", "listen_ipv6": "NO", "listen_address": "127.0.0.1", "listen_port": port,
        "background": "NO", "anonymous_enable": "YES", "local_enable": "NO", "write_enable": "NO",
        "anon_root": root, "secure_chroot_dir": empty, "pasv_enable": "YES", "pasv_address": "127.0.0.1",
        # a container has no seccomp filter or namespaces to spare for vsftpd's own sandbox
        "seccomp_sandbox": "NO", "isolate": "NO", "isolate_network": "NO",
        "xferlog_enable": "NO", "syslog_enable": "NO", "vsftpd_log_file": base / "vsftpd.log",
    }
    if os.geteuid() != 0:
        settings["run_as_launching_user"] = "YES"  # without root it cannot switch to its ftp user
    config = base / "vsftpd.conf"
    config.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))
    with subprocess.Popen([binary, str(config)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as process:
        try:
            wait_listening(port, process)
            yield port, files
        finally:
            process.kill()


@pytest.fixture(scope="module")
def ftp_client():
    return reference("01-client-server-ftp")


@contextlib.contextmanager
def control(host, port, ftp_client):
    """A control connection to (host, port), its greeting read by the reference read_reply."""
    with socket.create_connection((host, port), timeout=10) as sock, sock.makefile("rb") as reader:
        code, text = ftp_client["read_reply"](reader)
        assert code == 220, (code, text)
        yield sock, reader
        sock.sendall(b"QUIT\r\n")
        assert ftp_client["read_reply"](reader)[0] == 221


@pytest.mark.parametrize("host", NAMES)
def test_the_ftp_client_downloads_from_vsftpd(vsftpd, ftp_client, host):
    port, files = vsftpd
    with control(host, port, ftp_client) as (sock, reader):
        assert ftp_client["login"](sock, reader, "anonymous", "student@example.test")[0] == 230
        for name, data in files.items():
            assert ftp_client["download"](sock, reader, name) == data, name
        with pytest.raises(ftp_client["FTPError"]) as refused:
            ftp_client["download"](sock, reader, "no-such-file.bin")
        assert refused.value.args[0] == 550  # vsftpd: "Failed to open file."
        assert ftp_client["download"](sock, reader, "hello.txt") == files["hello.txt"]  # still in step


def test_vsftpd_refuses_an_upload_and_the_client_says_so(vsftpd, ftp_client):
    port, _ = vsftpd
    with control("localhost", port, ftp_client) as (sock, reader):
        ftp_client["login"](sock, reader, "anonymous", "student@example.test")
        with pytest.raises(ftp_client["FTPError"]) as refused:
            ftp_client["upload"](sock, reader, "new.bin", b"data")
        assert refused.value.args[0] == 550  # read-only: "Permission denied."


def test_a_wrong_login_gets_vsftpd_s_refusal(vsftpd, ftp_client):
    port, _ = vsftpd
    with control("127.0.0.1", port, ftp_client) as (sock, reader):
        with pytest.raises(ftp_client["FTPError"]) as refused:
            ftp_client["login"](sock, reader, "student", "secret")  # local users are disabled
        assert refused.value.args[0] == 530


# ---------------------------------------------------------------- notebooks 02 and 04: http.server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # a test's stderr is no place for an access log
        pass


@pytest.fixture(scope="module")
def python_http_server(tmp_path_factory):
    """Python's http.server serving a folder on loopback, in a thread: yields (port, files)."""
    folder = tmp_path_factory.mktemp("www")
    files = {"file.bin": FILE, "hello.txt": b"Hello from http.server\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, name="http.server", daemon=True)
        thread.start()
        try:
            yield server.server_address[1], files
        finally:
            server.shutdown()
            thread.join()


@pytest.mark.parametrize("host", NAMES)
def test_http_get_against_python_http_server(python_http_server, host):
    port, files = python_http_server
    http_get = reference("04-tcp")["http_get"]
    for name, data in files.items():
        status, headers, body = http_get(host, port, f"/{name}")
        assert (status, body) == (200, data)
        assert headers["content-length"] == str(len(data)) and "server" in headers and "date" in headers
    status, headers, body = http_get(host, port, "/missing.txt")
    assert status == 404 and len(body) == int(headers["content-length"]) > 0


@pytest.mark.parametrize("host", NAMES)
def test_probe_tcp_against_python_http_server(python_http_server, host):
    port, _ = python_http_server
    probe_tcp = reference("02-tcp-udp")["probe_tcp"]
    assert probe_tcp(host, port, timeout=2.0) == "open"
    with socket.socket() as unused:  # bound, not listening: connections are refused
        unused.bind(("127.0.0.1", 0))
        assert probe_tcp(host, unused.getsockname()[1], timeout=2.0) == "closed"


# ---------------------------------------------------------------- notebook 06: curl and ab


SITE = {"hello.txt": b"Hello from a select() server!\n", "data.bin": FILE,
        "docs/notes.txt": b"a file in a sub-folder\n"}


@pytest.fixture(scope="module", params=["serve_files", "serve_files_epoll"])
def web_server(request, tmp_path_factory):
    """The notebook's web server (select, or epoll) serving SITE in a child: yields its port."""
    folder = tmp_path_factory.mktemp("site")
    for name, data in SITE.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    serve = reference("06-select")[request.param]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(512)  # ab opens 200 connections at once
        with background(serve, listener, folder, deadline=120.0) as server:
            yield listener.getsockname()[1]
            assert server.alive, server.outcome.message


@pytest.mark.parametrize("host", NAMES)
def test_curl_gets_every_file_from_the_web_server(web_server, host):
    curl = tool("curl", "curl")
    for name, data in SITE.items():
        got = subprocess.run([curl, "-sS", "--max-time", "10", f"http://{host}:{web_server}/{name}"],
                             capture_output=True, check=True)
        assert got.stdout == data, name
    status = subprocess.run([curl, "-sS", "--max-time", "10", "-o", os.devnull, "-w", "%{http_code}",
                             f"http://{host}:{web_server}/missing.txt"], capture_output=True, text=True, check=True)
    assert status.stdout == "404"
    head = subprocess.run([curl, "-sS", "--max-time", "10", "-I", f"http://{host}:{web_server}/data.bin"],
                          capture_output=True, text=True, check=True)
    assert re.search(rf"(?im)^content-length: {len(FILE)}\r?$", head.stdout), head.stdout


def _ab_host(host):
    """ab connects to the first address its resolver gives, without falling back: skip a name that
    resolves to IPv6 first (the servers here listen on IPv4)."""
    first = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0]
    if first[0] != socket.AF_INET:
        pytest.skip(f"{host} resolves to {first[4][0]} first here, where ab would not fall back to IPv4")
    return host


@pytest.mark.parametrize("host", NAMES)
def test_apachebench_at_concurrency_200_gets_no_failed_request(web_server, host):
    ab = tool("ab", "apache2-utils")
    url = f"http://{_ab_host(host)}:{web_server}/hello.txt"
    run = subprocess.run([ab, "-q", "-n", "2000", "-c", "200", "-s", "20", url], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr + run.stdout
    figures = dict(re.findall(r"(?m)^(Complete requests|Failed requests|Non-2xx responses):\s+(\d+)", run.stdout))
    assert figures.get("Complete requests") == "2000", run.stdout
    assert figures.get("Failed requests") == "0", run.stdout
    assert "Non-2xx responses" not in figures, run.stdout
