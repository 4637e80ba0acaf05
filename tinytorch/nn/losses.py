"""Loss functions as modules: criterion(prediction, target) → scalar Tensor."""
import math

import numpy as np

from ..core.tensor import as_tensor
from .functional import _check_reduction, _reduce, cross_entropy, mse_loss
from .module import Module


class MSELoss(Module):
    """mean((prediction − target)²); prediction and target must have the same shape."""

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, prediction, target):
        return mse_loss(prediction, target, self.reduction)


class CrossEntropyLoss(Module):
    """mean over the batch of −log softmax(logits)[target], for logits (N, C) and integer targets (N,)."""

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits, target):
        return cross_entropy(logits, target, self.reduction)


class BCELoss(Module):
    """Binary cross-entropy of probabilities p ∈ [0, 1] against targets y ∈ [0, 1]:
    −(y log p + (1 − y) log(1 − p)), each log clamped at −100 as in ``torch.nn.BCELoss``
    (so p = 0 or 1 gives a finite loss). Also available as ``BinaryCrossEntropyLoss``.
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, probabilities, target):
        p, y = as_tensor(probabilities), as_tensor(target)
        if p.shape != y.shape:
            raise ValueError(
                f"Using a target size ({y.shape}) that is different to the input size "
                f"({p.shape}) is deprecated. Please ensure they have the same size.")
        probs = p.numpy()
        if np.any((probs < 0) | (probs > 1)) or np.any(np.isnan(probs)):
            raise ValueError("all elements of input should be between 0 and 1")
        # log(max(p, e⁻¹⁰⁰)) = max(log p, −100), and its gradient stays finite at p = 0
        # (there the clamped term passes no gradient; PyTorch's kernel passes ±1e12).
        floor = math.exp(-100.0)
        log_p = p.maximum(floor).log()
        log_not_p = (1 - p).maximum(floor).log()
        return _reduce(-(y * log_p + (1 - y) * log_not_p), self.reduction)


#: TinyTorch's name for the same loss.
BinaryCrossEntropyLoss = BCELoss
