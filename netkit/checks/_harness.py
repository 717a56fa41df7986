"""The machinery every check module shares, so that a check module holds only its exercises.

* ``not_written``: the one "not written yet" message, for a stub that still raises
  ``NotImplementedError``; ``first_difference``: where two byte strings part.
* ``uses``: the one walker over a student's code: every name the function, the functions
  nested in it and the student's helpers it reaches (globals, closures, methods of the
  student's classes, partials) use, with what each name is bound to. ``names_used`` and
  ``forbidden_uses`` answer the two questions checks ask of it.
* ``serving`` / ``StudentServer``: the student's server in a child (``runner.background``),
  with one policy for a failing check: let a server that is ending finish its report
  (``SETTLE``), then stop it, and say "not written yet" plainly for a stub.

Messages in the house shape are ``_base.fail``'s; peers are ``netkit.servers`` and
``netkit.proxies`` (the lockstep peer among them).
"""

import contextlib
import dataclasses
import functools
import re
import types

from ..errors import CheckFailed
from ..runner import background, is_student
from ._base import fail

__all__ = ["not_written", "first_difference", "Use", "uses", "names_used", "forbidden_uses",
           "StudentServer", "serving", "SETTLE"]

SETTLE = 0.3  # how long a failing check lets a server that is ending finish its report before it stops it


# ---------------------------------------------------------------- a stub


def not_written(outcome, name, *, call=None):
    """Fail with the one "not written yet" message if ``outcome`` (an ``Outcome``, or None) is a
    ``NotImplementedError`` raised; return quietly otherwise.

    The function named is ``name`` (the one the check called), or the innermost of the student's
    in the traceback when that one called another that raised (a stub of a helper is the one to
    write); ``call`` is the call it was on.
    """
    __tracebackhide__ = True  # noqa: F841
    if outcome is None or outcome.status != "raised" or not isinstance(outcome.exception, NotImplementedError):
        return
    found = re.findall(r"line \d+, in (\w+)", outcome.traceback or "")
    where = found[-1] if len(found) > 1 else name
    fail(f"{where} is not written yet: it raises NotImplementedError" + (f" on {call}." if call else "."),
         hint=f"replace `raise NotImplementedError()` in {where} with your code, run that cell, "
              "then run this one again.")


def first_difference(expected, got):
    """The index of the first item where ``got`` differs from ``expected`` (the shorter one's
    length when one is the start of the other)."""
    for index, (a, b) in enumerate(zip(expected, got)):
        if a != b:
            return index
    return min(len(expected), len(got))


# ---------------------------------------------------------------- the walker


@dataclasses.dataclass(frozen=True)
class Use:
    """One name in the student's code: where, which, and what it is bound to there."""

    function: str  # the student's function whose code has it
    name: str  # a global, attribute or free variable; or a string constant (``string``)
    value: object = None  # what the name is bound to in that function's globals or closure, None if nothing
    string: bool = False

    @property
    def origin(self):
        """The module ``value`` is, or the module a function or class in it comes from ('' if none)."""
        if isinstance(self.value, types.ModuleType):
            return self.value.__name__
        return (getattr(self.value, "__module__", None) or "") if callable(self.value) else ""


def uses(func):
    """Every ``Use`` in the code of ``func`` and of the student's code it reaches: nested functions,
    the student's functions and classes it names (globals, closure cells), partials and methods.

    Only the student's code is read (``runner.is_student``): netkit, the stdlib and libraries are not.
    """
    found, seen = [], set()

    def read(function, code, scope):
        for name in code.co_names:
            found.append(Use(function.__name__, name, scope.get(name)))
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                read(function, const, scope)
            elif isinstance(const, str):
                found.append(Use(function.__name__, const, string=True))

    def visit(obj):
        while isinstance(obj, functools.partial):
            obj = obj.func
        obj = getattr(obj, "__func__", obj)
        if obj is None or id(obj) in seen:
            return
        if isinstance(obj, types.FunctionType) and is_student(obj.__code__.co_filename):
            seen.add(id(obj))
            start = len(found)
            read(obj, obj.__code__, obj.__globals__)
            for name, cell in zip(obj.__code__.co_freevars, obj.__closure__ or ()):
                with contextlib.suppress(ValueError):  # an empty cell
                    found.append(Use(obj.__name__, name, cell.cell_contents))
            for use in found[start:]:
                if not use.string:
                    visit(use.value)
        elif isinstance(obj, type) and not (obj.__module__ or "").startswith(("builtins", "netkit")):
            seen.add(id(obj))
            for member in list(vars(obj).values()):
                visit(getattr(member, "fget", member))

    visit(func)
    return found


def names_used(func):
    """Every global, attribute and free-variable name the student's code reached from ``func`` uses:
    what a check looks at to tell two mistakes with one symptom apart."""
    return {use.name for use in uses(func) if not use.string}


def forbidden_uses(func, modules, *, names=(), strings=False):
    """The ``Use``s in the student's code reached from ``func`` that take something from ``modules``.

    A use counts when its name is one of the modules (``import socket`` inside a function), when
    it is bound to such a module or to a function or class defined in one, or when its name is one
    of ``names`` (``Thread``, from wherever it comes); with ``strings``, a string constant that is
    one of the modules counts too (``__import__("threading")``).
    """
    modules = tuple(modules)

    def banned(module):
        return bool(module) and any(module == m or module.startswith(m + ".") for m in modules)

    return [use for use in uses(func) if (strings and use.name in modules if use.string
                                          else banned(use.name) or banned(use.origin) or use.name in names)]


# ---------------------------------------------------------------- the student's server in a child


class StudentServer:
    """The student's server running in a child: ``ready()``, ``alive``, ``end()``; ``handle`` is the
    ``runner.Background`` and ``name`` what the messages call the student's function."""

    def __init__(self, handle, name):
        self.handle = handle
        self.name = name

    @property
    def pid(self):
        return self.handle.pid

    @property
    def alive(self):
        return self.handle.alive

    def ready(self, timeout, *, name=None):
        """What the child passed to ``report_ready``. A stub that raised first fails as not written
        yet (``name``: the student's function that runs before the child is ready, by default the
        server's); any other failure raises the runner's lesson (a ``CheckFailed``) for the caller."""
        __tracebackhide__ = True  # noqa: F841
        try:
            return self.handle.ready(timeout=timeout)
        except CheckFailed:
            not_written(self.handle.outcome, name or self.name)
            raise

    def end(self):
        """Stop the child and return its ``Outcome``; a stub fails here as not written yet.

        A server that just returned or crashed may still be on its way out (its sockets close a
        moment before its report comes): it gets ``SETTLE`` seconds to end on its own, so that the
        message says what it did rather than that it was stopped (a failure path only).
        """
        __tracebackhide__ = True  # noqa: F841
        self.handle.wait(SETTLE)
        outcome = self.handle.stop()
        not_written(outcome, self.name)
        return outcome


@contextlib.contextmanager
def serving(target, *args, name, deadline, forbid=(), hand_over=(), label=None):
    """Run ``target(*args)`` (the student's server, or a wrapper that starts it) in a child for the
    with-block; yields a ``StudentServer``. The parent's copies of the ``hand_over`` sockets are
    closed once the child has its own; ``label`` is what the runner's messages call the child."""
    with background(target, *args, deadline=deadline, forbid=forbid, name=label) as handle:
        for sock in hand_over:
            sock.close()  # the child has its own copy; ours would only keep ports open
        yield StudentServer(handle, name)
