"""netkit.checks._base: the lesson-shaped failure, and how a grading run pays for a hang only once."""

import re
import time

import pytest

from netkit import byteorder, runner
from netkit.checks import _base
from netkit.checks._base import CheckFailed, check, fail


def hangs(x):
    while True:
        time.sleep(0.01)


@check
def check_answer(func):
    outcome = runner.run(func, 1, deadline=0.4)
    if outcome.status != "returned" or outcome.value != 2:
        fail(f"{outcome.function}(1) should return 2", expected=2, got=outcome.clause, hint="add one")


@check
def check_every_case(func):
    outcomes = [runner.run(func, argument, deadline=0.4) for argument in (1, 2)]
    if any(outcome.status != "returned" for outcome in outcomes):
        fail(f"{func.__name__}: " + "; ".join(outcome.clause for outcome in outcomes))


@check
def check_other(func):
    outcome = runner.run(func, 5, deadline=0.4)
    if outcome.status != "returned":
        fail(f"{outcome.function}(5) {outcome.clause}")


def test_a_failure_is_a_lesson_without_netkit_frames():
    with pytest.raises(CheckFailed) as info:
        check_answer(lambda x: x)
    message = str(info.value)
    assert "(1) should return 2" in message and "Hint: add one" in message
    assert info.value._render_traceback_()[0].endswith("(1) should return 2")


def timed(func, *args):
    start = time.monotonic()
    with pytest.raises(CheckFailed) as info:
        func(*args)
    return time.monotonic() - start, str(info.value)


def test_outside_grading_every_check_runs_in_full(monkeypatch):
    monkeypatch.setattr(_base, "GRADING", False)
    first, _ = timed(check_answer, hangs)
    again, _ = timed(check_answer, hangs)
    assert first >= 0.4 and again >= 0.4


def test_in_grading_a_hang_costs_its_deadline_once(monkeypatch):
    monkeypatch.setattr(_base, "GRADING", True)
    monkeypatch.setattr(_base, "_failed", {})
    monkeypatch.setattr(_base, "_hung", {})
    # The deadlines are read from the messages, not from a clock: a busy machine stretches time.
    first, message = timed(check_answer, hangs)
    repeated, same = timed(check_answer, hangs)           # a hidden cell repeating the visible check
    _, other = timed(check_other, hangs)                  # another check of the same hung function
    assert first >= 0.4 and "did not finish within 0.4 s" in message
    assert same == message and repeated < 0.2             # at once: no second run
    assert "hangs(5) did not finish within 0.1 s" in other
    def also_hangs(x):
        hangs(x)
    _, both = timed(check_every_case, also_hangs)       # within a check too: the second hang is short
    assert both.startswith("also_hangs: did not finish within 0.4 s; did not finish within 0.1 s")
    _, correct = timed(check_answer, lambda x: x)       # other functions are not hurried
    assert "returned 1" in correct                        # (it fails on its own: wrong value, no hang)


@check
def check_with_a_bug(func):
    outcome = runner.run(func, 1, deadline=0.4)
    return {"expected": 2}[outcome.value]  # the check's own KeyError when func returns 1


def test_a_checks_own_error_is_a_message_for_the_instructor_not_netkit_frames():
    with pytest.raises(CheckFailed) as info:
        check_with_a_bug(lambda x: x)
    first, second = str(info.value).splitlines()
    assert re.fullmatch(r"The check itself went wrong: KeyError: 1 \(test_checks_base.py, line \d+, in check_with_a_bug\)\.",
                        first), first
    assert second.startswith("This is probably not your fault, unless your code returned something unusual")
    assert second.endswith("Tell your instructor, and show them this message.")
    tb, frames = info.value.__traceback__, []
    while tb:
        frames.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert frames[-1] == "wrapper" and "check_with_a_bug" not in frames and info.value.__suppress_context__


def test_a_checks_own_error_is_located_in_netkit():
    @check
    def check_parsing_what_came_back(func):
        return byteorder.parse_dotted(runner.call(func, deadline=0.4))

    with pytest.raises(CheckFailed) as info:
        check_parsing_what_came_back(lambda: "1.2.3")
    first = str(info.value).splitlines()[0]
    assert first.startswith("The check itself went wrong: ValueError: '1.2.3' has 3 part(s); a dotted quad has 4")
    assert re.search(r"\(netkit/byteorder.py, line \d+, in parse_dotted\)\.$", first), first
