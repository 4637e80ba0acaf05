"""Where ``check`` leaves its result when an instructor's gradebook runs the notebook.

Kept apart from ``gradebook`` so that importing the grader never imports the
command-line tool (``python -m tinytorch.grading.gradebook`` would warn).
"""
from __future__ import annotations

import json
import os

RESULTS_ENV = "TINYTORCH_GRADEBOOK"


def record(report) -> None:
    """Append one task's result to the file named by $TINYTORCH_GRADEBOOK, if set."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    entry = dict(task=report.task, passed=report.passed, cases=len(report.cases),
                 cases_passed=report.n_passed, report=str(report))
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")
