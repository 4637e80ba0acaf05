"""Muon against torch.optim.Muon (tests/fixtures/muon_parity.json).

torch runs the Newton–Schulz iteration in bfloat16. tinytorch's default runs it in
the parameter's dtype; the fixture also holds torch's own code with the bfloat16
cast removed, a float64 reference that the default path must match to round-off.
``ns_dtype="bfloat16"`` must match torch's real steps within a tolerance derived
from bfloat16's precision: at most 2 ulps (2 · 2⁻⁸ relative to 1, the size of an
orthogonalised entry) of every update, times the step's learning rate, per step.
"""
import json
import math
import pathlib
import re
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinytorch.core.tensor import Tensor
from tinytorch.optim import Muon
from tinytorch.optim.muon import adjusted_lr, newton_schulz

FIXTURE = json.loads((pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "muon_parity.json").read_text())
BF16_ULP = 2.0 ** -8


def replay(config, record, ns_dtype):
    params = [Tensor(np.array(a), requires_grad=True) for a in record["init"]]
    opt = Muon(params, ns_dtype=ns_dtype, **config["kwargs"])
    trajectory = []
    for row in record["grads"]:
        for p, g in zip(params, row):
            p.grad = Tensor(np.array(g))
        opt.step()
        trajectory.append(np.concatenate([p.numpy().ravel() for p in params]))
    return np.array(trajectory)


def flat(trajectory):
    return np.array([np.concatenate([np.ravel(x) for x in step]) for step in trajectory])


@pytest.mark.parametrize("config", FIXTURE["configs"], ids=lambda c: c["name"])
def test_float64_iteration_matches_the_float64_reference_to_round_off(config):
    ours = replay(config, config["float64"], None)
    assert np.max(np.abs(ours - flat(config["float64"]["trajectory"]))) <= 1e-12


@pytest.mark.parametrize("config", FIXTURE["configs"], ids=lambda c: c["name"])
def test_bfloat16_iteration_matches_torchs_muon(config):
    ours = replay(config, config["bfloat16"], "bfloat16")
    theirs = flat(config["bfloat16"]["trajectory"])
    lr = config["kwargs"].get("lr", 1e-3)
    rate = max(adjusted_lr(lr, config["kwargs"].get("adjust_lr_fn"), s) for s in [(3, 5), (6, 4)])
    steps = np.arange(1, len(theirs) + 1)[:, None]
    assert np.all(np.abs(ours - theirs) <= steps * rate * 2 * BF16_ULP)
    # and bfloat16 really is coarser than float64: torch's two runs differ visibly
    assert np.max(np.abs(theirs - flat(config["float64"]["trajectory"]))) > 1e-6


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(2, 12), cols=st.integers(2, 12), seed=st.integers(0, 2 ** 16))
def test_newton_schulz_squeezes_the_singular_values_towards_one(rows, cols, seed):
    """Five quintic steps lift every singular value that is not tiny compared with
    ‖G‖_F into about [0.7, 1.2] (PyTorch's coefficients aim for speed, not exactly 1),
    keep the singular vectors, and never overshoot."""
    G = np.random.default_rng(seed).standard_normal((rows, cols))
    U, before, Vt = np.linalg.svd(G, full_matrices=False)
    after = np.linalg.svd(newton_schulz(G), compute_uv=False)
    assert after.max() < 1.3
    relative = before / np.linalg.norm(G)
    assert np.all(after[relative >= 0.05] > 0.6)
    # the same singular directions: O = U diag(f(sigma)) V^T
    O = newton_schulz(G)
    np.testing.assert_allclose(U.T @ O @ Vt.T, np.diag(np.diag(U.T @ O @ Vt.T)), atol=1e-10)


def test_only_matrices_with_torchs_message():
    with pytest.raises(ValueError, match=re.escape(
            "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([4])")):
        Muon([Tensor(np.zeros(4), requires_grad=True)])


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr=-1.0), "Learning rate should be >= 0 but is: -1.0"),
    (dict(momentum=-0.5), "momentum should be >= 0 but is: -0.5"),
    (dict(weight_decay=-0.1), "weight decay should be >= 0 but is: -0.1"),
    (dict(adjust_lr_fn="spectral"), "Adjust learning rate function spectral is not supported"),
    (dict(ns_steps=100), "Number of steps must be less than 100 for computational efficiency"),
    (dict(ns_dtype="float16"), "ns_dtype must be None or 'bfloat16', but got 'float16'"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        Muon([Tensor(np.zeros((2, 3)), requires_grad=True)], **kwargs)


def test_bfloat16_without_ml_dtypes_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)
    with pytest.raises(ImportError, match="pip install ml_dtypes"):
        Muon([Tensor(np.zeros((2, 3)), requires_grad=True)], ns_dtype="bfloat16")


def test_lr_adjustments_are_torchs():
    assert adjusted_lr(0.1, None, (8, 2)) == pytest.approx(0.2)
    assert adjusted_lr(0.1, "original", (2, 8)) == pytest.approx(0.1)
    assert adjusted_lr(0.1, "match_rms_adamw", (2, 8)) == pytest.approx(0.1 * 0.2 * math.sqrt(8))
