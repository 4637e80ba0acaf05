"""What TinyTorch's own code and tests expect of the framework, kept PyTorch-compatible:
nn.Softmax, nn.Dropout (train/eval), nn.BCELoss (TinyTorch's BinaryCrossEntropyLoss),
Module.parameters() as a list, and PyTorch's method spellings of the operators."""
import math
import re

import numpy as np
import pytest

import tinytorch
from tinytorch import Tensor, nn
from tinytorch.core.gradcheck import gradcheck


def test_parameters_is_a_list_that_can_be_reused():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    params = model.parameters()
    assert isinstance(params, list) and len(params) == 4
    assert params + [] == list(model.parameters()) and params[0] is model[0].weight


def test_operator_methods_match_the_operators():
    a = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    b = Tensor(np.array([[0.5, -1.0], [2.0, 1.0]]))
    for method, expected in [(a.add(b), a.numpy() + b.numpy()), (a.sub(b), a.numpy() - b.numpy()),
                             (a.mul(b), a.numpy() * b.numpy()), (a.div(b), a.numpy() / b.numpy()),
                             (a.matmul(b), a.numpy() @ b.numpy()),
                             (a.add(b, alpha=2), a.numpy() + 2 * b.numpy())]:
        np.testing.assert_array_equal(method.numpy(), expected)


def test_softmax_layer():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 5)))
    out = nn.Softmax(dim=1)(x).numpy()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(out, np.exp(x.numpy()) / np.exp(x.numpy()).sum(1, keepdims=True))


def test_dropout_scales_in_training_and_is_the_identity_in_eval():
    tinytorch.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = Tensor(np.ones((200, 50)))
    y = drop(x).numpy()
    assert set(np.unique(y)) == {0.0, 1 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.01           # 10,000 draws: sd 0.004
    assert abs(y.mean() - 1.0) < 0.02                     # expectation preserved
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).numpy(), x.numpy())
    drop.train()
    tinytorch.manual_seed(0)
    np.testing.assert_array_equal(nn.Dropout(0.25)(x).numpy(), y)   # seeded: reproducible


def test_dropout_gradient_is_the_mask():
    tinytorch.manual_seed(3)
    x = Tensor(np.ones(8), requires_grad=True)
    y = nn.Dropout(0.5)(x)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_probability_is_checked(p):
    with pytest.raises(ValueError, match=re.escape(
            f"dropout probability has to be between 0 and 1, but got {p}")):
        nn.Dropout(p)


def test_bce_value_and_gradient():
    rng = np.random.default_rng(1)
    p = Tensor(rng.uniform(0.05, 0.95, size=(4, 3)), requires_grad=True)
    y = Tensor(rng.integers(0, 2, size=(4, 3)).astype(np.float64))
    loss = nn.BCELoss()(p, y)
    expected = -np.mean(y.numpy() * np.log(p.numpy()) + (1 - y.numpy()) * np.log(1 - p.numpy()))
    assert float(loss) == pytest.approx(expected, rel=1e-12)
    gradcheck(lambda q: nn.BCELoss(reduction="none")(q, y), p)
    assert nn.BinaryCrossEntropyLoss is nn.BCELoss


def test_bce_clamps_the_log_at_minus_100_like_pytorch():
    p = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    y = Tensor(np.array([1.0, 0.0]))
    loss = nn.BCELoss(reduction="sum")(p, y)
    assert float(loss) == pytest.approx(200.0) and math.isfinite(float(loss))
    loss.backward()
    assert np.all(np.isfinite(p.grad.numpy()))


def test_bce_rejects_values_outside_0_1_and_shape_mismatch():
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        nn.BCELoss()(Tensor(np.array([1.5])), Tensor(np.array([1.0])))
    with pytest.raises(ValueError, match="Using a target size"):
        nn.BCELoss()(Tensor(np.array([0.5, 0.5])), Tensor(np.array([1.0])))
