"""Repository-wide pytest settings: ``pytest --nbval book/`` works bare.

An instructor verifies the book with ``pytest --nbval book/`` (or one chapter,
``pytest --nbval book/05_schedules.ipynb``) from the repository root, with no other
flag and no environment variable. Two nbval settings make that exact:

* the kernel runs in the same Python environment as pytest (``--nbval-current-env``),
  so the notebooks import the ``tinytorch`` that is installed there, never a kernel
  of another Python that Jupyter happens to find first;
* the outputs are compared after ``tests/book/nbval-sanitize.cfg``, which replaces
  only what legitimately differs between two runs (memory addresses, figure reprs).

Flags given on the command line win. The BLAS thread count needs no setting here:
each chapter pins it in its first cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SANITIZER = Path(__file__).resolve().parent / "tests" / "book" / "nbval-sanitize.cfg"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return
    if not (option.nbval_sanitize_with or option.sanitize_with):
        option.nbval_sanitize_with = str(SANITIZER)
    if not option.nbval_kernel_name:
        option.nbval_current_env = True
