"""The navigation line at the top and bottom of each notebook, generated from the headings.

    python -m grader.navigation           rewrite the navigation cells that differ
    python -m grader.navigation --check   list them and exit 1, changing nothing

As in the Python Data Science Handbook (its ``tools/add_navigation.py``), the first and
the last cell of a notebook are Markdown cells that begin with ``<!--NAVIGATION-->`` and
link the previous notebook, the contents and the next one. Each notebook is named by its
one level-1 heading up to the first ": " (``# 4. A TCP server and client``), so a renamed
notebook renames its links. The contents is ``START.md``, the start page that ``postBuild``
writes two folders up from each student notebook (``labs/<name>/<name>.ipynb``).
Notebooks are rewritten as nbformat writes them, so only the navigation cells change.
"""

import argparse
import sys

import nbformat

from .paths import NOTEBOOKS, assignments

MARKER = "<!--NAVIGATION-->"
CONTENTS = "[Contents](../../START.md)"


def notebook_path(name):
    return NOTEBOOKS / name / f"{name}.ipynb"


def title(nb, name="the notebook"):
    """The short title of ``nb``: its one level-1 heading, up to the first ": "."""
    headings = [line[2:].strip() for cell in nb.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("# ")]
    if len(headings) != 1:
        raise ValueError(f"{name} has {len(headings)} level-1 headings ({headings}); give it exactly one, "
                         "like `# 4. A TCP server and client`")
    return headings[0].split(": ")[0]


def navigation_line(names, titles, name):
    """``[← previous](...) | [Contents](...) | [next →](...)`` for ``name`` among ``names``, in order."""
    i = names.index(name)
    parts = [CONTENTS]
    if i > 0:
        parts.insert(0, f"[← {titles[names[i - 1]]}](../{names[i - 1]}/{names[i - 1]}.ipynb)")
    if i + 1 < len(names):
        parts.append(f"[{titles[names[i + 1]]} →](../{names[i + 1]}/{names[i + 1]}.ipynb)")
    return f"{MARKER}\n" + " | ".join(parts)


def is_navigation(cell):
    return cell.cell_type == "markdown" and cell.source.startswith(MARKER)


def has_navigation(nb, line):
    """Whether ``nb``'s first and last cells, and only they, are navigation cells showing ``line``."""
    where = [i for i, cell in enumerate(nb.cells) if is_navigation(cell)]
    return where == [0, len(nb.cells) - 1] and nb.cells[0].source == nb.cells[-1].source == line


def with_navigation(nb, line):
    """``nb`` with exactly one navigation cell first and one last, both showing ``line``."""
    cells = [cell for cell in nb.cells if not is_navigation(cell)]
    top = nbformat.v4.new_markdown_cell(line, id="navigation-top")
    bottom = nbformat.v4.new_markdown_cell(line, id="navigation-bottom")
    nb.cells = [top, *cells, bottom]
    return nb


def lines():
    """{name: (its notebook, the navigation line it should show)}, for every notebook in order."""
    names = assignments()
    notebooks = {name: nbformat.read(notebook_path(name), as_version=4) for name in names}
    titles = {name: title(nb, name) for name, nb in notebooks.items()}
    return {name: (nb, navigation_line(names, titles, name)) for name, nb in notebooks.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader.navigation", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list the notebooks whose navigation differs")
    args = parser.parse_args(argv)
    try:
        stale = {name: (nb, line) for name, (nb, line) in lines().items() if not has_navigation(nb, line)}
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, (nb, line) in stale.items():
        path = notebook_path(name)
        if args.check:
            print(f"{path.relative_to(NOTEBOOKS.parent)}: navigation differs; run python -m grader.navigation")
        else:
            # nbformat's own layout plus a final newline: the committed notebooks' layout.
            path.write_text(nbformat.writes(with_navigation(nb, line)) + "\n", encoding="utf-8")
            print(f"{path.relative_to(NOTEBOOKS.parent)}: navigation written")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
