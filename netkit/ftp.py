"""A real FTP server (pyftpdlib) on loopback, with one user and a temporary root.

This module owns ``ftp_server``: pyftpdlib's single-threaded async server, run from
one daemon thread on its own IO loop, so several can run at once and each stops
promptly (a wake-up socket interrupts the loop; nothing polls). The user may read and
write everything under the root; passive data connections listen on 127.0.0.1 on
ports the kernel picks. pyftpdlib's logger is silenced when this module is imported
(nbgrader gives a test cell with stderr output 0 points); its error records are kept
in ``server.errors`` instead.

    with ftp_server(files={"hello.txt": b"hi\\r\\n"}) as site:
        ftp = ftplib.FTP(); ftp.connect(site.host, site.port)
        ftp.login(site.user, site.password)
        ...
        (site.root / "upload.bin").read_bytes()     # what a client stored
"""

import contextlib
import logging
import pathlib
import socket
import threading
import warnings
from typing import NamedTuple

with warnings.catch_warnings():  # pyftpdlib imports asynchat, deprecated in Python 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.ioloop import AsyncChat, IOLoop
    from pyftpdlib.servers import FTPServer as _PyFTPServer

from .servers import LOOPBACK, Address, temp_root

__all__ = ["ftp_server", "FTPSite", "FTPServer", "PERMISSIONS"]

PERMISSIONS = "elradfmwMT"  # pyftpdlib's letters: every read and write permission

# pyftpdlib logs every command at INFO and, finding no handler, adds one to stderr.
# Keep only errors (for server.errors), and keep them away from the root logger.
_log = logging.getLogger("pyftpdlib")
_log.addHandler(logging.NullHandler())
_log.setLevel(logging.ERROR)
_log.propagate = False


class FTPSite(NamedTuple):
    """What a test needs to reach and inspect the server; ``root`` is a ``pathlib.Path``."""

    host: str
    port: int
    user: str
    password: str
    root: pathlib.Path

    @property
    def address(self):
        return Address(self.host, self.port)


class _Waker(AsyncChat):
    """The read end of a socket pair inside the IO loop: a byte on it ends a poll."""

    def handle_read(self):
        with contextlib.suppress(OSError):
            self.socket.recv(64)

    def writable(self):
        return False


class _Errors(logging.Handler):
    """Keeps the error records pyftpdlib logs from one server's thread."""

    def __init__(self, errors):
        super().__init__(logging.ERROR)
        self.errors = errors
        self.thread = None

    def emit(self, record):
        if record.thread == self.thread:
            self.errors.append(record.getMessage())


class FTPServer:
    """A pyftpdlib server in a daemon thread; a context manager yielding an ``FTPSite``."""

    def __init__(self, user="student", password="secret", files=None):
        self.user, self.password, self.files = user, password, files
        self.site = None
        self.errors = []
        self.stopping = threading.Event()
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        """Create and fill the root, bind, start serving; return the ``FTPSite``."""
        if self._thread is not None:
            raise RuntimeError("this FTP server was already started")
        with contextlib.ExitStack() as stack:
            root = stack.enter_context(temp_root(self.files, prefix="netkit-ftp-"))
            authorizer = DummyAuthorizer()
            authorizer.add_user(self.user, self.password, str(root), perm=PERMISSIONS)
            handler = type(
                "NetkitFTPHandler",
                (FTPHandler,),
                {
                    "authorizer": authorizer,
                    "banner": "netkit FTP server ready.",
                    "passive_ports": None,  # the kernel picks each data port
                    "auth_failed_timeout": 0,  # answer a wrong password with 530 at once
                },
            )
            ioloop = IOLoop()
            stack.callback(ioloop.close)
            self._server = _PyFTPServer((LOOPBACK, 0), handler, ioloop=ioloop)
            self._wake_r, self._wake_w = socket.socketpair()
            stack.callback(self._wake_w.close)
            _Waker(self._wake_r, ioloop=ioloop)
            self._errors = _Errors(self.errors)
            _log.addHandler(self._errors)
            stack.callback(_log.removeHandler, self._errors)
            host, port = self._server.address
            self.site = FTPSite(host, port, self.user, self.password, root)
            self._thread = threading.Thread(
                target=self._serve, name=f"netkit-ftp-{port}", daemon=True
            )
            self._thread.start()
            self._cleanup = stack.pop_all()
        return self.site

    def _serve(self):
        self._errors.thread = threading.get_ident()
        ioloop = self._server.ioloop
        timeout = None
        try:
            # Strategy: pyftpdlib's own loop, one poll at a time, checking our flag
            # between polls; stop() wakes the poll through the socket pair.
            while not self.stopping.is_set():
                ioloop.poll(timeout)
                timeout = ioloop.sched.poll()
        except BaseException as exc:
            self.errors.append(exc)
        finally:
            with contextlib.suppress(Exception):
                self._server.close_all()  # every control and data socket, the listener

    def stop(self):
        """Disconnect every client, close every socket, join the thread, remove the root."""
        if self._thread is None or self.stopping.is_set():
            return
        self.stopping.set()
        try:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"\0")
            self._thread.join()
        finally:
            self._cleanup.close()


def ftp_server(user="student", password="secret", files=None):
    """A real FTP server on loopback: ``with ftp_server() as site`` yields an ``FTPSite``.

    ``files`` {relative path: bytes} pre-fills the temporary root, which is removed on
    exit. ``user`` may log in with ``password`` and read and write everything.
    """
    return FTPServer(user=user, password=password, files=files)
