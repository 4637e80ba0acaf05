"""Every bad-input rule: the exception type and a message that names the problem."""
import re

import numpy as np
import pytest

from tinytorch import Tensor, nn
from tinytorch.core.gradcheck import gradcheck
from tinytorch.data import DataLoader, TensorDataset
from tinytorch.nn import functional as F


@pytest.mark.parametrize("data, name", [
    ("abc", "str"), (None, "NoneType"), ({"a": 1}, "dict"), (object(), "object"), ({1.0}, "set"),
])
def test_non_numeric_data_is_a_type_error_naming_the_type(data, name):
    with pytest.raises(TypeError, match=f"Tensor data must be a number, .* not {name}$"):
        Tensor(data)


def test_non_numeric_list_elements_are_named():
    with pytest.raises(TypeError, match="got a list containing str"):
        Tensor([1.0, "2"])
    with pytest.raises(TypeError, match="got a list containing NoneType"):
        Tensor([[1.0, None]])
    with pytest.raises(TypeError, match="got an array of dtype <U1"):
        Tensor(np.array(["a"]))


def test_ragged_list_is_a_value_error():
    with pytest.raises(ValueError, match="ragged nested list: every row must have the same length"):
        Tensor([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("a_shape, b_shape", [((2, 3), (4, 5)), ((3,), (2,)), ((5, 2, 3), (4,)), ((2, 3), (2, 3))])
def test_matmul_of_incompatible_shapes_names_both(a_shape, b_shape):
    a, b = Tensor(np.ones(a_shape)), Tensor(np.ones(b_shape))
    with pytest.raises(ValueError, match=re.escape(f"matmul: shapes {a_shape} and {b_shape} do not align")):
        a @ b


def test_matmul_needs_dimensions_and_broadcastable_batches():
    with pytest.raises(ValueError, match=r"need at least 1 dimension, got shapes \(\) and \(3,\)"):
        Tensor(2.0) @ Tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"batch dimensions of shapes \(2, 1, 3\) and \(3, 3, 1\) do not broadcast"):
        Tensor(np.ones((2, 1, 3))) @ Tensor(np.ones((3, 3, 1)))


def test_elementwise_broadcast_failure_names_the_op_and_shapes():
    with pytest.raises(ValueError, match=r"^add: shapes \(3, 2\) and \(3,\) do not broadcast together$"):
        Tensor(np.ones((3, 2))) + Tensor(np.ones(3))


def test_backward_on_non_scalar_needs_a_gradient():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    expected = r"backward\(\) needs a scalar output or an explicit gradient: .*shape \(2,\)"
    with pytest.raises(RuntimeError, match=expected):
        y.backward()
    with pytest.raises(ValueError, match=r"gradient shape \(3,\) does not match the tensor's shape \(2,\)"):
        y.backward(Tensor([1.0, 1.0, 1.0]))


def test_backward_without_any_grad_input():
    with pytest.raises(RuntimeError, match="does not require grad"):
        (Tensor([1.0]) * 2).sum().backward()


def test_grad_assignment_rules():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="grad must be a Tensor, a NumPy array or None, got list"):
        w.grad = [1.0, 1.0]
    with pytest.raises(TypeError, match=f"grad has dtype int64, but the tensor has dtype {w.dtype}"):
        w.grad = np.ones(2, dtype=np.int64)
    with pytest.raises(ValueError, match=r"grad of shape \(3,\) does not match the tensor's shape \(2,\)"):
        w.grad = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"grad of shape \(3,\) does not match the tensor's shape \(2,\)"):
        w.grad = np.ones(3, dtype=w.dtype)
    assert w.grad is None  # nothing was stored
    w.grad = np.array([0.5, -1.0], dtype=w.dtype)  # TinyTorch's code assigns arrays
    assert isinstance(w.grad, Tensor) and w.grad.tolist() == [0.5, -1.0]
    assert isinstance(w.data.copy(), np.ndarray) and w.data.copy().tolist() == [1.0, 2.0]


def test_data_assignment_with_wrong_shape_changes_nothing():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"cannot assign .data of shape \(3,\) to a tensor of shape \(2,\)"):
        w.data = Tensor([1.0, 2.0, 3.0])
    assert w.tolist() == [1.0, 2.0]


def test_scalar_conversions_of_many_elements():
    with pytest.raises(ValueError, match=r"item\(\) needs a tensor with one element, got shape \(2,\)"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="truth value of a tensor with 2 elements is ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_requires_grad_only_changes_on_leaves():
    y = Tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="requires_grad can only be changed on leaf tensors"):
        y.requires_grad = False


@pytest.mark.parametrize("bad", [0, -3])
def test_dataloader_batch_size_must_be_positive(bad):
    ds = TensorDataset(Tensor(np.zeros((4, 2))))
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer, got {bad}"):
        DataLoader(ds, batch_size=bad)


def test_dataloader_argument_types():
    ds = TensorDataset(Tensor(np.zeros((4, 2))))
    with pytest.raises(TypeError, match="batch_size must be a positive integer, got float"):
        DataLoader(ds, batch_size=2.5)
    with pytest.raises(TypeError, match="DataLoader needs a dataset with __len__ and __getitem__, got int"):
        DataLoader(5, batch_size=2)


def test_mse_loss_with_mismatched_shapes_names_both():
    with pytest.raises(ValueError, match=r"prediction shape \(4, 1\) and target shape \(4,\) differ"):
        nn.MSELoss()(Tensor(np.zeros((4, 1))), Tensor(np.zeros(4)))


def test_cross_entropy_with_mismatched_shapes_names_both():
    expected = r"logits of shape \(N, C\) and targets of shape \(N,\), got \(4, 3\) and \(5,\)"
    with pytest.raises(ValueError, match=expected):
        nn.CrossEntropyLoss()(Tensor(np.zeros((4, 3))), Tensor(np.zeros(5, dtype=np.int64)))
    with pytest.raises(ValueError, match=r"got \(3,\) and \(\)"):
        F.cross_entropy(Tensor(np.zeros(3)), np.int64(1))


def test_cross_entropy_target_type_and_range():
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="integer class indices as targets, got dtype float32"):
        F.cross_entropy(logits, Tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="target class 3 is out of range for 3 classes"):
        F.cross_entropy(logits, np.array([0, 3]))


def test_unknown_reduction():
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")


def test_linear_layer_arguments_and_input_width():
    with pytest.raises(ValueError, match="in_features must be a positive integer, got 0"):
        nn.Linear(0, 3)
    layer = nn.Linear(4, 2)
    with pytest.raises(ValueError, match=r"input of shape \(5, 3\) does not fit a weight of shape \(2, 4\)"):
        layer(Tensor(np.zeros((5, 3))))


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match="Sequential takes Modules, got function"):
        nn.Sequential(lambda x: x)


def test_permute_needs_every_axis_once():
    with pytest.raises(ValueError, match=r"permute needs each of the 2 axes once, got \(0, 0\)"):
        Tensor(np.zeros((2, 3))).permute(0, 0)


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="gradcheck needs float64 inputs; input 0 is float32"):
        gradcheck(lambda x: x * 2, Tensor([1.0], requires_grad=True))


def test_gradcheck_catches_a_wrong_gradient():
    from tinytorch.core.tensor import apply_op

    def wrong_square(x):
        return x * x, (lambda g: g * x,)  # missing the factor 2

    with pytest.raises(AssertionError, match="gradient of input 0 differs from finite differences"):
        gradcheck(lambda x: apply_op(wrong_square, (x,)), Tensor(np.array([1.0, 2.0]), requires_grad=True))
