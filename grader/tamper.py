"""Spotting student code that reaches into the machinery that grades it.

``suspicious_code(sources)`` reads the student's code cells (never runs them) and returns
one plain reason per thing an instructor should look at: code that touches netkit's
checks or replaces netkit's names, ``sys.modules``, builtins, the import system or
IPython's hooks, or prints text made to look like a test result. The grading run
(``grader.execute``) makes these tricks earn nothing; this module makes them visible.
"""

import ast
import re

from IPython.core.inputtransformer2 import TransformerManager

# (what the code touches, why an instructor should look) -- matched on dotted names.
SUSPICIOUS_NAMES = [
    ("sys.modules", "changes or reads sys.modules, where the checks live"),
    ("builtins", "touches builtins"),
    ("__builtins__", "touches __builtins__"),
    ("sys.meta_path", "changes the import system"),
    ("sys.path_hooks", "changes the import system"),
    ("importlib.reload", "reloads modules"),
    ("set_custom_exc", "installs a handler that can hide errors"),
    ("input_transformers_cleanup", "rewrites cells before they run"),
    ("input_transformers_post", "rewrites cells before they run"),
    ("ast_transformers", "rewrites cells before they run"),
    ("events.register", "hooks into cell execution"),
    ("sys.settrace", "traces other code"),
    ("sys.setprofile", "traces other code"),
    ("gc.get_objects", "searches the interpreter's objects"),
    ("gc.get_referents", "searches the interpreter's objects"),
    ("gc.get_referrers", "searches the interpreter's objects"),
    ("__closure__", "reaches into what functions close over (the grader's guard is such a function)"),
    ("cell_contents", "reaches into what functions close over (the grader's guard is such a function)"),
    ("__code__", "replaces or reads functions' code"),
    ("__globals__", "reaches into functions' globals"),
    ("__defaults__", "replaces functions' defaults"),
    ("__kwdefaults__", "replaces functions' defaults"),
    ("control_handlers", "replaces the kernel's message handlers, where the grader's guard answers"),
    ("shell_handlers", "replaces the kernel's message handlers"),
    ("sys._current_frames", "watches other threads' stacks (a thread can race the grader's guard)"),
    ("sys._getframe", "inspects the call stack"),
    ("sys.setswitchinterval", "changes how threads take turns (a thread can race the grader's guard)"),
    ("ctypes.pythonapi", "calls the interpreter's C API"),
    ("ctypes.memmove", "writes raw memory"),
    ("unittest.mock", "uses mocks"),
    ("mock.patch", "uses mocks"),
    ("netkit.checks", "reaches into netkit's checks"),
    ("netkit.hidden", "reaches into netkit's hidden checks"),
    ("netkit.runner", "reaches into netkit's runner"),
]
GRADING_CODE = ("netkit.checks", "netkit.hidden", "netkit.runner")  # a student imports none of them
# Names of the grader's internals spelled in a string (globals()["_grader_guard_..."], getattr(f, "__closure__")).
INTERNALS = re.compile(r"_grader_guard|__closure__|cell_contents|__code__|control_handlers|_current_frames")
PASS_LOOKALIKE = re.compile(r"(all )?tests? (passed|ok)|✓|✔|success(fully)?\b.*pass", re.I)


def dotted(node):
    """``a.b.c`` for an attribute chain or name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def scan(tree, netkit_names):
    """Yield reasons for one parsed cell; ``netkit_names`` collects names bound from netkit."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                full = f"{module}.{alias.name}" if module else alias.name
                if full.startswith(GRADING_CODE) or (module or "").startswith(GRADING_CODE):
                    yield f"imports {full}, netkit's grading code"
                if (module or alias.name).split(".")[0] == "netkit":
                    netkit_names.add(alias.asname or alias.name.split(".")[0])
                if full in ("builtins", "unittest.mock", "mock") or alias.name == "mock":
                    yield f"imports {full}"
        name = dotted(node) if isinstance(node, (ast.Attribute, ast.Name)) else None
        if name is None and isinstance(node, ast.Attribute):
            name = node.attr  # e.g. get_ipython().set_custom_exc
        if name:
            for needle, why in SUSPICIOUS_NAMES:
                if name == needle or name.startswith(needle + ".") or name.endswith("." + needle):
                    yield f"{why} ({name})"
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            name = dotted(target)
            if name and "." in name and name.split(".")[0] in netkit_names | {"netkit"}:
                yield f"replaces {name}, part of netkit"
            if isinstance(target, ast.Name) and target.id.startswith("check_"):
                yield f"defines {target.id}, a name the test cells use"
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("check_"):
            yield f"defines {node.name}(), a name the test cells use"
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and INTERNALS.search(node.value):
            yield f"names {INTERNALS.search(node.value).group(0)!r} in a string, part of the grading machinery"
        if isinstance(node, ast.Call):
            func = dotted(node.func)
            if func == "setattr" and node.args and dotted(node.args[0]) and dotted(node.args[0]).split(".")[0] in netkit_names | {"netkit"}:
                yield f"replaces an attribute of {dotted(node.args[0])} with setattr"
            if func == "print":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and PASS_LOOKALIKE.search(arg.value):
                        yield f"prints {arg.value[:40]!r}, which looks like a test result"


def suspicious_code(sources):
    """The reasons, without repeats, to review the student's code cells ``sources``."""
    reasons, netkit_names = [], set()
    for source in sources:
        try:
            tree = ast.parse(TransformerManager().transform_cell(source))
        except SyntaxError:
            continue  # IPython magics or broken code: nothing to scan, the grading shows the error
        for reason in scan(tree, netkit_names):
            if reason not in reasons:
                reasons.append(reason)
    return reasons
