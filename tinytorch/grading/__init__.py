"""Exercises graded against PyTorch: ``check("adam_step", adam_step)``.

Each task (``TASKS``) is a function a student writes from its contract; the
grader runs it on cases recorded from PyTorch 2.13 (``data/cases.json``) and
names the mistake when the numbers match a known one.
"""
from .grader import ATOL, RTOL, CaseResult, Report, check
from .tasks import TASKS, Task

__all__ = ["check", "Report", "CaseResult", "TASKS", "Task", "RTOL", "ATOL"]
