"""Taking in a class's submissions: read each one, repair what can be repaired, flag the rest.

``take_in(submissions, release, dest, assignments)`` reads
``<student>/<assignment>/<notebook>.ipynb`` under ``submissions`` (or, when asked, a flat
download ``<student>_<assignment>.ipynb`` or an assignment-first folder; ``locate``) and
writes a gradable copy under ``dest``, the folder nbgrader grades from. The originals are
never modified. Every problem becomes a ``Flag`` with a plain reason:

- a notebook that is not valid JSON, or not a notebook (graded 0, with feedback saying why);
- a missing notebook, or one saved under another name (renamed back);
- test cells deleted or edited (restored from the released version; nbgrader restores
  edited ones too, but we say so), a changed kernel (set back to python3);
- extra files (ignored, so a student's ``netkit.py`` can never shadow the real one);
- code that reaches into netkit, its checks, ``sys.modules``, builtins or IPython's hooks;
- a notebook identical to the released one (nothing was answered).
"""

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .cells import grade_id, is_graded, is_protected
from .records import Flag
from .tamper import suspicious_code

TIMESTAMP = "timestamp.txt"
# nbgrader's own files in a submission: its time (late penalties) and the key that returns feedback through the exchange
NBGRADER_FILES = (TIMESTAMP, "submission_secret.txt")


@dataclass
class Intake:
    """What became of one student's submission of one assignment."""

    student: str
    assignment: str
    flags: list = field(default_factory=list)
    gradable: bool = False

    def flag(self, kind, reason):
        self.flags.append(Flag(kind, reason))


def read_notebook(path, intake):
    """The notebook at ``path``, or None (with a flag) when it cannot be read as one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        intake.flag("corrupt", f"{path.name} is not a text file; it cannot be graded")
        return None
    except json.JSONDecodeError as exc:
        intake.flag("corrupt", f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg}); it cannot be graded")
        return None
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
        return nb
    except Exception as exc:  # nbformat raises several kinds for malformed notebooks
        intake.flag("corrupt", f"{path.name} is not a valid notebook ({str(exc).splitlines()[0][:120]}); it cannot be graded")
        return None


def find_notebook(folder, name, intake):
    """The submitted notebook for ``name``: under its own name, or the only notebook there."""
    expected = folder / f"{name}.ipynb"
    if expected.is_file():
        return expected
    candidates = sorted(p for p in folder.glob("*.ipynb") if p.is_file()) if folder.is_dir() else []
    if len(candidates) == 1:
        intake.flag("renamed", f"the notebook was submitted as {candidates[0].name}; graded as {name}.ipynb")
        return candidates[0]
    if candidates:
        intake.flag("missing", f"{name}.ipynb not found (found {', '.join(p.name for p in candidates)})")
    else:
        intake.flag("missing", f"{name}.ipynb was not submitted")
    return None


def restore_protected_cells(nb, released, intake):
    """Put back test and locked cells the student deleted, where they were; flag edits and deletions."""
    deleted, edited, locked = [], [], []
    mine = {grade_id(c): c for c in nb.cells if grade_id(c)}
    before = []  # the released cells' ids seen so far, to place a deleted cell after its predecessor
    for original in released.cells:
        gid = grade_id(original)
        if gid is None or not is_protected(original):
            before.append(gid)
            continue
        if gid in mine:
            if mine[gid].source.strip() != original.source.strip():
                (edited if is_graded(original) else locked).append(gid)
                mine[gid].source = original.source
        else:
            deleted.append(gid)
            ids = [grade_id(c) for c in nb.cells]
            anchor = next((p for p in reversed(before) if p is not None and p in ids), None)
            position = ids.index(anchor) + 1 if anchor is not None else 0
            nb.cells.insert(position, nbformat.from_dict(json.loads(json.dumps(original))))
        before.append(gid)
    if deleted:
        intake.flag("test cells deleted", f"restored from the released notebook: {', '.join(deleted)}")
    if edited:
        intake.flag("test cells edited", f"restored from the released notebook: {', '.join(edited)}")
    if locked:
        intake.flag("locked cells edited", f"restored from the released notebook: {', '.join(locked)}")


def take_in_one(folder, student, assignment, released_path, dest):
    """Take in one student's submission of one assignment; return its ``Intake``."""
    intake = Intake(student, assignment)
    path = find_notebook(folder, assignment, intake)
    if path is not None:
        extra = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                       if p.is_file() and p != path and p.name not in NBGRADER_FILES and ".ipynb_checkpoints" not in p.parts)
        if extra:
            intake.flag("extra files", f"ignored: {', '.join(extra[:10])}{' ...' if len(extra) > 10 else ''}")
    nb = read_notebook(path, intake) if path is not None else None
    if nb is None:
        return intake
    released = nbformat.read(released_path, as_version=4)
    if [(c.cell_type, c.source.strip()) for c in nb.cells] == [(c.cell_type, c.source.strip()) for c in released.cells]:
        intake.flag("unchanged", "identical to the released notebook: no answer was written")
    restore_protected_cells(nb, released, intake)
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        intake.flag("kernel changed", f"the notebook asked for kernel {kernel!r}; graded with python3")
        nb.metadata["kernelspec"] = released.metadata.get("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    given = {c.source.strip() for c in released.cells}
    for reason in suspicious_code(c.source for c in nb.cells
                                  if c.cell_type == "code" and not is_protected(c) and c.source.strip() not in given):
        intake.flag("tampering", reason)
    dest.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest / f"{assignment}.ipynb")
    for name in NBGRADER_FILES:
        if (folder / name).is_file():
            shutil.copy(folder / name, dest / name)
    intake.gradable = True
    return intake


LAYOUTS = ("nbgrader", "flat", "assignment-first")
EXPECTED = "<student>/<assignment>/<assignment>.ipynb"


class LayoutError(ValueError):
    """The folder holds no submission in the layout asked for; the message says what was found."""


def listing(folder, limit=8):
    """A few entries of ``folder``, two levels deep, as an instructor would glance at them."""
    entries = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if len(parts) <= 3 and not any(p.startswith(".") for p in parts):
            entries.append("/".join(parts) + ("/" if path.is_dir() else ""))
    shown = ", ".join(entries[:limit]) + (f" ... ({len(entries)} entries)" if len(entries) > limit else "")
    return shown or "nothing"


def split_flat_name(stem, assignments):
    """('alice', '04-tcp') for 'alice_04-tcp' or an LMS download's 'alice_123_456_04-tcp-1'; None otherwise."""
    student, sep, rest = stem.partition("_")
    if not sep or not student:
        return None
    for name in sorted(assignments, key=len, reverse=True):
        if name in rest:
            return student, name
    return None


def locate(submissions, assignments, layout="nbgrader"):
    """[(student, assignment, folder or notebook path)] found under ``submissions`` in ``layout``.

    Raises ``LayoutError`` saying what was expected and what was found when nothing is found,
    or when the folder is in another layout (so an assignment-first folder never becomes a
    student called '04-tcp').
    """
    submissions = Path(submissions)
    known = set(assignments)
    tops = sorted(p for p in submissions.iterdir() if not p.name.startswith(".")) if submissions.is_dir() else []
    dirs = [p for p in tops if p.is_dir()]
    flat = [(p, split_flat_name(p.stem, known)) for p in tops if p.is_file() and p.suffix == ".ipynb"]
    nested = [(d, split_flat_name(f"{d.name}_{p.stem}", known)) for d in dirs for p in d.glob("*.ipynb")]
    found = []
    if layout == "nbgrader":
        found = [(d.name, a.name, a) for d in dirs if d.name not in known
                 for a in sorted(d.iterdir()) if a.is_dir() and a.name in known]
    elif layout == "assignment-first":
        found = [(s.name, d.name, s) for d in dirs if d.name in known
                 for s in sorted(d.iterdir()) if s.is_dir() and not s.name.startswith(".")]
    elif layout == "flat":
        found = [(who[0], who[1], p) for p, who in flat + nested if who]
    else:
        raise LayoutError(f"unknown layout {layout!r}: choose one of {', '.join(LAYOUTS)}")
    first = [d.name for d in dirs if d.name in known]
    if found and not (layout == "nbgrader" and first):
        return found
    hint = ""
    if layout != "assignment-first" and first:
        hint = (f"\nThe top-level folder(s) {', '.join(first)} are assignments, not students: this looks like "
                "<assignment>/<student>/... ; run again with --layout assignment-first to read it so.")
    elif layout != "flat" and any(who for _, who in flat + nested):
        hint = ("\nThis looks like a flat download (<student>_<assignment>.ipynb, or <student>/<assignment>.ipynb); "
                "run again with --layout flat to read it so.")
    expected = {"nbgrader": EXPECTED, "assignment-first": "<assignment>/<student>/<assignment>.ipynb",
                "flat": "<student>_<assignment>.ipynb or <student>/<assignment>.ipynb"}[layout]
    raise LayoutError(f"no submission found in {submissions} in the layout {expected}\n"
                      f"(assignments: {', '.join(sorted(known))}).\nFound: {listing(submissions)}{hint}\n"
                      "Nothing was graded or changed.")


def take_in(submissions, release, dest, assignments, layout="nbgrader"):
    """Take in every submission found under ``submissions``; return a list of ``Intake``.

    Each submission's gradable copy replaces the student's earlier one for that assignment in
    ``dest``; the other students' copies stay. Raises ``LayoutError`` (before changing
    anything) when no submission is found in ``layout``.
    """
    submissions, release, dest = Path(submissions).resolve(), Path(release), Path(dest).resolve()
    if dest == submissions or dest in submissions.parents or submissions in dest.parents:
        raise ValueError(f"the submissions ({submissions}) and the grading copy ({dest}) must not overlap: "
                         "keep the submissions in a folder of their own")
    found = locate(submissions, assignments, layout)
    chosen = {}  # a flat download may hold several files of one student's assignment: the newest one counts
    for student, assignment, where in sorted(found, key=lambda f: f[2].stat().st_mtime):
        chosen.setdefault((student, assignment), []).append(where)
    results = []
    with tempfile.TemporaryDirectory() as staging:
        for (student, assignment), candidates in sorted(chosen.items()):
            where = candidates[-1]
            if where.is_file():  # a flat download: a folder of its own, and its name (the LMS renamed it, not the student)
                folder = Path(staging) / student / assignment
                folder.mkdir(parents=True, exist_ok=True)
                shutil.copy(where, folder / f"{assignment}.ipynb")
                where = folder
            target = dest / student / assignment
            if target.exists():
                shutil.rmtree(target)
            results.append(take_in_one(where, student, assignment, release / assignment / f"{assignment}.ipynb", target))
            if len(candidates) > 1:
                results[-1].flag("several files", f"graded the newest, {candidates[-1].name}; ignored "
                                 + ", ".join(c.name for c in candidates[:-1]))
    if layout == "nbgrader":
        students = {s for s, _, _ in found}
        for folder in sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if folder.name not in students:  # a folder beside the others that holds no assignment folder
                intake = Intake(folder.name, "")
                intake.flag("not a submission", f"{folder.name}/ holds no <assignment>/ folder (found: {listing(folder, 4)}); "
                            "move its notebook to <student>/<assignment>/, or read the folder with --layout flat")
                results.append(intake)
                continue
            for path in sorted(folder.iterdir()):
                if path.is_dir() and path.name not in assignments and not path.name.startswith("."):
                    intake = Intake(folder.name, path.name)
                    intake.flag("unknown assignment", f"{path.name} is not an assignment of this course")
                    results.append(intake)
    return results
