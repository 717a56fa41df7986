"""What the sandbox costs: grading in bubblewrap against ``--sandbox none``, in the same run.

    .venv/bin/python bench/bench_sandbox.py [--quick] [--only solution,jobs]

Prints two ratios (sandbox / none; each side graded by this grader through the same nbgrader
API in worker processes, only ``RobustExecute.sandbox`` differs):

1. the full solution of the whole course, medians of three alternating runs (target: at most 1.15);
2. 50 submissions (solution, wrong, blank, stderr in turn) with ``--jobs 2``.

``--quick`` grades 10 submissions instead of 50 and one round of the solution.
"""

import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_grader import class_of, run_figures, timed_grading  # noqa: E402


def alternate(submissions, released, rounds, jobs=1):
    """{sandbox: [seconds]} over ``rounds`` gradings each, alternating which goes first."""
    times = {"bwrap": [], "none": []}
    for index in range(rounds):
        for sandbox in (("bwrap", "none") if index % 2 == 0 else ("none", "bwrap")):
            seconds, rows = timed_grading(submissions, released=released, jobs=jobs, sandbox=sandbox)
            failed = [r for r in rows if any(f.kind in ("grading failed", "sandbox failed") for f in r.flags)]
            if failed:
                print(f"  ({sandbox}: {len(failed)} submission(s) failed to grade: {failed[0].flags})", flush=True)
            times[sandbox].append(seconds)
    return times


def report(label, times, target=""):
    boxed, bare = statistics.median(times["bwrap"]), statistics.median(times["none"])
    spread = " ".join(f"{min(t):.1f}-{max(t):.1f} s" for t in (times["bwrap"], times["none"])) if len(times["bwrap"]) > 1 else ""
    print(f"{label:<34} sandbox {boxed:6.1f} s   none {bare:6.1f} s   ratio {boxed / bare:4.2f}{target}"
          + (f" (medians of {len(times['bwrap'])}: {spread})" if spread else ""), flush=True)


def measure_solution(scratch, released, quick):
    rounds = 1 if quick else 3
    solution = scratch / "solution"
    shutil.copytree(scratch / "samples" / "solution", solution / "solution")
    report("full solution, whole course:", alternate(solution, released, rounds), " (target <= 1.15)")


def measure_jobs(scratch, released, quick):
    count = 10 if quick else 50
    crowd = class_of(scratch / "samples", ["solution", "wrong", "blank", "stderr"], count, scratch / "crowd")
    report(f"{count} submissions, --jobs 2:", alternate(crowd, released, 1, jobs=2))


FIGURES = {"solution": measure_solution, "jobs": measure_jobs}


if __name__ == "__main__":
    run_figures(__doc__.splitlines()[0], FIGURES)
