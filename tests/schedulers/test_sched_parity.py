"""Every scheduler reproduces PyTorch 2.13's learning rates (and momenta) to 1e-10.

The expected values were recorded from real torch by tools/make_scheduler_fixtures.py;
this test does not import torch.
"""
import numpy as np
import pytest

from sched_specs import load_parity, run

from tinytorch.optim import lr_scheduler

PARITY = load_parity()
CONFIGS = PARITY["configs"]
TOL = 1e-10


def test_fixture_covers_every_scheduler_class():
    def classes(specs):
        for s in specs:
            yield s["cls"]
            yield from classes(s.get("children", []))

    seen = {c for cfg in CONFIGS for c in classes(cfg["schedulers"])}
    assert seen == set(lr_scheduler.__all__) - {"LRScheduler"}
    assert len(CONFIGS) >= 12
    assert PARITY["torch_version"].startswith("2.13")
    assert all(len(cfg["lr"]) == PARITY["steps"] + 1 for cfg in CONFIGS)


@pytest.mark.parametrize("cfg", CONFIGS, ids=[c["name"] for c in CONFIGS])
def test_learning_rates_match_torch(cfg):
    lrs, moms, last = run(cfg)
    err = np.max(np.abs(np.array(lrs) - np.array(cfg["lr"])))
    assert err <= TOL, f"{cfg['name']}: max |lr - torch| = {err:.3e}"
    assert np.max(np.abs(np.array(last) - np.array(cfg["last_lr"]))) <= TOL


CYCLING_MOMENTUM = [
    c for c in CONFIGS
    if "OneCycle" in str(c["schedulers"])
    or ("CyclicLR" in str(c["schedulers"]) and "'cycle_momentum': False" not in str(c["schedulers"]))
]


@pytest.mark.parametrize("cfg", CYCLING_MOMENTUM, ids=lambda c: c["name"])
def test_cycled_momentum_and_beta1_match_torch(cfg):
    _, moms, _ = run(cfg)
    expected = np.array(cfg["momentum"])
    assert np.ptp(expected) > 0.05  # the fixture really cycles momentum
    assert np.max(np.abs(np.array(moms) - expected)) <= TOL


def test_plateau_fixtures_actually_reduce():
    for cfg in CONFIGS:
        if "metrics" in cfg:
            assert len({tuple(x) for x in cfg["lr"]}) >= 4, cfg["name"]


NEWER_SCHEDULERS = ("MultiplicativeLR", "PolynomialLR", "ChainedScheduler", "CyclicLR")


@pytest.mark.parametrize(
    "cfg", [c for c in CONFIGS if any(n in str(c["schedulers"]) for n in NEWER_SCHEDULERS)],
    ids=lambda c: c["name"])
def test_new_schedulers_are_bit_identical_to_torch(cfg):
    """Same operations in the same order as torch: not just close, equal."""
    lrs, moms, last = run(cfg)
    assert lrs == cfg["lr"]
    assert last == cfg["last_lr"]
    assert moms == cfg["momentum"]
