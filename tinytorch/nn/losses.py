"""Loss functions as modules: criterion(prediction, target) → scalar Tensor."""
from .functional import _check_reduction, cross_entropy, mse_loss
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
