"""Running a student's code safely: in a forked child, under a deadline, output captured.

This module owns the boundary between a check and the student's code. Whatever that code
does (loops forever, swallows ``KeyboardInterrupt``, calls ``sys.exit`` or ``os._exit``,
raises, prints tracebacks, forks, starts threads) costs the check only its deadline, and
nothing of it reaches the stderr of the notebook cell (nbgrader scores a test cell that
wrote to stderr 0 points)::

    outcome = run(read_reply, sock, deadline=2.0)    # an Outcome, never raises for the student
    value = call(read_reply, sock, deadline=2.0)     # the value, or StudentCodeError / DeadlineExceeded
    with background(echo_server, deadline=30.0) as server:
        address = server.ready()                     # what the child passed to report_ready()
        ...
    server.outcome                                   # stopped and reaped: where it was, what it printed

How one run goes (Linux; ``fork`` keeps a function defined in a notebook cell and the
sockets a check made, without pickling them)::

    parent                                     child, in its own process group
    ------                                     -------------------------------
    fork  -------------------------------->    fd 0 <- /dev/null, fd 1 and 2 -> a temp file
    poll(pipe, pidfd) up to the deadline       forbid modules; func(*args, **kwargs)
          <------ ("ready", value) --------    report_ready(value)
          <------ ("result", {...}) -------    returned / raised / sys.exit, then os._exit
    deadline: SIGUSR1  ------------------->    the handler says where the student's code is
          <------ ("stuck", {...}) --------
    killpg(SIGKILL), waitpid, read the temp file   (grandchildren die with the group)

The parent uses no threads and never sleeps to wait: it polls the pipe and a pidfd. The
child has one watchdog thread that ends it (and its group) if the parent disappears or
never stops it, so no process outlives its deadline by more than ``ORPHAN_GRACE``.
"""

import _thread
import ast
import builtins
import contextlib
import dataclasses
import faulthandler
import functools
import gc
import importlib
import io
import itertools
import linecache
import math
import os
import pickle
import select
import signal
import struct
import sys
import sysconfig
import tempfile
import time
import traceback
import types
import warnings

from .errors import DeadlineExceeded, PeerError, StudentCodeError

__all__ = [
    "run",
    "call",
    "background",
    "report_ready",
    "Outcome",
    "Background",
    "ForbiddenModuleError",
    "StandInError",
    "Unpicklable",
    "STATUSES",
    "cpu_seconds",
    "CPUMeter",
    "is_student",
]

STATUSES = ("returned", "raised", "exited", "killed", "timeout")
PROBE_WAIT = 0.2  # how long a stuck child gets to say where it is before SIGKILL
ORPHAN_GRACE = 0.5  # the child's own watchdog acts this long after its deadline
OUTPUT_CAP = 1 << 20  # bytes of Python-level prints kept in the child; the rest is dropped
OUTPUT_HEAD, OUTPUT_TAIL = 2_000, 8_000  # bytes of output an Outcome keeps, first and last
SHOWN_LINES = 30  # lines of output a failure message shows (the last ones)

_HEADER = struct.Struct(">I")
_NETKIT_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


# ---------------------------------------------------------------- values and stand-ins


@dataclasses.dataclass(frozen=True)
class Unpicklable:
    """A value the student's code returned that cannot cross a process boundary (a socket...)."""

    type_name: str
    text: str

    def __repr__(self):
        return self.text


class StandInError(Exception):
    """Stands in for a student's exception that could not be brought back from the child."""


class ForbiddenModuleError(ImportError):
    """The student's code used a module that the exercise forbids (``forbid=(...)``)."""


_STAND_INS = {}


def _stand_in(type_name, message):
    """An exception with the student's type name and message, when the real one cannot travel."""
    real = getattr(builtins, type_name, None)
    if isinstance(real, type) and issubclass(real, BaseException):
        with contextlib.suppress(Exception):
            return real(message)
    short = type_name.rsplit(".", 1)[-1]
    cls = _STAND_INS.get(type_name)
    if cls is None:
        cls = _STAND_INS[type_name] = type(short, (StandInError,), {"__module__": __name__})
    return cls(message)


# ---------------------------------------------------------------- the outcome and its lesson


def _seconds(value):
    return f"{value:.1f}" if round(value, 1) == value else f"{value:.2f}"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened when the student's code ran.

    ``status`` is one of ``STATUSES``. ``value`` is the return value (an ``Unpicklable``
    if it could not travel); ``exception`` the exception (a ``StandInError`` subclass of
    the same name if it could not travel) and ``traceback`` its text, the student's frames
    only; ``exit_code`` and ``exit_via`` (``"sys.exit(3)"``, ``"os._exit(0)"``) say how
    the process ended (a negative code is a signal); ``output`` is everything printed,
    stdout and stderr interleaved; ``stuck_at`` says where a timed-out or stopped child
    was, and ``stack`` the student's frames there, outermost first, as
    ``(function, line, source)``. ``stopped`` is True when ``Background.stop`` ended a
    child that was still running on purpose, which is not a failure.
    """

    status: str
    function: str = "the function"
    value: object = None
    exception: BaseException | None = None
    traceback: str = ""
    exit_code: int | None = None
    exit_via: str | None = None
    output: str = ""
    stuck_at: str | None = None
    stack: tuple = ()
    elapsed: float = 0.0
    deadline: float | None = None
    stopped: bool = False
    unclosed: tuple = ()

    @property
    def ok(self):
        """True when the function returned a value."""
        return self.status == "returned"

    @property
    def clause(self):
        """What happened, as the end of a sentence whose subject is the function."""
        if self.status == "returned":
            return f"returned {self.value!r}"[:300]
        if self.status == "raised":
            return f"raised {_exception_line(self.exception)}"
        if self.status == "exited" and (self.exit_via or "").startswith("sys.exit"):
            return f"ended the program with {self.exit_via}: a function must return, not end the program"
        if self.status == "exited":
            return f"ended the process with {self.exit_via}: a function must return, not end the process"
        if self.status == "timeout":
            return f"did not finish within {_seconds(self.deadline)} s"
        if self.stopped:
            return f"was stopped after {_seconds(self.elapsed)} s"
        return f"was killed by signal {-self.exit_code} ({_signal_name(-self.exit_code)})"

    @property
    def message(self):
        """The small lesson a student reads: what happened, where, and what the code printed."""
        lines = [f"{self.function} {self.clause}" + (f": {self.stuck_at}" if self.stuck_at else "")]
        lines.extend(f"  called from line {line} of {func}: `{text}`" for func, line, text in reversed(self.stack[:-1]))
        if self.status == "raised" and self.traceback:
            lines.extend("  " + line for line in self.traceback.rstrip().splitlines())
        lines.extend(_printed(self.output))
        return "\n".join(lines)

    def error(self):
        """The ``StudentCodeError`` / ``DeadlineExceeded`` this outcome amounts to, or None."""
        if self.ok or self.stopped:
            return None
        kind = DeadlineExceeded if self.status == "timeout" else StudentCodeError
        return kind(self.message)

    def result(self):
        """The return value, or raise the error with the lesson as its message."""
        __tracebackhide__ = True  # noqa: F841  (pytest and IPython hide this frame)
        error = self.error()
        if error is not None:
            raise error from None
        return self.value


def _exception_line(exc):
    name = type(exc).__name__
    text = _safe_str(exc)
    return f"{name}: {text}" if text else name


def _signal_name(number):
    with contextlib.suppress(ValueError):
        return signal.Signals(number).name
    return "unknown signal"


def _printed(output):
    lines = output.rstrip().splitlines()
    if not lines:
        return []
    shown = ["  your code printed:"]
    if len(lines) > SHOWN_LINES:
        shown.append(f"    ... ({len(lines) - SHOWN_LINES} earlier lines not shown)")
    return shown + ["    " + line for line in lines[-SHOWN_LINES:]]


def _safe_str(value):
    try:
        return str(value)
    except Exception:  # a student's __str__ may raise; the lesson must still be built
        return f"<{type(value).__name__} that cannot be shown>"


def _safe_repr(value, limit=300):
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} that cannot be shown>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------- whose frame is it


def _library_dirs():
    paths = sysconfig.get_paths()
    dirs = {paths.get(key) for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs |= {os.path.dirname(os.__file__), os.path.dirname(contextlib.__file__)}
    found = set()
    for path in filter(None, dirs):
        found |= {os.path.abspath(path) + os.sep, os.path.realpath(path) + os.sep}
    return tuple(sorted(found))


_LIBRARY_DIRS = _library_dirs()


@functools.lru_cache(maxsize=2048)
def is_student(filename):
    """Whether code from ``filename`` is the student's: not netkit's, the stdlib's or a library's."""
    if filename.startswith("<"):
        return not filename.startswith("<frozen")
    path = os.path.abspath(filename)
    return not path.startswith((_NETKIT_DIR, *_LIBRARY_DIRS))


def _function_name(func):
    while isinstance(func, functools.partial):
        func = func.func
    return getattr(func, "__name__", None) or type(func).__name__


# ---------------------------------------------------------------- the wire between parent and child


def _frame(kind, payload):
    body = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


def _pack(value):
    """``value`` ready to travel: pickled, or its repr when it cannot be pickled."""
    try:
        return ("pickle", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), type(value).__name__)
    except Exception:
        return ("repr", _safe_repr(value), type(value).__name__)


def _unpack(packed):
    how, data, type_name = packed
    if how == "pickle":
        try:
            return pickle.loads(data)
        except Exception:
            return Unpicklable(type_name, f"<{type_name} that could not be brought back>")
    return Unpicklable(type_name, data)


# ---------------------------------------------------------------- inside the child

_CHILD = None  # in a child: the _ChildSide that report_ready() and the SIGUSR1 handler write to


def report_ready(value=None):
    """Tell the parent the code is ready (e.g. ``report_ready(listener.getsockname())``).

    Called inside a child started by ``background``; ``Background.ready()`` returns
    ``value``. Outside a child it does nothing, so a student can run the same code directly.
    """
    if _CHILD is not None:
        _CHILD.send("ready", _pack(value))


class _ChildSide:
    """The child's end of the pipe; the SIGUSR1 handler and the result share it."""

    def __init__(self, fd):
        self.fd = fd
        self.pid = os.getpid()
        self.sending = False
        self.probe_pending = False

    def send(self, kind, payload):
        data = memoryview(_frame(kind, payload))
        # Strategy: a probe arriving mid-message must not interleave its own message.
        self.sending = True
        try:
            while data:
                data = data[os.write(self.fd, data):]
        finally:
            self.sending = False
        if self.probe_pending:
            self.probe_pending = False
            self.on_probe(signal.SIGUSR1, sys._getframe())

    def on_probe(self, signum, frame):
        """SIGUSR1: say where the student's code is; never raise into it."""
        if self.sending:
            self.probe_pending = True
            return
        with contextlib.suppress(BaseException):
            self.send("stuck", _where(frame))


def _where(frame):
    """Where the student's code is: the blocking call, and its frames, outermost first."""
    frames = []
    while frame is not None and frame.f_code is not _child_main.__code__:  # not the parent's frames
        frames.append(frame)
        frame = frame.f_back
    if not frames:
        return {"call": None, "stack": []}
    student = [i for i, f in enumerate(frames) if is_student(f.f_code.co_filename)]
    if not student:  # e.g. a library function run directly; netkit's own frames say nothing
        outside = [f for f in frames if not f.f_code.co_filename.startswith(_NETKIT_DIR)]
        if not outside:
            return {"call": None, "stack": []}
        func, line, text = _describe_frame(outside[0])
        return {"call": None, "stack": [(f"{func} ({os.path.basename(outside[0].f_code.co_filename)})", line, text)]}
    index = student[0]
    call = _call_at(frames[index])
    if call is None and index > 0:
        call = frames[index - 1].f_code.co_name  # the library function it is blocked in
    return {"call": call, "stack": [_describe_frame(frames[i]) for i in reversed(student)]}


def _describe_frame(frame):
    code = frame.f_code
    line = frame.f_lineno or code.co_firstlineno
    text = linecache.getline(code.co_filename, line, frame.f_globals).strip()
    return (code.co_name, line, text)


def _call_at(frame):
    """The name of the call at the frame's current instruction (``recv`` for ``conn.recv(1024)``)."""
    code = frame.f_code
    try:
        line, end_line, col, end_col = next(itertools.islice(code.co_positions(), frame.f_lasti // 2, None))
    except (StopIteration, ValueError):
        return None
    if None in (line, end_line, col, end_col):
        return None
    lines = [linecache.getline(code.co_filename, n, frame.f_globals).encode() for n in range(line, end_line + 1)]
    if not all(lines):
        return None
    # co_positions columns count UTF-8 bytes.
    text = lines[0][col:end_col] if line == end_line else lines[0][col:] + b"".join(lines[1:-1]) + lines[-1][:end_col]
    try:
        node = ast.parse("(" + text.decode("utf-8", "replace") + "\n)", mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Call):
        func = node.func
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return None


class _CappedFD(io.RawIOBase):
    """fd 1 or 2 of the child, unbuffered, dropping Python-level prints past OUTPUT_CAP."""

    def __init__(self, fd, budget):
        super().__init__()
        self._fd = fd
        self._budget = budget  # a one-item list shared by stdout and stderr

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def write(self, data):
        size = len(data)
        left = self._budget[0]
        if left > 0:
            chunk = memoryview(data)[:left]
            self._budget[0] -= len(chunk)
            with contextlib.suppress(OSError):  # a full disk must not break the student's print()
                while chunk:
                    chunk = chunk[os.write(self._fd, chunk):]
                if self._budget[0] <= 0:
                    os.write(self._fd, b"\n[netkit: more output was dropped]\n")
        return size


def _redirect(out_fd):
    """fd 0 from /dev/null, fd 1 and 2 into the temp file; new sys streams that never touch ipykernel's."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    old = {id(sys.stdout), id(sys.stderr), id(sys.__stdout__), id(sys.__stderr__)}
    budget = [OUTPUT_CAP]
    out, err = (io.TextIOWrapper(_CappedFD(fd, budget), encoding="utf-8", errors="backslashreplace",
                                 write_through=True) for fd in (1, 2))
    sys.stdout = sys.__stdout__ = out
    sys.stderr = sys.__stderr__ = err
    sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    logging = sys.modules.get("logging")
    if logging is not None:  # handlers made in the parent may hold the kernel's stream
        loggers = [logging.root, *logging.Logger.manager.loggerDict.values()]
        for handler in itertools.chain.from_iterable(getattr(lg, "handlers", ()) for lg in loggers):
            if isinstance(handler, logging.StreamHandler) and id(handler.stream) in old:
                handler.stream = err  # assigned, not setStream(): that would flush the old one
    if faulthandler.is_enabled():  # pytest points it at its own copy of the real stderr
        faulthandler.enable(file=err)


def _reset_signals():
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)  # the parent's event loop must not hear the child's signals
    for signum, handler in ((signal.SIGINT, signal.default_int_handler), (signal.SIGTERM, signal.SIG_DFL),
                            (signal.SIGALRM, signal.SIG_DFL), (signal.SIGCHLD, signal.SIG_DFL),
                            (signal.SIGHUP, signal.SIG_DFL)):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, handler)


def _watchdog(lifeline, seconds):
    """End this child if the parent goes away, or once the deadline is well past."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, signal.SIGINT, signal.SIGTERM, signal.SIGALRM})
    try:
        readable, _, _ = select.select([lifeline], [], [], seconds if math.isfinite(seconds) else None)
        if not readable:
            os.kill(os.getpid(), signal.SIGUSR1)  # leave word of where it was stuck
            time.sleep(PROBE_WAIT)
    finally:
        _kill_own_group()


def _kill_own_group():
    if os.getpgid(0) == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def _child_main(func, args, kwargs, *, deadline, forbid, fd, lifeline, out_fd, mask):
    """The child's whole life; it always ends in os._exit (the parent's atexit must not run)."""
    global _CHILD
    code = 70
    try:
        gc.freeze()  # the parent's garbage (and its buffered files) is not the child's to finalize
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        _redirect(out_fd)
        _CHILD = _ChildSide(fd)
        _reset_signals()
        signal.signal(signal.SIGUSR1, _CHILD.on_probe)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        _thread.start_new_thread(_watchdog, (lifeline, deadline + ORPHAN_GRACE))
        if forbid:
            _forbid(forbid, [func, *args, *kwargs.values()])
        try:
            unclosed = []
            with _noting_unclosed(unclosed):
                value = func(*args, **kwargs)
                gc.collect()  # a socket in a reference cycle is closed now, not at some later collection
            report = {"status": "returned", "value": _pack(value), "unclosed": unclosed}
        except SystemExit as exc:
            report = _exit_report(exc)
        except BaseException as exc:  # noqa: BLE001  (anything the student raised is a result)
            report = {"status": "raised", **_exception_report(exc)}
        if os.getpid() != _CHILD.pid:
            code = 0  # a process the student forked came back here; only the child reports
            return
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        _CHILD.send("result", report)
        code = 0
    except BaseException as exc:  # noqa: BLE001  (netkit's own failure in the child, reported)
        with contextlib.suppress(BaseException):
            if _CHILD is not None and os.getpid() == _CHILD.pid:
                _CHILD.send("result", {"status": "raised", **_exception_report(exc)})
    finally:
        os._exit(code)


@contextlib.contextmanager
def _noting_unclosed(found):
    """In the child: append to ``found`` each socket freed while still open (its ResourceWarning).

    CPython closes such a socket itself, so nothing else shows that the code forgot to; other
    warnings are shown as before.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("always", category=ResourceWarning)
        shown = warnings.showwarning

        def note(message, category, *args, **kwargs):
            text = str(message)
            if issubclass(category, ResourceWarning) and text.startswith("unclosed <socket"):
                found.append(text[len("unclosed "):])
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = note
        yield


def _exit_report(exc):
    arg = exc.code
    if arg is None:
        code = 0
    elif isinstance(arg, int):
        code = arg
    else:
        code = 1
    shown = "" if arg is None else _safe_repr(arg, 80)
    return {"status": "exited", "exit_code": code, "exit_via": f"sys.exit({shown})"}


def _exception_report(exc):
    cls = type(exc)
    module = getattr(cls, "__module__", "builtins")
    type_name = cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
    return {"exception": _pack(exc), "type_name": type_name, "exc_message": _safe_str(exc),
            "traceback": _student_traceback(exc)}


def _student_traceback(exc):
    """The traceback text with only the student's frames (the innermost one if none is theirs)."""
    try:
        top = traceback.TracebackException.from_exception(exc)
    except Exception:
        return ""
    seen = set()

    def prune(te):
        if te is None or id(te) in seen:
            return
        seen.add(id(te))
        frames = [f for f in te.stack if is_student(f.filename)] or list(te.stack)[-1:]
        te.stack = traceback.StackSummary.from_list(frames)
        prune(te.__cause__)
        prune(te.__context__)
        for inner in getattr(te, "exceptions", None) or ():
            prune(inner)

    prune(top)
    try:
        return "".join(top.format())
    except Exception:
        return ""


# ---------------------------------------------------------------- forbid=(...)


class _Forbidden:
    """Stands in, in the student's globals, for a module or name the exercise forbids."""

    def __init__(self, error):
        object.__setattr__(self, "_error", error)

    def __getattr__(self, name):
        raise object.__getattribute__(self, "_error")()

    def __call__(self, *args, **kwargs):
        raise object.__getattribute__(self, "_error")()

    def __repr__(self):
        return f"<forbidden in this exercise: {object.__getattribute__(self, '_error')().name}>"


def _forbid(names, reachable):
    """Make the ``names`` modules unusable by the student's code, in this child only.

    Imports made by the student's code are refused (imports made by the stdlib, e.g.
    ``http.client`` importing ``urllib``, still work), and modules or names from them
    already bound in the student's globals are replaced by stand-ins that raise.
    """
    names = tuple(dict.fromkeys(str(name) for name in names))

    def banned(module):
        return any(module == name or module.startswith(name + ".") for name in names)

    def refuse(module):
        def error():
            return ForbiddenModuleError(
                f"this exercise forbids {module!r}: write it yourself with the socket module", name=module)
        return error

    real_import = builtins.__import__
    real_import_module = importlib.import_module

    def from_student(globals_):
        if not globals_:
            return True
        filename = globals_.get("__file__")
        return is_student(filename) if filename else globals_.get("__name__") in (None, "__main__")

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
        if level == 0 and from_student(globals):
            for module in (name, *(f"{name}.{item}" for item in fromlist or () if isinstance(item, str))):
                if banned(module):
                    raise refuse(module)()
        return real_import(name, globals, locals, fromlist, level)

    def guarded_import_module(name, package=None):
        if banned(name) and is_student(sys._getframe(1).f_code.co_filename):
            raise refuse(name)()
        return real_import_module(name, package)

    builtins.__import__ = guarded_import
    importlib.import_module = guarded_import_module
    for scope in _student_globals(reachable):
        for key, value in list(scope.items()):
            if isinstance(value, types.ModuleType):
                module = value.__name__
            elif isinstance(value, (type, types.FunctionType, types.BuiltinFunctionType)):
                module = getattr(value, "__module__", None) or ""
            else:
                continue
            if banned(module):
                scope[key] = _Forbidden(refuse(module))


def _student_globals(reachable):
    seen = {}
    for obj in reachable:
        while isinstance(obj, functools.partial):
            obj = obj.func
        obj = getattr(obj, "__func__", obj)
        code = getattr(obj, "__code__", None)
        scope = getattr(obj, "__globals__", None)
        if code is not None and isinstance(scope, dict) and is_student(code.co_filename):
            seen[id(scope)] = scope
    return list(seen.values())


# ---------------------------------------------------------------- the parent's side


class Deadlines:
    """How long this process's runs may take: a count of runs that hung, and the factors.

    netkit.checks._base shortens deadlines in a grading run for code that has already hung;
    the one instance is ``runner.DEADLINES``.
    """

    def __init__(self):
        self.timeouts = 0  # how many children ran past their deadline
        self._scale = 1.0
        self._shrink = None  # (factor, timeouts when set): applies once a child has timed out since

    @contextlib.contextmanager
    def scaled(self, factor, after_timeout=False):
        """Within the block, every run's deadline is multiplied by ``factor``.

        With ``after_timeout``, only the runs after one in the block ran past its deadline.
        """
        saved = self._scale, self._shrink
        if after_timeout:
            self._shrink = (factor, self.timeouts)
        else:
            self._scale = factor
        try:
            yield
        finally:
            self._scale, self._shrink = saved

    def factor(self):
        """What a run's deadline is multiplied by now."""
        if self._shrink is not None and self.timeouts > self._shrink[1]:
            return self._scale * self._shrink[0]
        return self._scale


DEADLINES = Deadlines()


class _Child:
    """The parent's handle on one forked child: start, read its messages, probe, stop, reap."""

    def __init__(self, func, args, kwargs, *, deadline, forbid, name=None):
        if not deadline or deadline <= 0:
            raise ValueError(f"deadline must be a positive number of seconds, not {deadline!r}")
        self.name = name or _function_name(func)
        self.deadline = float(deadline) * DEADLINES.factor()
        self.ready = None  # the packed value of the first report_ready()
        self.result = None  # the child's result report
        self.stuck = None  # the latest stuck report
        self.exited = False
        self.outcome = None
        self._buffer = bytearray()
        self._ended_at = None
        self._output = tempfile.TemporaryFile(prefix="netkit-output-")
        try:
            self._start(func, args, kwargs, forbid)
        except BaseException:
            self._output.close()
            raise

    def _start(self, func, args, kwargs, forbid):
        read_fd, write_fd = os.pipe()
        life_read, life_write = os.pipe()
        # A probe that comes before the child's handler is installed waits, blocked, instead
        # of killing it (SIGUSR1's default action); the parent's mask is back right after fork.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # 3.12+ warns about fork with threads; the child is ours
                pid = os.fork()
        except OSError as exc:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            for fd in (read_fd, write_fd, life_read, life_write):
                os.close(fd)
            raise PeerError(f"could not start a process for the student's code: {exc}") from None
        if pid == 0:  # the child: never returns
            try:
                os.close(read_fd)
                os.close(life_write)
            finally:
                _child_main(func, args, kwargs, deadline=self.deadline, forbid=tuple(forbid), fd=write_fd,
                            lifeline=life_read, out_fd=self._output.fileno(), mask=mask)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        self.pid = pid
        self.started = time.monotonic()
        os.close(write_fd)
        os.close(life_read)
        self._fd, self._lifeline = read_fd, life_write
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)  # also done in the child; whichever runs first wins the race
        os.set_blocking(read_fd, False)
        self._poll = select.poll()
        self._poll.register(read_fd, select.POLLIN)
        try:
            self._pidfd = os.pidfd_open(pid)
            self._poll.register(self._pidfd, select.POLLIN)
        except (AttributeError, OSError):
            self._pidfd = None  # older kernels: poll with a short tick and ask waitid

    # -- waiting

    def pump(self, until, done):
        """Read messages until ``done()``, the child's exit, or the monotonic time ``until``."""
        while not done() and not self.exited:
            left = until - time.monotonic()
            if left <= 0:
                return
            left = min(left, 0.02 if self._pidfd is None else 3600.0)
            self._take_in(max(1, math.ceil(left * 1000)))

    def poll_now(self):
        """Take in what has happened so far, without waiting."""
        self._take_in(0)

    def _take_in(self, wait_ms):
        """Wait up to ``wait_ms`` for the child's messages or its exit, and take them in."""
        for fd, _ in self._poll.poll(wait_ms):
            if fd == self._fd:
                self._read()
            elif fd == self._pidfd:
                self._mark_exited()
        if self._pidfd is None and self._has_exited():
            self._mark_exited()

    def _has_exited(self):
        try:
            info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def _mark_exited(self):
        self.exited = True
        if self._ended_at is None:
            self._ended_at = time.monotonic()
        self._read()

    def _read(self):
        if self._fd is None:
            return
        while True:
            try:
                chunk = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                break
            if not chunk:  # every writer closed it (the student may have closed it too)
                self._poll.unregister(self._fd)
                os.close(self._fd)
                self._fd = None
                break
            self._buffer += chunk
        while len(self._buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buffer)
            if len(self._buffer) < _HEADER.size + size:
                break
            body = bytes(self._buffer[_HEADER.size:_HEADER.size + size])
            del self._buffer[:_HEADER.size + size]
            try:
                kind, payload = pickle.loads(body)
            except Exception:
                continue
            if kind == "ready" and self.ready is None:
                self.ready = payload
            elif kind == "stuck":
                self.stuck = payload
            elif kind == "result" and self.result is None:
                self.result = payload
                self._ended_at = time.monotonic()

    def probe(self):
        """Ask the child where it is (SIGUSR1) and give it PROBE_WAIT to answer."""
        if self.exited or self.result is not None:
            return
        self.stuck = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGUSR1)
            self.pump(time.monotonic() + PROBE_WAIT, lambda: self.stuck is not None or self.result is not None)

    def output(self):
        """What the child printed so far, head and tail kept when it is long."""
        fd = self._output.fileno()
        size = os.fstat(fd).st_size
        if size <= OUTPUT_HEAD + OUTPUT_TAIL:
            data = os.pread(fd, size, 0)
        else:
            skipped = f"\n[... {size - OUTPUT_HEAD - OUTPUT_TAIL} bytes not shown ...]\n".encode()
            data = os.pread(fd, OUTPUT_HEAD, 0) + skipped + os.pread(fd, OUTPUT_TAIL, size - OUTPUT_TAIL)
        return data.decode("utf-8", "replace")

    # -- ending

    def finish(self, *, timed_out=False):
        """Kill the child's group, reap the child, and say what happened (once)."""
        if self.outcome is not None:
            return self.outcome
        if not self.exited:
            self.poll_now()
        running = not self.exited and self.result is None
        status = self._kill_and_reap()
        self._read()
        elapsed = (self._ended_at or time.monotonic()) - self.started
        if running and not timed_out and elapsed >= self.deadline:
            timed_out = True
        fields = self._fields(status, running=running, timed_out=timed_out)
        try:
            output = self.output()
        finally:
            self._close()
        if fields.get("status") == "timeout":
            DEADLINES.timeouts += 1
        if fields.get("status") == "timeout" or fields.get("stopped"):
            fields.update(self._stuck_fields())
        self.outcome = Outcome(function=self.name, output=output, elapsed=elapsed, deadline=self.deadline, **fields)
        return self.outcome

    def _kill_and_reap(self):
        # Strategy: the group first, while the (maybe zombie) child still holds its pid,
        # so a grandchild it forked dies too and the group id cannot have been reused.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:  # someone else reaped it
            return None
        return status

    def _fields(self, status, *, running, timed_out):
        if self.result is not None:
            report = self.result
            if report["status"] == "returned":
                return {"status": "returned", "value": _unpack(report["value"]),
                        "unclosed": tuple(report.get("unclosed", ()))}
            if report["status"] == "exited":
                return {"status": "exited", "exit_code": report["exit_code"], "exit_via": report["exit_via"]}
            exception = _unpack(report["exception"])
            if not isinstance(exception, BaseException):
                exception = _stand_in(report["type_name"], report["exc_message"])
            return {"status": "raised", "exception": exception, "traceback": report["traceback"]}
        if timed_out:
            return {"status": "timeout", "exit_code": -signal.SIGKILL}
        if running:
            return {"status": "killed", "exit_code": -signal.SIGKILL, "stopped": True}
        if status is not None and os.WIFEXITED(status):
            code = os.WEXITSTATUS(status)
            return {"status": "exited", "exit_code": code, "exit_via": f"os._exit({code})"}
        if status is not None and os.WIFSIGNALED(status):
            if os.WTERMSIG(status) == signal.SIGKILL and self._ended_at - self.started >= self.deadline:
                return {"status": "timeout", "exit_code": -signal.SIGKILL}  # its own watchdog ended it
            return {"status": "killed", "exit_code": -os.WTERMSIG(status)}
        return {"status": "killed", "exit_code": -signal.SIGKILL}

    def _stuck_fields(self):
        if not self.stuck or not self.stuck.get("stack"):
            return {}
        func, line, text = self.stuck["stack"][-1]
        call = self.stuck.get("call")
        head = f"stuck in {call}() at line {line} of {func}" if call else f"stuck at line {line} of {func}"
        return {"stuck_at": head + (f": `{text}`" if text else ""), "stack": tuple(map(tuple, self.stuck["stack"]))}

    def _close(self):
        for fd in (self._fd, self._pidfd, self._lifeline):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._pidfd = self._lifeline = None
        self._output.close()


def cpu_seconds(pid):
    """CPU time process ``pid`` has used (user + system), from /proc/<pid>/stat; 0.0 if unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class CPUMeter:
    """The CPU a process (a student's server) uses from now on, to tell waiting from spinning.

    A server blocked in select() or recv() uses next to none; one going round a loop uses all
    it gets. ``busy`` is True once it has used over ``SHARE`` of the time elapsed, in a window
    long enough that this is more than ``FLOOR`` seconds (a short window proves nothing). A
    share of a tenth still tells a spinner on a machine busy with four other processes per core
    from a server that waits (a few milliseconds in a second).
    """

    SHARE, FLOOR = 0.1, 0.05

    def __init__(self, pid):
        self.pid, self.started, self.cpu = pid, time.monotonic(), cpu_seconds(pid)

    def used(self):
        """(CPU seconds used, seconds elapsed) since the meter started."""
        return cpu_seconds(self.pid) - self.cpu, time.monotonic() - self.started

    @property
    def busy(self):
        cpu, wall = self.used()
        return cpu > self.SHARE * wall > self.FLOOR


def run(func, *args, deadline=5.0, forbid=(), **kwargs):
    """Run ``func(*args, **kwargs)`` in a forked child under ``deadline`` seconds; an ``Outcome``.

    ``forbid=("ftplib", ...)`` makes those modules unusable by the student's code in the
    child. Never raises because of the student's code; the parent process and its stderr
    are untouched, and no process, socket or thread of the run is left behind.
    """
    child = _Child(func, args, kwargs, deadline=deadline, forbid=forbid)
    try:
        child.pump(child.started + child.deadline, lambda: child.result is not None)
        timed_out = child.result is None and not child.exited
        if timed_out:
            child.probe()
        return child.finish(timed_out=timed_out and child.result is None)
    finally:
        child.finish()  # on KeyboardInterrupt or any error in the parent: still killed and reaped


def call(func, *args, deadline=5.0, forbid=(), **kwargs):
    """``func(*args, **kwargs)`` run safely: its value, or ``StudentCodeError`` / ``DeadlineExceeded``.

    The error's message is a small lesson: the student's traceback or where the code was
    stuck, and what it printed.
    """
    __tracebackhide__ = True  # noqa: F841
    return run(func, *args, deadline=deadline, forbid=forbid, **kwargs).result()


class Background:
    """A student's server running in a child: ``ready()``, ``alive``, ``output``, ``stop()``."""

    def __init__(self, func, args, kwargs, *, deadline, forbid, name=None):
        self._child = _Child(func, args, kwargs, deadline=deadline, forbid=forbid, name=name)
        self.name = self._child.name
        self.pid = self._child.pid

    def ready(self, timeout=5.0):
        """The value the child passed to ``report_ready``, waiting up to ``timeout`` seconds.

        Raises ``StudentCodeError`` if the child ended first, or ``DeadlineExceeded`` (saying
        where it was stuck) if it was not ready in time.
        """
        __tracebackhide__ = True  # noqa: F841
        child = self._child
        if child.ready is None and child.outcome is None:
            until = min(time.monotonic() + timeout, child.started + child.deadline)
            child.pump(until, lambda: child.ready is not None or child.result is not None)
        if child.ready is not None:
            return _unpack(child.ready)
        if child.outcome is not None or child.result is not None or child.exited:
            outcome = child.finish()
            raise StudentCodeError(_before_ready(outcome)) from None
        child.probe()
        if child.ready is not None:
            return _unpack(child.ready)
        if time.monotonic() - child.started >= child.deadline or child.exited or child.result is not None:
            outcome = child.finish(timed_out=child.result is None and not child.exited)
            error = DeadlineExceeded if outcome.status == "timeout" else StudentCodeError
            raise error(_before_ready(outcome)) from None
        stuck = child._stuck_fields().get("stuck_at")
        lines = [f"{self.name} was not ready within {_seconds(timeout)} s" + (f": {stuck}" if stuck else "")]
        raise DeadlineExceeded("\n".join(lines + _printed(child.output()))) from None

    @property
    def alive(self):
        """True while the child runs (it may be serving, or stuck)."""
        child = self._child
        if child.outcome is None and not child.exited:
            child.poll_now()
        return child.outcome is None and not child.exited and child.result is None

    def wait(self, timeout=None):
        """Wait up to ``timeout`` seconds (None: its deadline and grace) for the child to end.

        Its ``Outcome`` once it ended (it is then reaped), else None: still running.
        """
        child = self._child
        if child.outcome is None:
            limit = child.deadline + ORPHAN_GRACE + PROBE_WAIT + 1.0 if timeout is None else timeout
            child.pump(time.monotonic() + limit, lambda: child.result is not None)
            if not (child.exited or child.result is not None):
                return None
            child.finish()
        return child.outcome

    @property
    def output(self):
        """What the child printed so far."""
        return self._child.outcome.output if self._child.outcome else self._child.output()

    @property
    def outcome(self):
        """The ``Outcome`` once stopped, else None."""
        return self._child.outcome

    def stop(self):
        """Stop the child (recording where it was first) and reap it; its ``Outcome``. Idempotent."""
        child = self._child
        if child.outcome is None:
            child._read()
            child.probe()
        return child.finish()


def _before_ready(outcome):
    lead = "was never ready" if outcome.status == "timeout" else "ended before it was ready"
    first = f"{outcome.function} {lead}: it {outcome.clause}" + (f": {outcome.stuck_at}" if outcome.stuck_at else "")
    return "\n".join([first, *outcome.message.splitlines()[1:]])


@contextlib.contextmanager
def background(func, *args, deadline=30.0, forbid=(), name=None, **kwargs):
    """Run ``func`` (a server) in a child for the with-block; yields a ``Background`` handle.

    Inside, the child calls ``report_ready(address)`` and the block calls
    ``handle.ready()``. On exit the child is always stopped and reaped; ``handle.outcome``
    says where it was and what it printed. ``name`` is what the messages call the server
    (default: the function's ``__name__``), e.g. "your server (make_ntp_socket, then serve_ntp)".
    """
    handle = Background(func, args, kwargs, deadline=deadline, forbid=forbid, name=name)
    try:
        yield handle
    finally:
        handle.stop()
