"""Forward and backward of small MLPs against values PyTorch 2.13 computed (tools/make_core_fixtures.py)."""
import pathlib

import numpy as np
import pytest

from tinytorch import Tensor, nn
from tinytorch.nn import functional as F

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"


def load(name):
    with np.load(FIXTURES / name) as data:
        fixture = {key: data[key] for key in data.files}
    assert str(fixture["torch_version"]).startswith("2.13"), "fixtures come from PyTorch 2.13"
    return fixture


def linear_layer(weight, bias):
    """A Linear whose parameters are set to the fixture's values (in place, through .data)."""
    layer = nn.Linear(weight.shape[1], weight.shape[0], dtype=weight.dtype)
    layer.weight.data = Tensor(weight)
    layer.bias.data = Tensor(bias)
    return layer


@pytest.mark.parametrize("name, rtol, atol", [
    ("core_mlp_ce_float64.npz", 1e-12, 1e-14),
    ("core_mlp_ce_float32.npz", 2e-5, 1e-6),
])
def test_mlp_cross_entropy_matches_pytorch(name, rtol, atol):
    f = load(name)
    model = nn.Sequential(
        linear_layer(f["in_w1"], f["in_b1"]), nn.ReLU(),
        linear_layer(f["in_w2"], f["in_b2"]), nn.Tanh(),
        linear_layer(f["in_w3"], f["in_b3"]),
    )
    x = Tensor(f["in_x"], requires_grad=True)
    logits = model(x)
    loss = nn.CrossEntropyLoss()(logits, Tensor(f["in_y"]))
    loss.backward()

    assert logits.dtype == f["logits"].dtype
    np.testing.assert_allclose(logits.numpy(), f["logits"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(loss.item(), f["loss"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(x.grad.numpy(), f["grad_x"], rtol=rtol, atol=atol)
    layers = [model[0], model[2], model[4]]
    for k, layer in enumerate(layers, start=1):
        assert layer.weight.grad.dtype == f[f"grad_w{k}"].dtype
        np.testing.assert_allclose(layer.weight.grad.numpy(), f[f"grad_w{k}"], rtol=rtol, atol=atol)
        np.testing.assert_allclose(layer.bias.grad.numpy(), f[f"grad_b{k}"], rtol=rtol, atol=atol)


def test_mlp_mse_matches_pytorch_including_target_gradient():
    f = load("core_mlp_mse_float64.npz")
    model = nn.Sequential(linear_layer(f["in_w1"], f["in_b1"]), nn.Sigmoid(), linear_layer(f["in_w2"], f["in_b2"]))
    x = Tensor(f["in_x"], requires_grad=True)
    target = Tensor(f["in_target"], requires_grad=True)
    prediction = model(x)
    loss = nn.MSELoss()(prediction, target)
    loss.backward()

    np.testing.assert_allclose(prediction.numpy(), f["prediction"], rtol=1e-12)
    np.testing.assert_allclose(loss.item(), f["loss"], rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), f["grad_x"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(target.grad.numpy(), f["grad_target"], rtol=1e-12, atol=1e-15)
    for k, layer in ((1, model[0]), (2, model[2])):
        np.testing.assert_allclose(layer.weight.grad.numpy(), f[f"grad_w{k}"], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.bias.grad.numpy(), f[f"grad_b{k}"], rtol=1e-12, atol=1e-15)


TIE_CASES = {
    "relu": lambda a, b: (a - 1).relu(),
    "abs": lambda a, b: a.abs(),
    "maximum": lambda a, b: a.maximum(b),
    "amax_rows": lambda a, b: a.max(axis=1),
    "amax_all": lambda a, b: a.max(),
    "pow0": lambda a, b: a**0,
    "sqrt_sum": lambda a, b: (a * a + 1).sqrt().sum(0),
}


@pytest.mark.parametrize("case", sorted(TIE_CASES))
def test_gradient_conventions_at_ties_and_kinks_match_pytorch(case):
    """Where finite differences cannot decide (ties, kinks), PyTorch's convention is the reference."""
    f = load("core_tie_conventions.npz")
    a = Tensor(f["a"], requires_grad=True)
    b = Tensor(f["b"], requires_grad=True)
    y = TIE_CASES[case](a, b)
    y.backward(Tensor(np.ones(y.shape)))
    np.testing.assert_array_equal(y.numpy(), f[f"{case}_value"])
    np.testing.assert_array_equal(a.grad.numpy(), f[f"{case}_grad_a"])
    grad_b = b.grad.numpy() if b.grad is not None else np.zeros_like(f["b"])
    np.testing.assert_array_equal(grad_b, f[f"{case}_grad_b"])


def test_functional_cross_entropy_is_the_module():
    f = load("core_mlp_ce_float64.npz")
    logits = Tensor(f["logits"])
    assert F.cross_entropy(logits, f["in_y"]).item() == nn.CrossEntropyLoss()(logits, f["in_y"]).item()
