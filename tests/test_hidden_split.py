"""The hidden checks live apart from the student's netkit (issue 12).

``netkit.hidden`` is instructor only: nothing in the student's netkit imports it, every
hidden test cell imports its hidden check inside the ``### BEGIN/END HIDDEN TESTS``
region, so the notebook that nbgrader releases names no hidden check at all.
"""

import ast
import importlib
import importlib.util
import pathlib
import pkgutil
import re

import nbformat
import pytest
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

import netkit
import netkit.hidden
from grader.paths import NOTEBOOKS, assignments

NETKIT = pathlib.Path(netkit.__file__).parent
HIDDEN = pathlib.Path(netkit.hidden.__file__).parent
BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_NAME = re.compile(r"\b\w+_(hidden|HIDDEN)\b")


def _visible_modules():
    return sorted(p for p in NETKIT.rglob("*.py") if HIDDEN not in p.parents)


def _imported_modules(path):
    """Every module ``path`` imports (relative imports resolved), and strings of its code naming netkit.hidden."""
    package = ".".join(path.relative_to(NETKIT.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) if node.level \
                else node.module
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "netkit.hidden" in node.value \
                and id(node) not in docstrings:  # importlib.import_module("netkit.hidden..."), say
            yield node.value.strip()


def _hidden_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and BEGIN in c.source]


def _region(source):
    """(the code before BEGIN and after END, the code between the markers)."""
    head, _, rest = source.partition(BEGIN)
    region, _, tail = rest.partition(END)
    return head + tail, region


def _notebook(name):
    return nbformat.read(NOTEBOOKS / name / f"{name}.ipynb", as_version=4)


def test_the_visible_netkit_never_imports_the_hidden_checks():
    offenders = {str(path.relative_to(NETKIT.parent)): sorted(m for m in _imported_modules(path)
                                                               if m == "netkit.hidden" or m.startswith("netkit.hidden."))
                 for path in _visible_modules()}
    assert not {k: v for k, v in offenders.items() if v}


def test_no_hidden_check_or_case_table_is_left_in_the_visible_checks():
    left = {str(path.relative_to(NETKIT.parent)): sorted({m.group(0) for m in HIDDEN_NAME.finditer(
        path.read_text(encoding="utf-8"))}) for path in (NETKIT / "checks").glob("*.py")}
    assert not {k: v for k, v in left.items() if v}


def test_every_hidden_module_imports_and_exports_only_hidden_checks():
    names = [info.name for info in pkgutil.iter_modules(netkit.hidden.__path__) if not info.name.startswith("_")]
    assert sorted(names) == ["byteorder", "ftp", "ntp", "select", "tcp", "tcpudp"]
    for name in names:
        module = importlib.import_module(f"netkit.hidden.{name}")
        assert module.__all__ and all(n.startswith("check_") and n.endswith("_hidden") for n in module.__all__)
        assert all(callable(getattr(module, n)) for n in module.__all__)


@pytest.mark.parametrize("name", assignments())
def test_each_hidden_cell_imports_its_hidden_check_inside_the_hidden_region(name):
    nb = _notebook(name)
    for cell in nb.cells:
        outside = _region(cell.source)[0] if cell.cell_type == "code" else ""
        assert "netkit.hidden" not in outside and not HIDDEN_NAME.search(outside), cell.source
    cells = _hidden_cells(nb)
    assert cells, f"{name} has no hidden test cell"
    for cell in cells:
        region = _region(cell.source)[1]
        tree = ast.parse(region)
        called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                  and n.func.id.endswith("_hidden")}
        imported = {alias.asname or alias.name for n in ast.walk(tree)
                    if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("netkit.hidden.")
                    for alias in n.names}
        assert called, cell.source
        assert called <= imported, f"{name}: {sorted(called - imported)} called but not imported in the region"
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("netkit.hidden."):
                module = importlib.import_module(node.module)
                assert all(hasattr(module, alias.name) for alias in node.names), node.module


def test_every_hidden_check_is_called_by_a_notebook():
    called = set()
    for name in assignments():
        for cell in _hidden_cells(_notebook(name)):
            called |= set(re.findall(r"\b(\w+_hidden)\(", _region(cell.source)[1]))
    exported = {n for info in pkgutil.iter_modules(netkit.hidden.__path__) if not info.name.startswith("_")
                for n in importlib.import_module(f"netkit.hidden.{info.name}").__all__}
    assert exported == called


@pytest.mark.parametrize("name", assignments())
def test_the_released_notebook_names_no_hidden_check(name):
    """What nbgrader's generate_assignment does to the test and solution cells."""
    nb = _notebook(name)
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    nb, _ = ClearSolutions().preprocess(nb, {})
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "netkit.hidden" not in text
    assert not HIDDEN_NAME.search(text), HIDDEN_NAME.search(text).group(0)
    assert "from netkit.checks." in text  # the visible checks are still called
