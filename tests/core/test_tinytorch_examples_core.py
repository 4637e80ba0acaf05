"""TinyTorch's usage of tensors and autograd, run unchanged, with exact expected values.

TinyTorch's optimizers are tested elsewhere (tests/optim/test_tinytorch_examples.py);
here the update steps are written the way TinyTorch's own update code reads.
"""
import numpy as np
import pytest

from tinytorch.core.autograd import Variable, add, multiply, subtract
from tinytorch.core.tensor import Tensor
from tinytorch.data import DataLoader, TensorDataset
from tinytorch.nn import CrossEntropyLoss, Dense, ReLU, Sequential


def gradient_descent_step(parameter, learning_rate):
    """The seed's step, in its second spelling (through .data.data and a new Tensor)."""
    if parameter.grad is not None:
        current_value = parameter.data.data
        gradient_value = parameter.grad.data.data
        new_value = current_value - learning_rate * gradient_value
        parameter.data = Tensor(new_value)


def test_gradient_descent_step_examples():
    w = Variable(2.0, requires_grad=True)
    w.grad = Variable(0.5)
    original_value = w.data.data.item()
    gradient_descent_step(w, learning_rate=0.1)
    assert original_value == 2.0
    assert w.data.data.item() == pytest.approx(1.95, abs=1e-6)

    w2 = Variable(1.0, requires_grad=True)
    w2.grad = Variable(-0.2)
    gradient_descent_step(w2, learning_rate=0.1)
    assert abs(w2.data.data.item() - 1.02) < 1e-6

    w3 = Variable(3.0, requires_grad=True)  # no gradient: no update
    gradient_descent_step(w3, learning_rate=0.1)
    assert w3.data.data.item() == 3.0


def test_readme_one_line_update():
    parameter = Variable([1.0, -1.0])
    parameter.grad = Variable([0.5, 0.25])
    storage = parameter.numpy()
    parameter.data = parameter.data - 0.1 * parameter.grad.data
    np.testing.assert_allclose(parameter.numpy(), [0.95, -1.025], rtol=1e-7)
    assert parameter.numpy() is storage  # same parameter object and storage


def test_scalar_quadratic_with_momentum_matches_the_closed_recurrence():
    """x ← x − lr·v, v ← μv + 2x (heavy ball on x², PyTorch's momentum convention), 100 steps."""
    x = Variable(10.0, requires_grad=True)
    velocity = None
    expected_x, expected_v = np.float32(10.0), None
    for step in range(100):
        x.grad = None
        loss = x**2
        loss.backward()
        g = x.grad.data.data.item()
        velocity = g if velocity is None else 0.9 * velocity + g
        x.data = Tensor(x.data.data.item() - 0.1 * velocity)
        expected_g = 2 * expected_x
        expected_v = expected_g if expected_v is None else np.float32(0.9) * expected_v + expected_g
        expected_x = np.float32(expected_x - np.float32(0.1) * expected_v)
    assert x.item() == pytest.approx(float(expected_x), rel=1e-5, abs=1e-6)
    assert abs(x.item()) < 0.5  # and the oscillating recurrence has in fact settled near the minimum


def test_indexing_a_vector_variable():
    x = Variable([2.0, -3.0], requires_grad=True)
    loss = (x[0] ** 2 + x[1] ** 2).sum()
    loss.backward()
    assert loss.item() == 13.0
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, -6.0])


def test_linear_regression_with_functional_ops():
    """The seed's per-sample loop for y = 2x + 1, with plain SGD (lr 0.01), against NumPy float32."""
    w = Variable(0.1, requires_grad=True)
    b = Variable(0.0, requires_grad=True)
    x_data, y_data = [1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 5.0, 7.0, 9.0, 11.0]
    ref_w, ref_b, lr = np.float32(0.1), np.float32(0.0), np.float32(0.01)
    for epoch in range(60):
        total_loss = 0
        for x_val, y_val in zip(x_data, y_data):
            x = Variable(x_val, requires_grad=False)
            y_target = Variable(y_val, requires_grad=False)
            prediction = add(multiply(w, x), b)
            error = subtract(prediction, y_target)
            loss = multiply(error, error)
            w.grad, b.grad = None, None
            loss.backward()
            total_loss += loss.data.data.item()
            for p in (w, b):
                p.data = p.data - 0.01 * p.grad.data

            ref_error = ref_w * np.float32(x_val) + ref_b - np.float32(y_val)
            ref_w, ref_b = ref_w - lr * (2 * ref_error * np.float32(x_val)), ref_b - lr * (2 * ref_error)
    assert w.data.data.item() == pytest.approx(float(ref_w), rel=1e-5)
    assert b.data.data.item() == pytest.approx(float(ref_b), rel=1e-5)
    assert w.item() == pytest.approx(2.0, abs=0.05) and b.item() == pytest.approx(1.0, abs=0.2)


def numpy_mlp_sgd_step(params, x, y, lr):
    """Hand-derived forward/backward of Dense → ReLU → Dense → mean cross-entropy, then SGD."""
    w1, b1, w2, b2 = params
    h_pre = x @ w1.T + b1
    h = np.maximum(h_pre, 0)
    z = h @ w2.T + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(len(y)), y]).mean()
    dz = p.copy()
    dz[np.arange(len(y)), y] -= 1
    dz /= len(y)
    dh = dz @ w2 * (h_pre > 0)
    grads = (dh.T @ x, dh.sum(0), dz.T @ h, dz.sum(0))
    return [p_ - lr * g for p_, g in zip(params, grads)], loss


def test_training_loop_as_in_the_seed_matches_hand_written_numpy():
    rng = np.random.default_rng(0)
    inputs, targets = rng.standard_normal((12, 4)), rng.integers(0, 3, 12)
    model = Sequential([Dense(4, 5, dtype=np.float64), ReLU(), Dense(5, 3, dtype=np.float64)])
    reference = [p.numpy().copy() for p in model.parameters()]
    criterion = CrossEntropyLoss()
    dataloader = DataLoader(TensorDataset(Tensor(inputs), Tensor(targets)), batch_size=4)

    for epoch in range(2):
        for batch in dataloader:  # the seed's first spelling
            for p in model.parameters():
                p.grad = None
            loss = criterion(model(batch.inputs), batch.targets)
            loss.backward()
            for p in model.parameters():
                p.data = p.data - 0.1 * p.grad.data
            reference, expected_loss = numpy_mlp_sgd_step(reference, batch.inputs.numpy(), batch.targets.numpy(), 0.1)
            assert loss.item() == pytest.approx(expected_loss, rel=1e-12)
        for batch_inputs, batch_targets in dataloader:  # the seed's second spelling
            model.zero_grad()
            loss = criterion(model(batch_inputs), batch_targets)
            loss.backward()
            for p in model.parameters():
                p.data = p.data - 0.1 * p.grad.data
            reference, expected_loss = numpy_mlp_sgd_step(reference, batch_inputs.numpy(), batch_targets.numpy(), 0.1)
            assert loss.item() == pytest.approx(expected_loss, rel=1e-12)

    for p, expected in zip(model.parameters(), reference):
        np.testing.assert_allclose(p.numpy(), expected, rtol=1e-12, atol=1e-14)
