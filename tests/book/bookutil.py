"""Helpers shared by the book tests (tests/book/) and the browser test (tests/browser/).

A plain module, not a conftest.py, so that it cannot collide with other conftest files.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"


def load_module(name: str, path: Path):
    """A tool script (``tools/*.py``) imported as a module, once."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_sync_tool():
    """tools/sync_notebooks.py as a module (the tests use the tool's own checks)."""
    name = "sync_notebooks"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "sync_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def skip_or_fail(reason: str):
    """Skip locally; in CI (CI=true) a missing prerequisite is a failure, never a skip."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{reason} (CI=true: this test must run in CI)")
    pytest.skip(reason)


def built_site() -> Path:
    """The built HTML site; skips (fails in CI) when the book has not been built."""
    if not (SITE / "index.html").exists():
        skip_or_fail("the book is not built: run `bash tools/build.sh` first")
    return SITE
