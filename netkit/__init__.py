"""netkit: real servers on loopback, peers that misbehave on purpose, a safe way to run
a student's network code, and pictures of what crossed the wire.

The notebooks read it as ``from netkit import echo_server, tcp_proxy, ...``. Names are
imported on first use (the table below), so ``import netkit`` stays fast and a
notebook pays only for what it uses.

==================  ==========================================================
module              owns
==================  ==========================================================
netkit.errors       the error tree (``CheckFailed`` is what checks raise)
netkit.servers      background TCP/UDP servers: echo, nop, scripted, any handler
netkit.ftp          a real FTP server (pyftpdlib) with a user and a temp root
netkit.http         an HTTP/1.0 file server
netkit.sntp         SNTP packets (pure) and an SNTP server
netkit.proxies      misbehaving TCP and UDP proxies, seeded; a lockstep peer
netkit.wire         the wire recorder: hexdump, sequence diagram, compact text
netkit.runner       running student code in a child process under a deadline
netkit.leaks        what a test may leave behind: sockets, threads, processes
netkit.checks.*     the checks notebook test cells call, one module per notebook
netkit.hidden.*     the hidden tests' checks (instructor only, never published)
==================  ==========================================================
"""

import importlib

_PUBLIC = {
    "errors": ["NetkitError", "CheckFailed", "StudentCodeError", "DeadlineExceeded", "PeerError"],
    "servers": ["Address", "tcp_server", "udp_server", "echo_server", "nop_server", "scripted_server"],
    "ftp": ["ftp_server", "FTPSite"],
    "http": ["http_server"],
    "sntp": ["sntp_server"],
    "proxies": ["tcp_proxy", "udp_proxy", "lockstep_peer"],
    "wire": ["Recording", "Chunk", "capture", "hexdump"],
    "runner": ["run", "call", "background", "report_ready", "Outcome", "ForbiddenModuleError"],
}

_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'netkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"netkit.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
