"""Module registration and traversal, Linear initialisation, Sequential, activations and losses."""
import math

import numpy as np
import pytest

import tinytorch
from tinytorch import Tensor, nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.scale = nn.Parameter(np.ones(1))
        self.out = nn.Linear(4, 2)
        self.constant = Tensor([1.0])  # no grad: not a parameter

    def forward(self, x):
        return self.out(self.hidden(x).relu() * self.scale)


def test_parameters_in_registration_order_weight_before_bias():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    # PyTorch's order: a module's own parameters, then each submodule's, depth first.
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    params = list(model.parameters())
    assert params[1] is model.hidden.weight and params[2] is model.hidden.bias
    assert all(p.is_leaf and p.requires_grad for p in params)


def test_shared_parameters_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_reassigning_an_attribute_replaces_the_registration():
    model = TwoLayer()
    model.scale = None
    assert "scale" not in dict(model.named_parameters())


def test_module_must_be_initialised_before_registering():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Broken()


def test_zero_grad_sets_to_none_or_zero():
    model = TwoLayer()
    model(Tensor(np.ones((5, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not p.grad.numpy().any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_linear_default_init_is_pytorchs_uniform_bound():
    tinytorch.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p, shape in ((layer.weight, (300, 400)), (layer.bias, (300,))):
        assert p.shape == shape and p.dtype == np.float32
        assert np.abs(p.numpy()).max() <= bound
        assert np.abs(p.numpy()).max() > 0.99 * bound  # fills the interval
    # Uniform on ±b has variance b²/3.
    assert layer.weight.numpy().var() == pytest.approx(bound**2 / 3, rel=0.02)


def test_linear_forward_and_options():
    layer = nn.Linear(3, 2, bias=False, dtype=np.float64)
    assert layer.bias is None and [n for n, _ in layer.named_parameters()] == ["weight"]
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(layer(x).numpy(), x @ layer.weight.numpy().T)
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"
    assert nn.Dense is nn.Linear


def test_sequential_accepts_layers_or_a_list():
    tinytorch.manual_seed(1)
    a = nn.Sequential(nn.Dense(2, 3), nn.ReLU(), nn.Dense(3, 1))
    tinytorch.manual_seed(1)
    b = nn.Sequential([nn.Dense(2, 3), nn.ReLU(), nn.Dense(3, 1)])
    x = Tensor([[0.5, -1.0]])
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    assert len(a) == 3 and isinstance(a[1], nn.ReLU) and len(a[:2]) == 2
    assert repr(a).splitlines()[1] == "  (0): Linear(in_features=2, out_features=3, bias=True)"


def test_activation_layers():
    x = Tensor([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(nn.ReLU()(x).numpy(), [0.0, 0.0, 2.0])
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp([1.0, 0.0, -2.0])), rtol=1e-6)
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh([-1.0, 0.0, 2.0]), rtol=1e-6)


def test_losses_have_exact_values():
    logits = Tensor([[0.0, 0.0], [1.0, 3.0]])
    ce = nn.CrossEntropyLoss()(logits, Tensor(np.array([0, 1])))
    assert ce.item() == pytest.approx((math.log(2) + math.log(1 + math.exp(-2))) / 2, rel=1e-6)
    mse = nn.MSELoss()(Tensor([1.0, 2.0]), Tensor([0.0, 4.0]))
    assert mse.item() == 2.5
    assert nn.MSELoss(reduction="sum")(Tensor([1.0, 2.0]), Tensor([0.0, 4.0])).item() == 5.0


def test_state_dict_round_trip():
    model = TwoLayer()
    saved = model.state_dict()
    assert list(saved) == [name for name, _ in model.named_parameters()]
    for p in model.parameters():
        p.numpy()[...] = 0.0
    model.load_state_dict(saved)
    np.testing.assert_array_equal(model.hidden.weight.numpy(), saved["hidden.weight"])
    saved["scale"] = np.ones(3)
    with pytest.raises(ValueError, match=r"'scale' has shape \(3,\), the parameter has shape \(1,\)"):
        model.load_state_dict(saved)


def test_train_eval_flags_and_modules():
    model = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    model.eval()
    assert not any(m.training for m in model.modules())
    assert [name for name, _ in model.named_modules()] == ["", "0", "1"]
