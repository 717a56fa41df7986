"""The small tree of errors netkit raises.

``NetkitError`` is the root. Checks raise only ``CheckFailed`` (an ``AssertionError``),
so a notebook test cell fails the way nbgrader expects. Its subclasses keep apart
"your code did X" (``StudentCodeError``, ``DeadlineExceeded``) from "the peer or the
network did Y" (``PeerError``), which is never the student's fault.
"""


class NetkitError(Exception):
    """Base of everything netkit raises on purpose."""


class CheckFailed(NetkitError, AssertionError):
    """A check found the student's code wrong; the message is a small lesson."""

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the lesson, not netkit's frames."""
        first, *rest = str(self).splitlines() or [""]
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {first}", *rest]


class StudentCodeError(CheckFailed):
    """The student's code raised, exited the process or was killed."""


class DeadlineExceeded(CheckFailed):
    """The student's code ran past its deadline; the message says where it was stuck."""


class PeerError(NetkitError):
    """A netkit server, proxy or the loopback network misbehaved unexpectedly."""
