"""netkit.ftp: a real pyftpdlib server, driven by ftplib, filled and inspected through its root."""

import ftplib
import io
import logging
import os
import random

import pytest

from netkit.ftp import FTPSite, ftp_server
from netkit.leaks import leftovers, snapshot

pytestmark = pytest.mark.timeout(20)
TIMEOUT = 5.0


def _binary(size, seed):
    """Seeded random bytes that surely hold the bytes ASCII mode would mangle."""
    return b"\r\n\0" + random.Random(seed).randbytes(size - 6) + b"\n\r\0"


@pytest.fixture
def site():
    with ftp_server(files={"hello.txt": b"Hello, FTP!\r\n", "docs/readme.md": b"# docs\n"}) as site:
        yield site


@pytest.fixture
def ftp(site):
    client = ftplib.FTP(timeout=TIMEOUT)
    client.connect(site.host, site.port)
    client.login(site.user, site.password)
    yield client
    client.close()


def test_the_site_says_where_and_who():
    with ftp_server(user="alice", password="pw") as site:
        assert isinstance(site, FTPSite)
        assert site.host == "127.0.0.1" and site.address == (site.host, site.port)
        assert (site.user, site.password) == ("alice", "pw")
        assert site.root.is_dir() and list(site.root.iterdir()) == []
    assert not site.root.exists()


def test_login_with_the_right_password(site):
    client = ftplib.FTP(timeout=TIMEOUT)
    try:
        assert client.connect(site.host, site.port).startswith("220 ")
        assert client.login(site.user, site.password).startswith("230 ")
        assert client.quit().startswith("221 ")
    finally:
        client.close()


@pytest.mark.parametrize("user, password", [("student", "wrong"), ("nobody", "secret")])
def test_a_wrong_login_is_530_at_once(site, user, password):
    client = ftplib.FTP(timeout=TIMEOUT)  # pyftpdlib's 3 s penalty is off: no timeout here
    try:
        client.connect(site.host, site.port)
        with pytest.raises(ftplib.error_perm, match="^530 "):
            client.login(user, password)
    finally:
        client.close()


def test_list_shows_the_files_the_test_put_in(site, ftp):
    (site.root / "added-by-test.bin").write_bytes(b"x" * 1234)
    names = ftp.nlst()
    assert sorted(names) == ["added-by-test.bin", "docs", "hello.txt"]
    lines = []
    ftp.retrlines("LIST", lines.append)
    assert any(line.endswith(" hello.txt") and " 13 " in line for line in lines), lines
    assert any(line.startswith("d") and line.endswith(" docs") for line in lines), lines
    assert ftp.nlst("docs") == ["readme.md"]


def test_download_a_text_file(ftp):
    lines = []
    ftp.retrlines("RETR hello.txt", lines.append)
    assert lines == ["Hello, FTP!"]


def test_upload_lands_in_the_root_byte_for_byte(site, ftp):
    data = _binary(300_000, seed=1)
    assert ftp.storbinary("STOR upload.bin", io.BytesIO(data)).startswith("226")
    assert (site.root / "upload.bin").read_bytes() == data
    assert ftp.size("upload.bin") == len(data)


def test_download_a_mebibyte_of_binary(site, ftp):
    data = _binary(1 << 20, seed=2)
    (site.root / "big.bin").write_bytes(data)
    received = io.BytesIO()
    assert ftp.retrbinary("RETR big.bin", received.write).startswith("226")
    assert len(received.getvalue()) == len(data) and received.getvalue() == data


def test_upload_then_download_the_same_bytes(ftp):
    data = _binary(1 << 20, seed=3)
    ftp.storbinary("STOR round.bin", io.BytesIO(data))
    received = io.BytesIO()
    ftp.retrbinary("RETR round.bin", received.write)
    assert received.getvalue() == data


def test_a_missing_file_is_550(ftp):
    with pytest.raises(ftplib.error_perm, match="^550 "):
        ftp.retrbinary("RETR no-such-file.txt", lambda data: None)
    assert ftp.voidcmd("NOOP").startswith("200")  # the session goes on


def test_the_user_may_write_everything(site, ftp):
    ftp.mkd("new")
    ftp.storbinary("STOR new/a.txt", io.BytesIO(b"a"))
    ftp.rename("new/a.txt", "new/b.txt")
    ftp.delete("hello.txt")
    assert (site.root / "new" / "b.txt").read_bytes() == b"a"
    assert not (site.root / "hello.txt").exists()


def test_passive_data_connections_stay_on_loopback(site, ftp):
    host, port = ftplib.parse227(ftp.sendcmd("PASV"))
    assert host == "127.0.0.1" and port not in (0, site.port)
    ftp.sendcmd("ABOR")


def test_two_servers_at_once_are_independent():
    with ftp_server(files={"a": b"A"}) as first, ftp_server(files={"b": b"B"}) as second:
        assert first.port != second.port and first.root != second.root
        for site, name in ((first, "a"), (second, "b")):
            with ftplib.FTP(timeout=TIMEOUT) as client:
                client.connect(site.host, site.port)
                client.login(site.user, site.password)
                assert client.nlst() == [name]


def test_stop_disconnects_a_connected_client():
    with ftp_server() as site:
        client = ftplib.FTP(timeout=TIMEOUT)
        client.connect(site.host, site.port)
        client.login(site.user, site.password)
    try:
        with pytest.raises((EOFError, ConnectionError)):
            client.voidcmd("NOOP")
    finally:
        client.close()


def test_it_is_quiet_even_with_logging_configured(capfd, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    server = ftp_server()
    with server as site, ftplib.FTP(timeout=TIMEOUT) as client:
        client.connect(site.host, site.port)
        with pytest.raises(ftplib.error_perm):
            client.login(site.user, "wrong")
        client.login(site.user, site.password)
        with pytest.raises(ftplib.error_perm):
            client.retrlines("RETR missing.txt", print)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert [r for r in caplog.records if r.name.startswith("pyftpdlib")] == []
    assert server.errors == []


def _open_files_under(root):
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(root)):
            found.append(target)
    return found


def test_exit_leaves_nothing_behind_at_once():
    # Stricter than conftest's leak check, which waits a moment: exit itself joins and closes.
    before = snapshot()
    with ftp_server(files={"a.bin": _binary(200_000, seed=4)}) as site:
        client = ftplib.FTP(timeout=TIMEOUT)
        client.connect(site.host, site.port)
        client.login(site.user, site.password)
        client.retrbinary("RETR a.bin", lambda data: None)
        client.storbinary("STOR b.bin", io.BytesIO(b"b" * 100_000))
        assert _open_files_under(site.root) == []  # each transfer closed its file
        client.sendcmd("PASV")  # a data listener left open on purpose
    assert [line for line in leftovers(before) if "socket" not in line] == []  # no thread
    client.close()
    assert leftovers(before) == []
    assert _open_files_under(site.root) == [] and not site.root.exists()
