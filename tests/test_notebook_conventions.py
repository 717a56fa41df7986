"""The notebooks' conventions, read from their sources without running them.

Each notebook has one H1 and the navigation cells `python -m grader.navigation` generates;
each stub that students receive has a docstring; each `## Exercise N: ... (P points)` heading
gives the points of its graded cells; each exercise's visible check cell comes
before its hidden one, and graded cells open with ``\"\"\"Check that`` or ``\"\"\"Hidden tests``.
"""

import ast
import re

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from grader import navigation
from grader.paths import assignments

NAMES = assignments()
NOTEBOOKS = {name: nbformat.read(navigation.notebook_path(name), as_version=4) for name in NAMES}
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION$.*?^[ \t]*### END SOLUTION$", re.M | re.S)


def nbgrader(cell):
    return cell.metadata.get("nbgrader", {})


def stub(source):
    """What a student receives of a solution cell: each solution region replaced as nbgrader does."""
    return SOLUTION.sub(lambda m: f"{m.group(1)}# YOUR CODE HERE\n{m.group(1)}raise NotImplementedError()", source)


def test_the_navigation_cells_are_what_the_script_generates():
    stale = [name for name, (nb, line) in navigation.lines().items() if not navigation.has_navigation(nb, line)]
    assert not stale, f"run `python -m grader.navigation`: the navigation of {stale} differs"


def test_the_navigation_links_previous_contents_and_next_by_their_headings():
    names = ["01-a", "02-b", "03-c"]
    titles = {"01-a": "1. A", "02-b": "2. B", "03-c": "3. C"}
    assert navigation.navigation_line(names, titles, "01-a") == (
        "<!--NAVIGATION-->\n[Contents](../../START.md) | [2. B →](../02-b/02-b.ipynb)")
    assert navigation.navigation_line(names, titles, "02-b") == (
        "<!--NAVIGATION-->\n[← 1. A](../01-a/01-a.ipynb) | [Contents](../../START.md) | [3. C →](../03-c/03-c.ipynb)")
    assert navigation.navigation_line(names, titles, "03-c").endswith("[← 2. B](../02-b/02-b.ipynb) | [Contents](../../START.md)")
    assert navigation.title(new_notebook(cells=[new_markdown_cell("# 4. A TCP server: and more\n\ntext")])) == \
        "4. A TCP server"


@pytest.mark.parametrize("headings", [[], ["# One", "# Two"]])
def test_a_notebook_without_exactly_one_h1_is_refused_with_a_message(headings):
    nb = new_notebook(cells=[new_markdown_cell(h + "\n\n## Part") for h in headings])
    with pytest.raises(ValueError, match=r"04-tcp has \d level-1 headings .*give it exactly one"):
        navigation.title(nb, "04-tcp")


def test_adding_navigation_again_changes_nothing():
    nb = NOTEBOOKS[NAMES[1]]
    line = navigation.lines()[NAMES[1]][1]
    again = navigation.with_navigation(nbformat.from_dict(nb), line)
    assert nbformat.writes(again) == nbformat.writes(nb)


@pytest.mark.parametrize("name", NAMES)
def test_every_stub_has_a_docstring(name):
    missing = []
    for cell in NOTEBOOKS[name].cells:
        if cell.cell_type == "code" and nbgrader(cell).get("solution"):
            tree = ast.parse(stub(cell.source))
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_") \
                        and ast.get_docstring(node) is None:
                    missing.append(f"{nbgrader(cell)['grade_id']}: {node.name}")
    assert not missing, f"{name}: stubs without a docstring (put it above ### BEGIN SOLUTION): {missing}"


@pytest.mark.parametrize("name", NAMES)
def test_each_visible_check_comes_first_and_graded_cells_say_what_they_test(name):
    graded = [(i, nbgrader(c)["grade_id"], c.source) for i, c in enumerate(NOTEBOOKS[name].cells)
              if c.cell_type == "code" and nbgrader(c).get("grade")]
    assert graded, f"{name} has no graded cell"
    position = {grade_id: i for i, grade_id, _ in graded}
    for i, grade_id, source in graded:
        hidden = grade_id.endswith("_hidden")
        opening = '"""Hidden tests' if hidden else '"""Check that'
        assert grade_id.startswith("test_"), f"{name}: graded cell {grade_id!r}: name it test_<exercise>[_hidden]"
        assert source.startswith(opening), f"{name}: {grade_id} must open with {opening} ...\"\"\": {source[:60]!r}"
        if hidden:
            visible = grade_id.removesuffix("_hidden")
            assert position.get(visible, i) < i, f"{name}: {grade_id} needs its visible cell {visible} before it"


@pytest.mark.parametrize("name", NAMES)
def test_each_exercise_heading_gives_the_points_of_its_graded_cells(name):
    exercise, points, outside = None, {}, []
    for cell in NOTEBOOKS[name].cells:
        heading = re.search(r"^## (Exercise .*?) \((\d+) points?\)$", cell.source, re.M)
        if cell.cell_type == "markdown" and heading:
            exercise = heading.group(1)
            points[exercise] = [int(heading.group(2)), 0]
        elif cell.cell_type == "markdown" and re.search(r"^## ", cell.source, re.M):
            exercise = None
        elif nbgrader(cell).get("grade"):
            if exercise is None:
                outside.append(nbgrader(cell)["grade_id"])
            else:
                points[exercise][1] += nbgrader(cell)["points"]
    assert not outside, f"{name}: graded cells outside any `## Exercise N: ... (P points)` section: {outside}"
    wrong = {title: f"heading says {said}, cells give {given}" for title, (said, given) in points.items() if said != given}
    assert not wrong, f"{name}: {wrong}"
