"""The grader: reference solutions pass, stubs fail, and every known mistake is
named. Torch-free: the cases were recorded by tools/make_grading_fixtures.py."""
from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np
import pytest

import reference
from tinytorch.grading import TASKS, check
from tinytorch.grading.grader import cases_of


def test_there_are_at_least_twelve_tasks_and_every_task_has_cases():
    assert len(TASKS) >= 12
    for name in TASKS:
        assert len(cases_of(name)) >= 3, name


@pytest.mark.parametrize("task", TASKS)
def test_the_reference_solution_passes_every_case(task):
    report = check(task, getattr(reference, task), show=False)
    assert report.passed, str(report)


@pytest.mark.parametrize("task", TASKS)
def test_an_untouched_stub_fails_every_case_and_says_so(task):
    def stub(**kwargs):
        raise NotImplementedError
    stub.__name__ = task
    report = check(task, stub, show=False)
    assert report.n_passed == 0
    assert all(c.message == "not implemented yet" for c in report.cases)
    assert "NotImplementedError" in report.details


MISTAKES = [(task, mistake) for task, spec in TASKS.items() for mistake in spec.hints]


@pytest.mark.parametrize("task,mistake", MISTAKES, ids=lambda x: str(x))
def test_each_known_mistake_fails_with_its_hint(task, mistake):
    wrong = functools.partial(getattr(reference, task), mistake=mistake)
    wrong.__name__ = task
    report = check(task, wrong, show=False)
    assert not report.passed, f"the mistake {mistake} passes every case"
    named = {c.mistake for c in report.cases if not c.passed}
    assert mistake in named, (mistake, named)
    first = report.first_failure
    if first.mistake == mistake:
        assert TASKS[task].hints[mistake] in report.details


def test_the_report_shows_the_case_the_expected_and_the_returned_values(capsys):
    def off_by_a_bit(param, grad, lr):
        return param - lr * grad + 1e-6
    report = check("gd_step", off_by_a_bit)
    out = capsys.readouterr().out
    assert "gd_step: 1/5 cases pass" in out   # only the shape property holds
    assert "first failing case: case 1" in out
    assert "expected" in out and "returned" in out and "hint" not in out
    assert report.first_failure.mistake is None


def test_a_function_that_modifies_its_arguments_fails():
    def in_place(param, grad, lr):
        param -= lr * grad
        return param
    report = check("gd_step", in_place, show=False)
    assert not report.passed
    assert "in place" in report.details


def test_an_exception_is_reported_not_raised():
    def broken(param, grad, lr):
        return param - lr * grads        # noqa: F821  (a typo)
    report = check("gd_step", broken, show=False)
    assert report.n_passed == 0 and "NameError" in report.details


def test_wrong_number_of_return_values_is_explained():
    report = check("adam_step", lambda **kw: kw["param"], show=False)
    assert "must return 3 values" in report.details


def test_cases_ship_numbers_only_and_record_pytorch():
    data = json.loads(resources.files("tinytorch.grading").joinpath("data", "cases.json").read_text())
    assert data["torch"].startswith("2.13")
    text = json.dumps(data)
    for word in ("def ", "lambda", "return ", "import "):
        assert word not in text


def test_tolerance_is_float64_round_off():
    from tinytorch.grading import ATOL, RTOL
    assert RTOL == 1e-10 and ATOL == 1e-12
    exact = reference.adam_step
    def nudged(**kw):
        p, m, v = exact(**kw)
        return p * (1 + 1e-9), m, v
    assert not check("adam_step", nudged, show=False).passed


def test_properties_catch_what_the_recorded_cases_cannot():
    """Right on every recorded (vector) case, wrong for a matrix: the shape
    property fails and says which property."""
    def flattens(param, grad, lr):
        return (param - lr * grad).ravel()
    report = check("gd_step", flattens, show=False)
    recorded = len(cases_of("gd_step"))
    assert all(c.passed for c in report.cases[:recorded])
    assert not report.passed
    assert "fails a property every answer has" in report.details
    assert "3 × 4 matrix" in report.details


def test_property_inputs_are_the_same_every_time():
    seen = []
    def spy(epoch, base_lr, step_size, gamma):
        seen.append(epoch)
        return reference.step_lr(epoch, base_lr, step_size, gamma)
    check("step_lr", spy, show=False)
    first = list(seen)
    seen.clear()
    check("step_lr", spy, show=False)
    assert seen == first
