"""Running a student's function on many cases in one child.

Checks of pure functions (byte order, port ranges, arrival analysis) try hundreds of
inputs; forking a child per input would cost seconds. ``run_cases`` runs them all in
one child under ``netkit.runner`` and brings back one ``Result`` per case, so a check
answers in a fraction of a second and can still say which input went wrong. If the
whole batch hangs or crashes, the failure names the case it was working on.
"""

import mmap
import struct
from dataclasses import dataclass

from ..runner import ForbiddenModuleError, run
from ._base import fail
from ._harness import not_written

__all__ = ["Result", "run_cases", "describe_call"]

_INDEX = struct.Struct("=q")


@dataclass(frozen=True)
class Result:
    """What the student's function did on one case: returned ``value`` or raised ``error_type``."""

    value: object = None
    error_type: str | None = None  # e.g. "ValueError", "struct.error"
    error_mro: tuple = ()  # the names of the exception's classes, so isinstance checks work here
    message: str = ""

    @property
    def raised(self):
        return self.error_type is not None

    def raised_a(self, name):
        """Whether it raised an exception that is an instance of the class called ``name``."""
        return name in self.error_mro

    def __str__(self):
        if self.raised:
            return f"raised {self.error_type}" + (f": {self.message}" if self.message else "")
        return f"returned {self.value!r}"[:300]


def describe_call(name, args, kwargs=None):
    """``name(arg, key=value)`` as a student would type it."""
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
    return f"{name}({', '.join(shown)})"


def _apply_all(func, calls, progress):
    """In the child: call ``func`` on every case, recording the index reached in ``progress``."""
    results = []
    for index, (args, kwargs) in enumerate(calls):
        _INDEX.pack_into(progress, 0, index)
        try:
            value = func(*args, **kwargs)
        except ForbiddenModuleError:
            raise  # the whole batch fails: the student used what the exercise forbids
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001  (a student's exception is a result)
            cls = type(exc)
            mro = tuple(c.__name__ for c in cls.__mro__)
            module = getattr(cls, "__module__", "builtins")
            shown = cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"
            results.append(Result(None, shown, mro, str(exc)[:300]))
        else:
            results.append(Result(value))
    return results


def run_cases(func, calls, *, name=None, deadline=5.0, forbid=(), hint=None):
    """Run ``func(*args, **kwargs)`` for each ``(args, kwargs)`` of ``calls`` in one child.

    Returns a list of ``Result``. When the child cannot finish the batch (it hung,
    exited, crashed, used a forbidden module or is not written yet) this fails with
    the runner's lesson and the case it was on. ``name`` is what the notebook calls
    the function (default: its ``__name__``).
    """
    __tracebackhide__ = True  # noqa: F841
    calls = [(tuple(args), dict(kwargs)) for args, kwargs in calls]
    name = name or getattr(func, "__name__", "your function")
    with mmap.mmap(-1, _INDEX.size) as progress:  # shared with the forked child
        _INDEX.pack_into(progress, 0, -1)
        outcome = run(_apply_all, func, calls, progress, deadline=deadline, forbid=forbid)
        reached = _INDEX.unpack_from(progress, 0)[0]
    if outcome.ok:
        return outcome.value
    on = describe_call(name, *calls[reached]) if 0 <= reached < len(calls) else f"{name}(...)"
    message = outcome.message
    if message.startswith(_apply_all.__name__ + " "):
        message = on + message[len(_apply_all.__name__):]
    not_written(outcome, name, call=on)
    if outcome.status == "raised" and type(outcome.exception).__name__ == "ForbiddenModuleError":
        fail(f"{on} used a module this exercise forbids: {outcome.exception}".replace(
            ": write it yourself with the socket module", ""),
            hint="the exercise is to do this yourself. " + (hint or ""))
    fail(message, hint=hint)
