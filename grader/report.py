"""The instructor's report on the whole class, as one self-contained HTML page.

It shows the class's totals per assignment, a table of students (each one's score per
assignment, lateness and flags), every flagged submission with the reasons (the grader's
own: timeout, tampering, kernel restarted, unchanged, manual score kept, ...), when each
submission was handed in and graded, the hardest exercises (lowest share of points earned)
and a score distribution per exercise, so the instructor knows what to look at by hand.
"""

import base64
import html
import io
import re
from collections import defaultdict
from statistics import mean

from .records import lateness

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}
th{background:#f4f4f4}.num{text-align:right}.flag{color:#a33}.late{color:#a60}img{max-width:100%}
td small{color:#666}td{white-space:nowrap}td.why{white-space:normal}
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
    fig, ax = plt.subplots(figsize=(3.4, 1.9), dpi=90)
    ax.hist([100 * s for s in shares], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], color="#4a7ebb")
    ax.set_title(f"{key[0]}: {key[1]}", fontsize=7)
    ax.set_xlabel("% of points", fontsize=7)
    ax.set_ylabel("students", fontsize=7)
    ax.tick_params(labelsize=6)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def when(iso_text):
    """'2026-10-14 23:59 UTC' from ISO text; '' for none."""
    return iso_text[:16].replace("T", " ") + " UTC" if iso_text else ""


def student_table(rows, names):
    """Each student's score per assignment, with lateness and the kinds of flags raised."""
    esc = html.escape
    by_student = defaultdict(dict)
    for row in rows:
        by_student[row.student_id][row.assignment] = row
    parts = [f"<h2>Students ({len(by_student)})</h2><table><tr><th>student</th>"
             + "".join(f"<th>{esc(n)}</th>" for n in names) + "<th class=num>total</th></tr>"]
    for student in sorted(by_student):
        cells = []
        for name in names:
            row = by_student[student].get(name)
            if row is None:
                cells.append("<td>-</td>")
                continue
            notes = [f"<span class=late>late {esc(lateness(row.seconds_late))}</span>"] if row.seconds_late > 0 else []
            notes += [f"<span class=flag>{esc(kind)}</span>" for kind in sorted({f.kind for f in row.flags})]
            cells.append(f"<td class=num>{row.score:g}/{row.max_score:g}" + "".join(f"<br><small>{n}</small>" for n in notes) + "</td>")
        total = sum(r.score for r in by_student[student].values())
        parts.append(f"<tr><td>{esc(student)}</td>{''.join(cells)}<td class=num>{total:g}</td></tr>")
    parts.append("</table>")
    return parts


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

    parts.extend(student_table(rows, sorted(by_assignment)))

    flagged = [r for r in rows if r.flags]
    parts.append(f"<h2>Flagged for review ({len(flagged)})</h2>")
    if flagged:
        parts.append("<table><tr><th>student</th><th>assignment</th><th class=num>score</th><th>why</th><th>graded</th></tr>")
        for row in sorted(flagged, key=lambda r: (r.student_id, r.assignment)):
            why = "<br>".join(f"<span class=flag>{esc(f.kind)}</span>: {esc(f.reason)}" for f in row.flags)
            parts.append(f"<tr><td>{esc(row.student_id)}</td><td>{esc(row.assignment)}</td>"
                         f"<td class=num>{row.score:g}/{row.max_score:g}</td><td class=why>{why}</td><td>{esc(when(row.graded))}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Nothing was flagged.</p>")

    parts.append("<h2>Submissions</h2><table><tr><th>student</th><th>assignment</th><th class=num>score</th>"
                 "<th>submitted</th><th>late</th><th class=num>late penalty</th><th>graded</th></tr>")
    for row in sorted(rows, key=lambda r: (r.student_id, r.assignment)):
        parts.append(f"<tr><td>{esc(row.student_id)}</td><td>{esc(row.assignment)}</td>"
                     f"<td class=num>{row.score:g}/{row.max_score:g}</td><td>{esc(when(row.submitted))}</td>"
                     f"<td class=late>{esc(lateness(row.seconds_late))}</td>"
                     f"<td class=num>{'-' + format(row.penalty, 'g') if row.penalty else ''}</td><td>{esc(when(row.graded))}</td></tr>")
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

    parts.append("<h2>Score distribution per exercise</h2>")
    for key in sorted(scores):
        parts.append(f"<img alt='{esc(key[0])} {esc(key[1])}' src='data:image/png;base64,{distribution_png(key, scores[key])}'>")
    return "\n".join(parts)


def write_report(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(rows), encoding="utf-8")
    return path
