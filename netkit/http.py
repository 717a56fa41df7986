"""A quiet HTTP/1.0 file server on loopback.

This module owns ``http_server``: the standard library's ``SimpleHTTPRequestHandler``
(GET and HEAD, 404 for a missing file, an exact ``Content-Length``, one request per
connection as HTTP/1.0 says) served by ``netkit.servers.TCPServer``, so it starts,
stops and joins its threads like every other netkit server. It writes no log lines
(nbgrader gives a test cell with stderr output 0 points).

    with http_server(files={"index.html": b"<h1>Hi</h1>"}) as address:
        urllib.request.urlopen(f"http://{address.host}:{address.port}/index.html")
"""

import contextlib
import http.server
import pathlib

from .servers import LOOPBACK, TCPServer, temp_root

__all__ = ["http_server", "HTTPServer", "QuietHandler"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files under ``directory`` and logs nothing.

    A request line without a version, or one too broken to parse, is answered as
    HTTP/1.0 (status line and headers), not as HTTP/0.9 (a bare body), so what a
    student's client got wrong shows in the reply.
    """

    protocol_version = "HTTP/1.0"
    default_request_version = "HTTP/1.0"
    server_version = "netkit-http"

    def log_message(self, format, *args):
        """Silence the access and error log (the base class writes it to stderr)."""


class HTTPServer(TCPServer):
    """Files from ``root``, or from a temporary root filled from ``files``, over HTTP/1.0."""

    kind = "http"

    def __init__(self, root=None, files=None, host=LOOPBACK):
        if root is not None and files is not None:
            raise ValueError("give http_server a root, or files for a temporary root, not both")
        super().__init__(None, host=host)
        self.root = None if root is None else pathlib.Path(root)
        self.files = files
        self._cleanup = contextlib.ExitStack()

    def start(self):
        """Make the temporary root if there is no root, then bind and serve."""
        if self.root is None:
            self.root = self._cleanup.enter_context(temp_root(self.files, prefix="netkit-http-"))
        elif not self.root.is_dir():
            raise FileNotFoundError(f"http_server root {str(self.root)!r} is not a directory")
        try:
            return super().start()
        except BaseException:
            self._cleanup.close()
            raise

    def stop(self):
        try:
            super().stop()
        finally:
            self._cleanup.close()

    def handle(self, conn, addr):
        QuietHandler(conn, addr, self, directory=str(self.root))


def http_server(root=None, files=None):
    """An HTTP/1.0 server on loopback: ``with http_server(files={...}) as address``.

    It serves the directory ``root``, or a temporary one filled from ``files``
    {relative path: bytes} and removed on exit; GET and HEAD, 404 for what is missing.
    """
    return HTTPServer(root=root, files=files)
