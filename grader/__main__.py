"""The instructor's steps as one tool.

    python -m grader release [NAME ...] [--due DATE]  student versions (all by default), validated
    python -m grader autograde DIR [--jobs N] grade submissions into the class's gradebook, grades.csv, feedback, report
    python -m grader due NAME DATE            set an assignment's due date (late submissions lose points)
    python -m grader export [--format F]      grades.csv, or a file Canvas or Moodle imports, from the gradebook
    python -m grader demo [--jobs N]          build the sample class afresh (course/demo/samples), grade it, compare
    python -m grader samples DEST             write the sample class (built from the source notebooks) into DEST
    python -m grader publish DEST             the student edition (no solutions, no hidden checks) in DEST
"""

import argparse
import sys
from pathlib import Path

from .deadlines import DeadlinesFileError
from .paths import COURSE


def release(args):
    from .notebook_run import blank_version_problems, execute
    from .paths import assignments
    from .release import generate

    unknown = sorted(set(args.names) - set(assignments()))
    if unknown:
        print(f"error: no such assignment: {', '.join(unknown)} (assignments: {', '.join(assignments())})", file=sys.stderr)
        return 2
    paths = generate(args.course, args.names or None)
    if args.due:
        for name in paths:
            if set_due(args.course, name, args.due):
                return 2
    bad = 0
    for name, path in paths.items():
        nb, seconds = execute(path, allow_errors=True)
        problems = blank_version_problems(nb)
        status = "ok" if not problems else "PROBLEMS"
        print(f"{name:<24} {status:<9} ran blank in {seconds:5.1f} s  -> {path}")
        for problem in problems:
            print(f"    - {problem}")
        bad += bool(problems)
    return 1 if bad else 0


def autograde(args):
    from .autograde import grade_class
    from .intake import LayoutError
    from .report import print_table, write_report

    submissions = Path(args.submissions)
    if not submissions.is_dir():
        print(f"error: {submissions} is not a folder of submissions (<student>/<assignment>/<notebook>.ipynb)", file=sys.stderr)
        return 2
    from .sandbox import SandboxUnavailable

    try:
        rows = grade_class(submissions, jobs=args.jobs, course=args.course, layout=args.layout, sandbox=args.sandbox)
    except (LayoutError, ValueError, SandboxUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = write_report(rows, Path(args.course) / "report.html")
    print_table(rows)
    print(f"\ngrades: {Path(args.course) / 'grades.csv'}\nreport: {report}\nfeedback: {Path(args.course) / 'feedback'}")
    return 0


def set_due(course, name, when):
    """Record ``name``'s due date in the gradebook; 1 (with a message) if ``when`` is not a date."""
    from nbgrader.api import Gradebook
    from nbgrader.utils import parse_utc

    from .records import db_url

    try:
        due = parse_utc(when)
    except (ValueError, OverflowError):
        print(f"error: {when!r} is not a date; write it as 2026-10-14 23:59 or 2026-10-14T23:59+02:00 (no zone: UTC)", file=sys.stderr)
        return 1
    with Gradebook(db_url(course)) as gb:
        gb.update_or_create_assignment(name, duedate=due)
    print(f"{name} is due {due:%Y-%m-%d %H:%M} UTC (grading from now on charges late submissions; regrade earlier ones)")
    return 0


def due(args):
    from .autograde import ensure_released

    from .paths import assignments
    if args.name not in assignments():
        print(f"error: no such assignment: {args.name} (assignments: {', '.join(assignments())})", file=sys.stderr)
        return 2
    ensure_released(args.course, [args.name])
    return 2 if set_due(args.course, args.name, args.date) else 0


def export(args):
    from .export import export as write
    from .records import class_rows
    from .report import write_report

    bad = [pair for pair in args.ids if "=" not in pair]
    if bad:
        print(f"error: --ids wants NAME=CANVAS_ID (04-tcp=1234), not {' '.join(bad)}", file=sys.stderr)
        return 2
    try:
        path = write(args.course, args.format, args.output, dict(pair.split("=", 1) for pair in args.ids))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    report = write_report(class_rows(args.course), Path(args.course) / "report.html")
    print(f"wrote {path}\nreport: {report}")
    return 0


def demo(args):
    from .samples import run_demo

    # The samples get a course of their own, so they never join the class's gradebook.
    return run_demo(jobs=args.jobs, course=Path(args.course) / "demo")


def samples(args):
    from .samples import make

    try:
        expected = make(args.dest)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {sum(len(v) for v in expected.values())} sample submissions to {args.dest} "
          f"(their expected scores: grader.samples.expected())")
    return 0


def publish(args):
    from .publish import MANIFEST, PublishError, publish

    try:
        total, written, removed, unchanged = publish(args.dest, github=args.github, ref=args.ref)
    except PublishError as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 2
    print(f"published the student edition in {args.dest}: {total} files ({written} written, "
          f"{removed} removed, {unchanged} unchanged), listed in {MANIFEST}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    parser.add_argument("--course", default=str(COURSE), help="folder for everything nbgrader generates (default: course/)")
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="generate and validate the student versions")
    rel.add_argument("names", nargs="*", help="assignments to release (default: all)")
    rel.add_argument("--due", help="due date of the released assignments (2026-10-14 23:59, UTC unless a zone is given)")
    rel.set_defaults(func=release)
    grade = sub.add_parser("autograde", help="grade a folder of submissions")
    grade.add_argument("submissions", help="folder holding <student>/<assignment>/<notebook>.ipynb")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    grade.add_argument("--sandbox", choices=("bwrap", "none"), default="bwrap",
                       help="run each submission in a bubblewrap sandbox (default), or 'none': every row is flagged 'no sandbox'")
    grade.add_argument("--layout", choices=("nbgrader", "flat", "assignment-first"), default="nbgrader",
                       help="nbgrader: <student>/<assignment>/ (default); flat: <student>_<assignment>.ipynb "
                            "(an LMS download) or <student>/<assignment>.ipynb; assignment-first: <assignment>/<student>/")
    duedate = sub.add_parser("due", help="set an assignment's due date in the gradebook")
    duedate.add_argument("name")
    duedate.add_argument("date", help="2026-10-14 23:59 (UTC) or 2026-10-14T23:59+02:00")
    duedate.set_defaults(func=due)
    out = sub.add_parser("export", help="write grades from the gradebook: grades.csv, or a Canvas or Moodle import file")
    out.add_argument("--format", choices=("csv", "canvas", "moodle"), default="csv")
    out.add_argument("--output", "-o", help="file to write (default: course/grades.csv, course/canvas.csv, course/moodle.csv)")
    out.add_argument("--ids", nargs="*", default=[], metavar="NAME=ID", help="Canvas assignment ids, so scores go to existing assignments")
    out.set_defaults(func=export)
    grade.set_defaults(func=autograde)
    sample = sub.add_parser("demo", help="build the sample class in course/demo/samples, grade it, check the expected scores")
    sample.add_argument("--jobs", type=int, default=2)
    sample.set_defaults(func=demo)
    built = sub.add_parser("samples", help="write the sample class, built from the source notebooks, into DEST")
    built.add_argument("dest", help="a new or empty folder, or a sample class written before, outside grader/ and notebooks/ (e.g. course/samples)")
    built.set_defaults(func=samples)
    edition = sub.add_parser("publish", help="write the student edition (no solutions, no hidden checks) into DEST")
    edition.add_argument("dest", help="an empty folder outside this repository, or a previous edition (a git worktree)")
    edition.add_argument("--github", default="OWNER/EDITION", help="the edition's GitHub repository, for its Binder badge")
    edition.add_argument("--ref", default="student-edition", help="the edition's branch, for its Binder badge")
    edition.set_defaults(func=publish)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DeadlinesFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
