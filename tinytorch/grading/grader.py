"""Run a student's function on every recorded case and say what went wrong.

Each case holds the arguments, PyTorch's answer and the answers of the known
mistakes. A case passes when every returned value equals PyTorch's within
float64 round-off (relative 1e-10, absolute 1e-12). For the first failing case
the report shows the arguments, the expected and the returned values, and, when
the returned values equal a known mistake's, the hint for that mistake.
"""
from __future__ import annotations

import copy
import json
import traceback
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from .results import record
from .properties import PROPERTIES
from .tasks import TASKS

RTOL, ATOL = 1e-10, 1e-12


@dataclass
class CaseResult:
    """One recorded case: passed or not, why, and the known mistake it matched."""

    index: int
    passed: bool
    message: str = ""
    mistake: str | None = None


@dataclass
class Report:
    """A task's result: one :class:`CaseResult` per case and the first failure's
    details. ``str(report)`` is what :func:`check` prints."""

    task: str
    cases: list[CaseResult] = field(default_factory=list)
    details: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def n_passed(self) -> int:
        return sum(c.passed for c in self.cases)

    @property
    def first_failure(self) -> CaseResult | None:
        return next((c for c in self.cases if not c.passed), None)

    def __str__(self) -> str:
        marks = " ".join("✓" if c.passed else "✗" for c in self.cases)
        head = (f"{self.task}: {self.n_passed}/{len(self.cases)} cases pass   {marks}")
        return head + ("\n" + self.details if self.details else "")


def load_cases() -> dict:
    text = resources.files(__package__).joinpath("data", "cases.json").read_text()
    return json.loads(text)["tasks"]


_CASES: dict | None = None


def cases_of(task: str) -> list[dict]:
    global _CASES
    if _CASES is None:
        _CASES = load_cases()
    return _CASES[task]


def _as_value(value):
    """JSON to what a student receives: a list of numbers becomes a float64 array."""
    if isinstance(value, list):
        return np.array(value, dtype=np.float64)
    return value


def arguments_of(task, case) -> dict:
    args = {}
    for name in TASKS[task].arguments:
        value = case["inputs"][name]
        if name in ("betas",):
            args[name] = tuple(value)
        elif name in ("grads", "micro_grads"):
            args[name] = [np.array(v, dtype=np.float64) for v in value]
        elif name == "micro_sizes":
            args[name] = list(value)
        else:
            args[name] = _as_value(value)
    return args


def _close(actual, expected) -> bool:
    if expected is None:
        return actual is None
    if isinstance(expected, list) and expected and isinstance(expected[0], list):
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            return False
        return all(_close(a, e) for a, e in zip(actual, expected))
    try:
        a = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=RTOL, atol=ATOL, equal_nan=True))


def _outputs(task, result) -> dict:
    names = TASKS[task].returns
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        raise TypeError(f"{task} must return {len(names)} values ({', '.join(names)}), "
                        f"but returned {type(result).__name__}")
    return dict(zip(names, result))


def _show(value) -> str:
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, separator=", ")
    if isinstance(value, float):
        return f"{value:.10g}"
    return repr(value)


def _changed_inputs(before: dict, after: dict) -> list[str]:
    changed = []
    for name, value in before.items():
        if isinstance(value, np.ndarray) and not np.array_equal(value, after[name]):
            changed.append(name)
    return changed


def check(task: str, function, *, show: bool = True) -> Report:
    """Grade ``function`` on every recorded case of ``task``; print the report.

    ``function`` is called with the task's arguments as keywords (float64 arrays
    and numbers, see ``TASKS[task].arguments``) and must return
    ``TASKS[task].returns``. Exceptions it raises are reported, not raised.
    """
    if task not in TASKS:
        raise KeyError(f"unknown task {task!r}; tasks: {', '.join(TASKS)}")
    report = Report(task)
    details = None
    for index, case in enumerate(cases_of(task), 1):
        args = arguments_of(task, case)
        pristine = copy.deepcopy(args)
        try:
            outputs = _outputs(task, function(**copy.deepcopy(args)))
        except NotImplementedError:
            report.cases.append(CaseResult(index, False, "not implemented yet"))
            details = details or (f"case {index}: {function.__name__} raises "
                                  "NotImplementedError: fill in the function above.")
            continue
        except Exception as error:           # a student's bug is a result, not a crash
            line = traceback.format_exception_only(type(error), error)[-1].strip()
            report.cases.append(CaseResult(index, False, line))
            details = details or f"case {index}: calling {task}({_call(args)}) raised {line}"
            continue
        ok = all(_close(outputs[name], value) for name, value in case["expected"].items())
        mutated = _mutated(function, args, pristine)
        if ok and not mutated:
            report.cases.append(CaseResult(index, True))
            continue
        if ok and mutated:
            report.cases.append(CaseResult(index, False, f"modified {mutated} in place"))
            details = details or (f"case {index}: the values are right, but the function "
                                  f"modified its argument(s) {', '.join(mutated)} in place; "
                                  "return new arrays instead.")
            continue
        mistake = next((name for name, wrong in case.get("mistakes", {}).items()
                        if not _same(wrong, case["expected"])
                        and all(_close(outputs.get(k), v) for k, v in wrong.items())), None)
        report.cases.append(CaseResult(index, False, "differs from PyTorch", mistake))
        if details is None:
            lines = [f"first failing case: case {index}", f"  arguments: {_call(args)}"]
            for name, value in case["expected"].items():
                got = outputs.get(name)
                mark = "" if _close(got, value) else "   ✗"
                lines.append(f"  {name:>15s} expected {_show(_as_value(value))}{mark}")
                lines.append(f"  {'':>15s} returned {_show(got)}")
            if mistake:
                lines.append(f"  hint: {TASKS[task].hints[mistake]}")
            details = "\n".join(lines)
    details = _check_properties(task, function, report, details)
    report.details = details or ""
    record(report)                       # for the instructor's gradebook, if asked
    if show:
        print(report)
    return report


def _check_properties(task, function, report, details, trials=5):
    """Each property of ``PROPERTIES[task]`` is one more case, tried on ``trials``
    random inputs (seeded: the same inputs every time)."""
    rng = np.random.default_rng(0)
    recorded = arguments_of(task, cases_of(task)[0])
    for description, make, holds in PROPERTIES.get(task, []):
        index = len(report.cases) + 1
        result = CaseResult(index, True, f"property: {description}")
        for _ in range(trials):
            args = make(rng, recorded)
            call = {name: args[name] for name in TASKS[task].arguments}
            try:
                outputs = _outputs(task, function(**copy.deepcopy(call)))
                ok = bool(holds(args, outputs))
            except NotImplementedError:
                result = CaseResult(index, False, "not implemented yet")
                break
            except Exception as error:
                line = traceback.format_exception_only(type(error), error)[-1].strip()
                result = CaseResult(index, False, line)
                details = details or f"case {index} ({description}): raised {line}"
                break
            if not ok:
                result = CaseResult(index, False, f"property: {description}")
                details = details or (f"case {index} fails a property every answer has: "
                                      f"it {description}.\n  arguments: {_call(call)}")
                break
        report.cases.append(result)
    return details


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)


def _mutated(function, args, pristine) -> list[str]:
    """Names of array arguments the function changed, found by calling it once more."""
    probe = copy.deepcopy(pristine)
    try:
        function(**probe)
    except Exception:
        return []
    return _changed_inputs(pristine, probe)


def _call(args) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in args.items())
