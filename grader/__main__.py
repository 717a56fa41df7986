"""The instructor's steps as one tool.

    python -m grader release                  student versions of all notebooks, validated
    python -m grader autograde DIR [--jobs N] grade a class: gradebook, grades.csv, feedback, report
    python -m grader demo [--jobs N]          grade grader/samples and compare with expectations
    python -m grader samples                  rebuild grader/samples from the source notebooks
"""

import argparse
import sys
from pathlib import Path

from .deadlines import DeadlinesFileError
from .paths import COURSE


def release(args):
    from .notebook_run import blank_version_problems, execute
    from .release import generate

    paths = generate(args.course)
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
    from .report import write_report

    submissions = Path(args.submissions)
    if not submissions.is_dir():
        print(f"error: {submissions} is not a folder of submissions (<student>/<assignment>/<notebook>.ipynb)", file=sys.stderr)
        return 2
    rows = grade_class(submissions, jobs=args.jobs, course=args.course)
    report = write_report(rows, Path(args.course) / "report.html")
    print_table(rows)
    print(f"\ngrades: {Path(args.course) / 'grades.csv'}\nreport: {report}\nfeedback: {Path(args.course) / 'feedback'}")
    return 0


def print_table(rows):
    print(f"{'student':<22} {'assignment':<22} {'score':>11}  flags")
    for row in sorted(rows, key=lambda r: (r.student_id, r.assignment)):
        flags = ", ".join(sorted({f.kind for f in row.flags}))
        print(f"{row.student_id:<22} {row.assignment:<22} {row.score:>5g}/{row.max_score:<5g}  {flags}")


def demo(args):
    from .samples import run_demo

    return run_demo(jobs=args.jobs, course=args.course)


def samples(args):
    from .samples import SAMPLES, make

    expected = make()
    print(f"wrote {sum(len(v) for v in expected.values())} sample submissions to {SAMPLES}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    parser.add_argument("--course", default=str(COURSE), help="folder for everything nbgrader generates (default: course/)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("release", help="generate and validate the student versions").set_defaults(func=release)
    grade = sub.add_parser("autograde", help="grade a folder of submissions")
    grade.add_argument("submissions", help="folder holding <student>/<assignment>/<notebook>.ipynb")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    grade.set_defaults(func=autograde)
    sample = sub.add_parser("demo", help="grade the sample class in grader/samples and check the expected scores")
    sample.add_argument("--jobs", type=int, default=2)
    sample.set_defaults(func=demo)
    sub.add_parser("samples", help="rebuild grader/samples from the source notebooks").set_defaults(func=samples)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except DeadlinesFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
