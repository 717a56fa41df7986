"""The instructor's report of a grading run, as one self-contained HTML page.

It shows the class's totals per assignment, a score distribution per exercise, the
hardest exercises (lowest share of points earned) and every flagged submission with
the reasons, so the instructor knows what to look at by hand.
"""

import base64
import html
import io
import re
from collections import defaultdict
from statistics import mean

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}
th{background:#f4f4f4}.num{text-align:right}.flag{color:#a33}img{max-width:100%}
"""


def exercise_of(grade_id):
    """Group a visible test and its hidden twin: 'test_read_reply_hidden' -> 'test_read_reply'."""
    return re.sub(r"[_-]hidden$", "", grade_id)


def exercise_scores(rows):
    """{(assignment, exercise): [share of points earned by each graded submission]}."""
    scores = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    for row in rows:
        for grade_id, (score, max_score) in row.cells.items():
            key = (row.assignment, exercise_of(grade_id))
            scores[key][row.student_id][0] += score or 0.0
            scores[key][row.student_id][1] += max_score or 0.0
    return {key: [s / m if m else 0.0 for s, m in per_student.values()] for key, per_student in scores.items()}


def distribution_png(key, shares):
    fig, ax = plt.subplots(figsize=(3.2, 1.9), dpi=90)
    ax.hist([100 * s for s in shares], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color="#4a7ebb")
    ax.set_title(f"{key[1]}", fontsize=8)
    ax.set_xlabel("% of points", fontsize=7)
    ax.set_ylabel("students", fontsize=7)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def render(rows):
    esc = html.escape
    parts = [f"<!doctype html><meta charset='utf-8'><title>Grading report</title><style>{STYLE}</style>",
             "<h1>Grading report</h1>"]
    unsandboxed = sum(1 for r in rows if any(f.kind == "no sandbox" for f in r.flags))
    if unsandboxed:  # said first: these grades came from code that could reach the gradebook
        parts.append(f"<p class=flag><strong>No sandbox:</strong> {unsandboxed} submission(s) were graded with "
                     "<code>--sandbox none</code>; their code ran with the grader's rights and could have read "
                     "other submissions or changed the gradebook. Grade them again with the sandbox on.</p>")
    by_assignment = defaultdict(list)
    for row in rows:
        by_assignment[row.assignment].append(row)
    parts.append("<h2>Assignments</h2><table><tr><th>assignment</th><th>submissions</th>"
                 "<th class=num>mean score</th><th class=num>max</th><th>flagged</th></tr>")
    for assignment, group in sorted(by_assignment.items()):
        top = max(r.max_score for r in group)
        parts.append(f"<tr><td>{esc(assignment)}</td><td class=num>{len(group)}</td>"
                     f"<td class=num>{mean(r.score for r in group):.1f}</td><td class=num>{top:g}</td>"
                     f"<td class=num>{sum(1 for r in group if r.flags)}</td></tr>")
    parts.append("</table>")

    scores = exercise_scores(rows)
    hardest = sorted(scores.items(), key=lambda item: mean(item[1]))[:10]
    parts.append("<h2>Hardest exercises</h2><table><tr><th>assignment</th><th>exercise</th>"
                 "<th class=num>mean % of points</th><th class=num>full marks</th></tr>")
    for (assignment, exercise), shares in hardest:
        parts.append(f"<tr><td>{esc(assignment)}</td><td>{esc(exercise)}</td>"
                     f"<td class=num>{100 * mean(shares):.0f}%</td>"
                     f"<td class=num>{sum(1 for s in shares if s >= 0.999)}/{len(shares)}</td></tr>")
    parts.append("</table>")

    flagged = [r for r in rows if r.flags]
    parts.append(f"<h2>Flagged for review ({len(flagged)})</h2>")
    if flagged:
        parts.append("<table><tr><th>student</th><th>assignment</th><th class=num>score</th><th>why</th></tr>")
        for row in sorted(flagged, key=lambda r: (r.student_id, r.assignment)):
            why = "<br>".join(f"<span class=flag>{esc(f.kind)}</span>: {esc(f.reason)}" for f in row.flags)
            parts.append(f"<tr><td>{esc(row.student_id)}</td><td>{esc(row.assignment)}</td>"
                         f"<td class=num>{row.score:g}/{row.max_score:g}</td><td>{why}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Nothing was flagged.</p>")

    parts.append("<h2>Score distribution per exercise</h2>")
    for key in sorted(scores):
        parts.append(f"<img alt='{esc(key[0])} {esc(key[1])}' src='data:image/png;base64,{distribution_png(key, scores[key])}'>")
    return "\n".join(parts)


def write_report(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(rows), encoding="utf-8")
    return path
