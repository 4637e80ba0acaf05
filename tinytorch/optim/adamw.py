"""AdamW: Adam whose weight decay shrinks the parameter instead of the gradient."""
from __future__ import annotations

from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019), as ``torch.optim.AdamW``.

    Adam with *decoupled* weight decay: before the moment updates, every step
    shrinks the parameter,

    .. math::
        p = p \cdot (1 - γ λ),

    and the gradient that feeds m and v is left alone. (Adam's ``weight_decay``
    instead adds λp to the gradient, where the adaptive scaling then divides it
    away for coordinates with large gradients.) Note the sign: the parameter is
    multiplied by ``1 - lr * weight_decay``, a number slightly *below* one.

    Same arguments as :class:`Adam` except ``weight_decay`` (default 1e-2)
    and no ``decoupled_weight_decay`` switch: it is always on. ``fused=True``
    as in Adam.
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                 weight_decay=1e-2, amsgrad=False, *, maximize=False,
                 fused=None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad,
                         maximize=maximize, decoupled_weight_decay=True,
                         fused=fused)
