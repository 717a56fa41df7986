"""netkit.http: an HTTP/1.0 file server, driven by http.client and urllib."""

import http.client
import random
import socket
import urllib.error
import urllib.request

import pytest

from netkit.http import http_server
from netkit.leaks import leftovers, snapshot

pytestmark = pytest.mark.timeout(20)
TIMEOUT = 5.0
BINARY = b"\r\n\0" + random.Random(80).randbytes(1 << 20) + b"\0\n\r"
FILES = {"index.html": b"<h1>Hello</h1>\n", "data/blob.bin": BINARY, "empty.txt": b""}


@pytest.fixture
def address():
    with http_server(files=FILES) as address:
        yield address


def fetch(address, method, path):
    """(status, HTTP version, headers, body) through http.client."""
    conn = http.client.HTTPConnection(address.host, address.port, timeout=TIMEOUT)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.version, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def recv_all(conn):
    """Everything until EOF (closing earlier would reset the server mid-reply)."""
    chunks = []
    while data := conn.recv(65536):
        chunks.append(data)
    return b"".join(chunks)


# urllib without the environment's proxies: loopback must be reached directly.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def test_it_binds_loopback(address):
    assert address.host == "127.0.0.1" and address.port > 0


def test_get_returns_the_file_with_its_exact_length(address):
    status, version, headers, body = fetch(address, "GET", "/index.html")
    assert (status, version) == (200, 10)  # HTTP/1.0
    assert body == FILES["index.html"]
    assert headers["Content-Length"] == str(len(body))
    assert headers["Content-type"] == "text/html"


def test_get_a_mebibyte_of_binary(address):
    status, _, headers, body = fetch(address, "GET", "/data/blob.bin")
    assert status == 200 and headers["Content-Length"] == str(len(BINARY))
    assert len(body) == len(BINARY) and body == BINARY


def test_get_an_empty_file(address):
    status, _, headers, body = fetch(address, "GET", "/empty.txt")
    assert (status, headers["Content-Length"], body) == (200, "0", b"")


def test_head_sends_the_headers_and_no_body(address):
    status, _, headers, body = fetch(address, "HEAD", "/data/blob.bin")
    assert status == 200 and headers["Content-Length"] == str(len(BINARY))
    assert body == b""


def test_a_missing_file_is_404(address):
    status, _, headers, body = fetch(address, "GET", "/missing.html")
    assert status == 404
    assert headers["Content-Length"] == str(len(body))


def test_an_unknown_method_is_501(address):
    status, _, _, _ = fetch(address, "DELETE", "/index.html")
    assert status == 501


def test_the_server_closes_after_one_response(address):
    with socket.create_connection(address, timeout=TIMEOUT) as client:
        client.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
        head, _, body = recv_all(client).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 OK\r\n")
    assert body == FILES["index.html"]


def test_a_request_without_a_version_still_gets_a_status_line(address):
    with socket.create_connection(address, timeout=TIMEOUT) as client:
        client.sendall(b"GET /index.html\r\n\r\n")
        assert recv_all(client).startswith(b"HTTP/1.0 200 OK\r\n")


def test_urllib_reads_it(address):
    with OPENER.open(f"http://{address}/data/blob.bin", timeout=TIMEOUT) as response:
        assert response.status == 200
        assert int(response.headers["Content-Length"]) == len(BINARY)
        assert response.read() == BINARY


def test_urllib_sees_404_as_an_error(address):
    with pytest.raises(urllib.error.HTTPError) as caught:
        OPENER.open(f"http://{address}/nope", timeout=TIMEOUT)
    caught.value.close()
    assert caught.value.code == 404


def test_serves_a_given_root_and_leaves_it(tmp_path):
    (tmp_path / "page.txt").write_bytes(b"from the test")
    with http_server(root=tmp_path) as address:
        assert fetch(address, "GET", "/page.txt")[3] == b"from the test"
        (tmp_path / "later.txt").write_bytes(b"added while serving")
        assert fetch(address, "GET", "/later.txt")[3] == b"added while serving"
    assert (tmp_path / "page.txt").exists()


def test_the_temporary_root_is_removed():
    server = http_server(files={"a.txt": b"a"})
    with server:
        root = server.root
        assert (root / "a.txt").read_bytes() == b"a"
    assert not root.exists()


def test_root_and_files_together_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not both"):
        http_server(root=tmp_path, files={"a": b"a"})


def test_a_root_that_is_not_a_directory_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        with http_server(root=tmp_path / "nowhere"):
            pass


def test_it_is_quiet(capfd):
    server = http_server(files=FILES)
    with server as address:
        fetch(address, "GET", "/index.html")
        fetch(address, "GET", "/missing")
        with socket.create_connection(address, timeout=TIMEOUT) as client:
            client.sendall(b"GET / HTTP/one\r\n\r\n")  # a bad version: 400, logged
            assert recv_all(client).startswith(b"HTTP/1.0 400")
    assert capfd.readouterr() == ("", "")
    assert server.errors == []


def test_stop_ends_a_request_that_never_finished():
    server = http_server(files=FILES)
    with server as address:
        client = socket.create_connection(address, timeout=TIMEOUT)
        client.sendall(b"GET /index.html HTTP/1.0\r\n")  # no blank line: still reading
    with client:
        assert client.recv(100) == b""
    assert server.errors == []


def test_exit_leaves_nothing_behind_at_once():
    # Stricter than conftest's leak check, which waits a moment: exit itself joins and closes.
    before = snapshot()
    with http_server(files=FILES) as address:
        fetch(address, "GET", "/index.html")
        idle = socket.create_connection(address, timeout=TIMEOUT)  # a request never sent
    assert [line for line in leftovers(before) if "socket" not in line] == []  # no thread
    idle.close()
    assert leftovers(before) == []
