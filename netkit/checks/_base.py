"""What every check shares: failing with a lesson-shaped message, and hiding netkit's frames.

A failure message says what was sent, what was expected, what came back and which
idea of the lecture to revisit. ``fail`` builds that message; ``@check`` makes a
function a check: it raises only ``CheckFailed`` with a short traceback, never writes
to stderr (nbgrader gives a test cell with stderr output 0 points), and runs without pytest.
"""

import functools
import os
import traceback
import warnings

from .. import runner
from ..errors import CheckFailed, NetkitError
from ..policy import GRADING_ENV, HUNG_SCALE

# In a grading run (the grader sets NETKIT_GRADING=1 in the kernel), a hang costs its full
# deadline once: a check already failed for the same arguments fails again at once (a hidden
# cell repeats the visible check first), and code that has hung gets a quarter of its
# deadline, in later checks and in the rest of the check where it hung.
GRADING = os.environ.get(GRADING_ENV) == "1"
_failed = {}  # (check, ids of its arguments) -> (the arguments, kept alive so ids stay unique; the error)
_hung = {}  # id(argument) -> argument, for the arguments of checks that ran past a deadline

_NETKIT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

__all__ = ["check", "fail", "fail_unclosed", "show_bytes", "CheckFailed", "HINT_CLOSE_SOCKET"]

HINT_CLOSE_SOCKET = ("close every socket you open, however the function ends: `with socket.create_connection(address) "
                     "as sock:` (or `with socket.socket(...) as sock:`) closes it when the block ends, even on an "
                     "exception or a return; without `with`, call sock.close() in a `finally:`. CPython closed "
                     "this one only because nothing referred to it any more; a reference kept anywhere (a list, "
                     "a traceback) keeps the connection open")


def show_bytes(data, limit=80):
    """``data`` as a short ``repr`` with its length, e.g. ``b'220 Hi\\r\\n' (8 bytes)``."""
    if data is None:
        return "None"
    if not isinstance(data, (bytes, bytearray)):
        return repr(data)[:limit]
    data = bytes(data)
    text = repr(data[:limit]) + ("..." if len(data) > limit else "")
    return f"{text} ({len(data)} byte{'s' if len(data) != 1 else ''})"


def fail(summary, *, sent=None, expected=None, got=None, trace=None, hint=None, output=None):
    """Raise ``CheckFailed`` with a message in the house shape.

    ``summary`` is one sentence; the rest are optional lines: ``sent``/``expected``/``got``
    (bytes are shown with ``show_bytes``), ``trace`` (a wire trace as text),
    ``hint`` (the idea of the lecture to revisit), ``output`` (what the student's code printed).
    """
    lines = [summary]
    for label, value in (("sent", sent), ("expected", expected), ("got", got)):
        if value is not None:
            shown = show_bytes(value) if isinstance(value, (bytes, bytearray)) else str(value)
            lines.append(f"  {label + ':':<10}{shown}")
    if trace:
        lines.append("  on the wire:")
        lines.extend("    " + line for line in str(trace).splitlines())
    if output:
        lines.append("  your code printed:")
        lines.extend("    " + line for line in str(output).rstrip().splitlines()[-20:])
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckFailed("\n".join(lines))


def fail_unclosed(outcome, lead, what, *, trace=None):
    """Fail if the run in ``outcome`` left a socket for the garbage collector (``Outcome.unclosed``).

    ``lead`` says who did what ("download(sock, reader, 'a.bin') returned"), ``what`` names the
    socket the exercise asks to close ("its data connection").
    """
    __tracebackhide__ = True  # noqa: F841
    if outcome.unclosed:
        more = f" (and {len(outcome.unclosed) - 1} more)" if len(outcome.unclosed) > 1 else ""
        fail(f"{lead}, but never closed {what}: Python found the socket still open when it freed it, "
             "after the function had returned.", expected="the socket closed by your code",
             got=f"ResourceWarning: unclosed {outcome.unclosed[0]}{more}", trace=trace, hint=HINT_CLOSE_SOCKET,
             output=outcome.output)


def check(func):
    """Make ``func`` a check: quiet, only ``CheckFailed`` out, netkit's frames hidden.

    An exception of the check's own code (an ``OSError``, a ``KeyError``) comes out as a
    ``CheckFailed`` that says what went wrong where, and to tell the instructor.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841  (pytest and IPython hide this frame)
        key = (func.__qualname__, tuple(map(id, args)), tuple(map(id, kwargs.values())))
        if GRADING and key in _failed:
            raise _failed[key][1].with_traceback(None) from None
        hung = GRADING and any(id(a) in _hung for a in (*args, *kwargs.values()))
        timeouts = runner.DEADLINES.timeouts
        try:
            with warnings.catch_warnings(), runner.DEADLINES.scaled(HUNG_SCALE if hung else 1.0), \
                    runner.DEADLINES.scaled(HUNG_SCALE if GRADING else 1.0, after_timeout=True):
                warnings.simplefilter("ignore")
                return func(*args, **kwargs)
        except CheckFailed as exc:
            error = exc
        except NetkitError as exc:
            error = CheckFailed(f"The check itself could not run: {exc}\n"
                                "This is not your fault; run the cell again, and tell your instructor if it persists.")
        except Exception as exc:  # the check's own bug: a lesson-shaped report, not netkit's frames
            error = CheckFailed(_went_wrong(exc))
        if GRADING:
            _failed[key] = ((args, kwargs), error)
            if runner.DEADLINES.timeouts > timeouts:
                _hung.update((id(a), a) for a in (*args, *kwargs.values()) if callable(a))
        raise error.with_traceback(None) from None

    return wrapper


def _went_wrong(exc):
    """What a student reads when a check's own code raised: what, where, and whom to tell."""
    frames = traceback.extract_tb(exc.__traceback__)[1:]  # [0] is the wrapper
    where = ([f for f in frames if f.filename.startswith(_NETKIT_DIR)] or frames)[-1]
    what = traceback.format_exception_only(exc)[-1].strip()  # survives an exception whose str() raises
    path = ("netkit/" + where.filename.removeprefix(_NETKIT_DIR) if where.filename.startswith(_NETKIT_DIR)
            else os.path.basename(where.filename))
    return (f"The check itself went wrong: {what[:300]} ({path}, line {where.lineno}, in {where.name}).\n"
            "This is probably not your fault, unless your code returned something unusual that the "
            "check did not expect. Tell your instructor, and show them this message.")
