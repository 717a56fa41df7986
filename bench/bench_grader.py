"""Stock nbgrader against this grader, on the same submissions, in the same run.

    .venv/bin/python bench/bench_grader.py [--quick]

Prints three ratios (each side graded with the same nbgrader API in worker processes;
only the execute step or the number of jobs differs):

1. the full solution of the whole course: this grader / stock (target: at most 1.1), medians of three;
2. the submission that hangs in every exercise: stock / this grader (target: at least 10);
3. 50 submissions with --jobs 2 against --jobs 1 (target: at least 1.7x faster).

``--quick`` grades 10 submissions instead of 50 for the third figure and one round of the first; ``--only solution,hang,jobs``
measures only the named figures.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.autograde import grade_class  # noqa: E402
from grader.release import generate  # noqa: E402
from grader.samples import build  # noqa: E402


def timed_grading(submissions, *, stock=False, jobs=1, released=None, sandbox="bwrap"):
    """Seconds to grade ``submissions`` in a fresh course (the release is copied in, not timed)."""
    with tempfile.TemporaryDirectory() as course:
        for item in Path(released).iterdir():
            target = Path(course) / item.name
            (shutil.copytree if item.is_dir() else shutil.copy)(item, target)
        start = time.monotonic()
        rows = grade_class(submissions, jobs=jobs, course=course, show_progress=False, stock=stock, sandbox=sandbox)
        return time.monotonic() - start, rows


def class_of(samples, students, count, folder):
    """``count`` submissions (one assignment each) drawn in turn from the ``students`` of the sample class ``samples``."""
    pairs = [p for s in students for p in sorted((samples / s).iterdir()) if p.is_dir()]
    for index in range(count):
        source = pairs[index % len(pairs)]
        shutil.copytree(source, folder / f"{source.parent.name}-{index:02d}" / source.name)
    return folder


def measure_solution(scratch, released, quick):
    """Median of three gradings each (one with ``quick``), alternating which grader goes first (warm caches favour the second)."""
    rounds = 1 if quick else 3
    solution = scratch / "solution"
    shutil.copytree(scratch / "samples" / "solution", solution / "solution")
    times = {False: [], True: []}
    for index in range(rounds):
        for stock in ((False, True) if index % 2 == 0 else (True, False)):
            times[stock].append(timed_grading(solution, released=released, stock=stock)[0])
    ours, stock = statistics.median(times[False]), statistics.median(times[True])
    print(f"full solution, whole course:  this grader {ours:6.1f} s   stock {stock:6.1f} s   "
          f"ratio {ours / stock:4.2f} (target <= 1.1; medians of {rounds}, each side "
          f"{min(times[False]):.1f}-{max(times[False]):.1f} s / {min(times[True]):.1f}-{max(times[True]):.1f} s)", flush=True)


def measure_hang(scratch, released, quick):
    hang = scratch / "hang"
    shutil.copytree(scratch / "samples" / "hang", hang / "hang")
    ours, _ = timed_grading(hang, released=released)
    stock, rows = timed_grading(hang, released=released, stock=True)
    dropped = sum(1 for r in rows if any(f.kind == "grading failed" for f in r.flags))
    print(f"hangs in every exercise:      this grader {ours:6.1f} s   stock {stock:6.1f} s   "
          f"speed-up {stock / ours:4.1f}x (target >= 10)"
          + (f"; stock dropped {dropped} of {len(rows)} submissions" if dropped else ""), flush=True)


def measure_jobs(scratch, released, quick):
    count = 10 if quick else 50
    crowd = class_of(scratch / "samples", ["solution", "wrong", "blank", "stderr"], count, scratch / "crowd")
    one, _ = timed_grading(crowd, released=released, jobs=1)
    two, _ = timed_grading(crowd, released=released, jobs=2)
    print(f"{count} submissions:               --jobs 1 {one:6.1f} s   --jobs 2 {two:6.1f} s   "
          f"speed-up {one / two:4.2f}x (target >= 1.7)", flush=True)


FIGURES = {"solution": measure_solution, "hang": measure_hang, "jobs": measure_jobs}


def run_figures(description, figures):
    """Read ``--quick``/``--only``, release once (with the solution's cell times for the deadlines)
    and build the sample class from it, then call ``figures[name](scratch, released, quick)``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and submissions")
    parser.add_argument("--only", default=",".join(figures), help="comma-separated: " + ", ".join(figures))
    args = parser.parse_args()
    names = args.only.split(",")
    unknown = [name for name in names if name not in figures]
    if unknown:
        parser.error(f"no figure named {', '.join(unknown)}; choose from {', '.join(figures)}")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        released = scratch / "released"
        build(generate(released), scratch / "samples")
        for name in names:
            figures[name](scratch, released, args.quick)


if __name__ == "__main__":
    run_figures(__doc__.splitlines()[0], FIGURES)
