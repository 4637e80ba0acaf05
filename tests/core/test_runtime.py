"""tinytorch.core.runtime: what a chapter cell asks before it needs threads or processes."""

from __future__ import annotations

import importlib
import sys

from tinytorch.core import runtime


def test_a_python_process_is_not_the_browser(capsys):
    assert runtime.IN_BROWSER is (sys.platform == "emscripten") is False
    assert runtime.CAN_START_THREADS and runtime.CAN_START_PROCESSES
    assert runtime.skipped_in_browser("MPI starts processes") is False
    assert capsys.readouterr().out == ""


def test_in_the_browser_a_cell_says_why_it_is_skipped(monkeypatch, capsys):
    monkeypatch.setattr(sys, "platform", "emscripten")
    browser = importlib.reload(runtime)
    try:
        assert browser.IN_BROWSER and not browser.CAN_START_THREADS
        assert not browser.CAN_START_PROCESSES
        assert browser.skipped_in_browser("a browser tab cannot start MPI processes") is True
        out = capsys.readouterr().out
        assert out.startswith("Skipped in the browser: a browser tab cannot start MPI processes.")
        assert "site shows" in out
    finally:
        monkeypatch.undo()
        importlib.reload(runtime)
    assert runtime.IN_BROWSER is False
