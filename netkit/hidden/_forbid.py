"""Finding forbidden names in a student's code (the hidden checks of notebooks 03 and 05).

``forbidden_uses`` reads a function's code (and the code of the student's helpers it
calls) for names that resolve to a forbidden module, so ``from socket import htonl as
h`` is found even though it is never called on the cases tried.
"""

import types

__all__ = ["forbidden_uses"]

_OWN_FUNCTIONS = (types.FunctionType,)


def forbidden_uses(func, modules):
    """The names ``func`` (or a function of the student's that it uses) takes from ``modules``.

    ``modules`` are module names (``"socket"``, ``"_socket"``...). A name counts when it is
    one of them (``import socket`` inside the function), or when it resolves in the
    student's globals to such a module, or to a function or class defined in one.
    Returns ``[(function name, name used, module)]``, empty when the code is clean.
    """
    modules = set(modules)

    def banned(module_name):
        return module_name and any(module_name == m or module_name.startswith(m + ".") for m in modules)

    found, seen = [], set()

    def visit(function):
        code, scope = function.__code__, function.__globals__
        if code in seen:
            return
        seen.add(code)
        for inner in _codes(code):
            for name in inner.co_names:
                if banned(name):
                    found.append((function.__name__, name, name))
                    continue
                value = scope.get(name)
                if isinstance(value, types.ModuleType):
                    where = value.__name__
                else:
                    where = getattr(value, "__module__", None) if callable(value) else None
                if banned(where):
                    found.append((function.__name__, name, where))
                elif isinstance(value, _OWN_FUNCTIONS) and value.__globals__ is scope:
                    visit(value)  # a helper the student wrote next to it

    visit(func)
    return found


def _codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)
