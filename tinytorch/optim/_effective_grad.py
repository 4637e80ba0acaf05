"""The gradient every update rule starts from: g = ±∇ + λ·p."""
from __future__ import annotations

import numpy as np


def effective_grad(param, grad, weight_decay, maximize, *, out, tmp):
    """g = −∇ if maximize else ∇, then g = g + weight_decay · p (coupled L2 decay).

    Returns ``grad`` itself when neither applies (it is only ever read), else ``out``,
    which holds g; ``tmp`` is clobbered. Both are arrays shaped like ``param``.
    """
    g = grad
    if maximize:                                   # g = -grad
        g = np.negative(grad, out=out)
    if weight_decay != 0:                          # g = g + wd * p
        np.multiply(param, weight_decay, out=tmp)
        g = np.add(g, tmp, out=out)
    return g
