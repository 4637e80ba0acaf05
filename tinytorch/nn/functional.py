"""Functions behind the layers and losses (PyTorch's torch.nn.functional).

`linear`, `mse_loss` and `cross_entropy` are single graph nodes with their own
backward (fused): fewer Python-level steps per batch, and the cross-entropy
gradient softmax(z) − onehot(y) is computed directly instead of through log/exp.
"""
import numpy as np

from ..core.autograd import relu, sigmoid, tanh  # noqa: F401  (re-exported)
from ..core.tensor import Tensor, apply_op, as_tensor

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _accumulator(a):
    """The dtype a sum of `a` runs in: float32 for float16, as a GPU kernel does.

    A running sum kept in float16 stops growing once the spacing of float16
    numbers exceeds what is added (4096 ones sum to 2048 along an axis).
    """
    return np.float32 if a.dtype == np.float16 else None


# ------------------------------------------------------------------ linear
def _linear(x, weight, bias=None):
    """y = x Wᵀ + b;   ∂L/∂x = g W,  ∂L/∂W = gᵀ x,  ∂L/∂b = Σ_rows g (rows = all leading axes)."""
    y = x @ weight.T
    if bias is not None:
        y += bias

    def rows(a):
        return a if a.ndim == 2 else a.reshape(-1, a.shape[-1])

    return y, (
        lambda g: g @ weight,
        lambda g: rows(g).T @ rows(x),
        lambda g: rows(g).sum(axis=0, dtype=_accumulator(g)).astype(g.dtype),
    )


def linear(x, weight, bias=None):
    """x Wᵀ + b with W of shape (out_features, in_features), as in PyTorch."""
    x = as_tensor(x)
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} does not fit a weight of shape {weight.shape} "
            f"(the input's last axis must be {weight.shape[1]})"
        )
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return apply_op(_linear, inputs)


# ------------------------------------------------------------------ activations
# relu, sigmoid and tanh are the autograd layer's functions (imported above).
def softmax(x, axis=-1):
    return as_tensor(x).softmax(axis)


def log_softmax(x, axis=-1):
    return as_tensor(x).log_softmax(axis)


# ------------------------------------------------------------------ losses
def _reduce(values, reduction):
    """Reduce an array of losses (or a Tensor of them, BCELoss's graph)."""
    if reduction == "none":
        return values
    if isinstance(values, np.ndarray):
        total = values.sum(dtype=_accumulator(values)).astype(values.dtype)
    else:
        total = values.sum()
    if reduction == "mean":
        return total / values.size  # ndarray.mean() adds microseconds of Python overhead
    return total


def _mse(prediction, target, reduction):
    """ℓ = (p − t)², reduced;   ∂ℓ/∂p = 2(p − t) (÷ n for the mean),  ∂ℓ/∂t = −∂ℓ/∂p."""
    diff = prediction - target
    scale = 2 / diff.size if reduction == "mean" else 2

    def grad_prediction(g):
        return (g * scale) * diff

    return _reduce(diff * diff, reduction), (grad_prediction, lambda g: -grad_prediction(g))


def mse_loss(prediction, target, reduction="mean"):
    """Mean (or sum, or none) of the squared differences; the shapes must be equal."""
    _check_reduction(reduction)
    prediction, target = as_tensor(prediction), as_tensor(target)
    if prediction.shape != target.shape:
        raise ValueError(
            f"mse_loss: prediction shape {prediction.shape} and target shape {target.shape} differ "
            "(reshape one of them; silent broadcasting would compute a different loss)"
        )
    return apply_op(_mse, (prediction, target), reduction)


def _cross_entropy(logits, classes, reduction):
    """ℓᵢ = log Σⱼ e^zᵢⱼ − zᵢ,yᵢ;   ∂ℓᵢ/∂zᵢ = softmax(zᵢ) − onehot(yᵢ).

    Shifting each row by its maximum leaves ℓ unchanged and keeps exp() finite
    (the log-sum-exp trick).
    """
    n = logits.shape[0]
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    losses = -log_probs[rows, classes]

    def grad_logits(g):
        grad = np.exp(log_probs)
        grad[rows, classes] -= 1
        if reduction == "none":
            return grad * g[:, None]
        return grad * (g / n if reduction == "mean" else g)

    return _reduce(losses, reduction), (grad_logits, None)


def cross_entropy(logits, target, reduction="mean"):
    """Softmax cross-entropy of logits (N, C) against integer classes (N,), averaged by default."""
    _check_reduction(reduction)
    logits = as_tensor(logits)
    classes = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    if classes.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy expects integer class indices as targets, got dtype {classes.dtype}"
        )
    if logits.ndim != 2 or classes.shape != logits.shape[:1]:
        raise ValueError(
            f"cross_entropy expects logits of shape (N, C) and targets of shape (N,), "
            f"got {logits.shape} and {classes.shape}"
        )
    n_classes = logits.shape[1]
    if classes.size and (classes.min() < 0 or classes.max() >= n_classes):
        bad = classes[(classes < 0) | (classes >= n_classes)][0]
        raise ValueError(f"cross_entropy: target class {bad} is out of range for {n_classes} classes")
    return apply_op(_cross_entropy, (logits, as_tensor(classes)), reduction)
