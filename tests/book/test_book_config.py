"""requirements.txt pins every direct dependency; Binder installs the same; the
single repository setting is well formed."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

import pytest
import yaml

from bookutil import ROOT

REQUIREMENTS = (ROOT / "requirements.txt").read_text().splitlines()
PINS = [l.strip() for l in REQUIREMENTS if l.strip() and not l.strip().startswith(("#", "-"))]


def test_every_requirement_is_pinned_exactly():
    assert PINS
    for line in PINS:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[A-Za-z0-9_.+\-]+", line), f"not pinned with ==: {line}"


def test_stack_is_jupyter_book_1():
    pins = dict(l.split("==") for l in PINS)
    assert pins["jupyter-book"].startswith("1.")
    assert pins["sphinx"].startswith("7.")


def test_this_repository_is_installed_not_pypi_tinytorch():
    local = [l for l in REQUIREMENTS if l.startswith("-e ")]
    assert local == ["-e .[book,fast,mpi]"]
    assert not any(re.match(r"tinytorch\b", l) for l in PINS)
    assert version("optimizers-executably")


@pytest.mark.parametrize("pin", PINS)
def test_environment_matches_the_pins(pin):
    name, wanted = pin.split("==")
    name = name.split("[")[0]
    try:
        installed = version(name)
    except PackageNotFoundError:
        pytest.fail(f"{name} is pinned but not installed: pip install -r requirements.txt")
    assert installed == wanted, f"{name}: installed {installed}, requirements.txt pins {wanted}"


def test_binder_installs_the_pinned_requirements():
    lines = [l.strip() for l in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    assert "-r ../requirements.txt" in lines
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_repository_setting():
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = cfg["repository"]
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo["url"])
    assert repo["branch"]
    assert repo["path_to_book"] == ""   # _config.yml is at the repository root
    launch = cfg["launch_buttons"]
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert launch["binderhub_url"] == "https://mybinder.org"
