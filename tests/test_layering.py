"""Imports flow one way: no cycle among a package's modules, and netkit never imports grader.

Read statically with ast (every import, also those inside functions), so a cycle that only
bites when two lazy imports meet at run time is caught too.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path, modules):
    """The package's modules that the file at ``path`` imports (wherever in the file)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from . import x" may name a module x, or a name defined in the package.
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def modules_of(package):
    return {module_name(p): p for p in (ROOT / package).rglob("*.py")}


def graph(package):
    """Each module of ``package`` -> the modules of grader and netkit it imports."""
    known = modules_of("grader") | modules_of("netkit")
    return {name: imports(path, known) for name, path in modules_of(package).items()}


def cycle(edges):
    """One import cycle as a list of module names, or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt, trail + [nxt])):
                return found
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_finder_sees_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("package", ["grader", "netkit"])
def test_no_import_cycle(package):
    # A package's __init__ importing its own modules is the usual re-export, not a cycle.
    edges = {name: {t for t in targets if t != package and t.partition(".")[0] == package}
             for name, targets in graph(package).items()}
    assert cycle(edges) is None, f"import cycle: {' -> '.join(cycle(edges))}"


def test_netkit_never_imports_grader():
    # The student edition ships netkit alone.
    for name, targets in graph("netkit").items():
        assert not any(t == "grader" or t.startswith("grader.") for t in targets), name
