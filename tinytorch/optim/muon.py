"""Muon: momentum, then orthogonalised by a Newton–Schulz iteration (2-D weights only)."""
from __future__ import annotations

import math
import numbers

import numpy as np

from tinytorch.optim._checks import check_flags, check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["Muon", "newton_schulz"]

#: PyTorch's defaults: the quintic's coefficients and its number of steps.
DEFAULT_COEFFICIENTS = (3.4445, -4.7750, 2.0315)
DEFAULT_NS_STEPS = 5
EPS = 1e-7
BFLOAT16_HINT = ("Muon(..., ns_dtype='bfloat16') needs the ml_dtypes package: "
                 "pip install ml_dtypes")


def _bfloat16():
    try:
        from ml_dtypes import bfloat16
    except ImportError:
        raise ImportError(BFLOAT16_HINT) from None
    return bfloat16


def newton_schulz(G, coefficients=DEFAULT_COEFFICIENTS, steps=DEFAULT_NS_STEPS,
                  eps=EPS, bfloat16=False):
    """≈ U Vᵀ for G = U Σ Vᵀ: every singular value pushed towards 1.

    X₀ = G/‖G‖_F, then five times X ← aX + (bA + cA²)X with A = XXᵀ: an odd
    polynomial in X, applied to each singular value. The coefficients trade
    exactness for speed: singular values end up in about [0.7, 1.2], not at 1.

    ``bfloat16=True`` computes as PyTorch's Muon does: every intermediate matrix
    rounded to bfloat16, products accumulated in float32 (needs ml_dtypes).
    Otherwise everything is in G's own dtype.
    """
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 "
                         "for computational efficiency")
    if G.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coefficients
    if bfloat16:
        bf16 = _bfloat16()
        low = lambda x: np.asarray(x, np.float32).astype(bf16)  # noqa: E731
        up = lambda x: x.astype(np.float32)                       # noqa: E731
    else:
        low = up = lambda x: x                                   # noqa: E731
    X = low(G)
    transposed = G.shape[0] > G.shape[1]
    if transposed:                  # iterate on the short side: XXᵀ is small
        X = X.T
    norm = low(np.sqrt(np.sum(up(X) * up(X))))
    X = low(up(X) / max(up(norm), eps))
    for _ in range(steps):
        A = low(up(X) @ up(X).T)
        B = low(b * up(A) + c * (up(A) @ up(A)))
        X = low(a * up(X) + up(B) @ up(X))
    return X.T if transposed else X


def adjusted_lr(lr: float, adjust_lr_fn, shape) -> float:
    """PyTorch's scaling of lr by the matrix's shape (A rows, B columns)."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr


class Muon(Optimizer):
    r"""Muon (Jordan et al., 2024), as ``torch.optim.Muon``.

    For each 2-D parameter W with gradient G:

    .. math::
        B &← μ B + (1 − μ) G \\
        U &= G + μ (B − G) \;\; (\text{Nesterov}) \quad\text{or}\quad U = B \\
        O &= \mathrm{NS}_5(U) \approx \text{the orthogonal factor of } U \\
        W &← W (1 − γλ) − γ' O, \qquad γ' = γ \sqrt{\max(1, \text{rows}/\text{cols})}

    Orthogonalising gives every direction of the update the same size: the
    momentum's few dominant singular directions no longer drown out the rest.

    Args:
        params: 2-D Tensors or parameter-group dicts (others: ValueError, as torch).
        lr: γ (default 1e-3).
        weight_decay: λ, decoupled (default 0.1).
        momentum: μ (default 0.95).
        nesterov: default True.
        ns_coefficients: (a, b, c) of the quintic (default (3.4445, −4.7750, 2.0315)).
        eps: floor of the Frobenius norm (default 1e-7).
        ns_steps: iterations (default 5).
        adjust_lr_fn: None or ``"original"`` (γ' above) or ``"match_rms_adamw"``
            (γ' = 0.2 γ √max(rows, cols), so that AdamW's lr and λ carry over).
        ns_dtype: ``None`` computes Newton–Schulz in the parameter's dtype (readable,
            float64-exact); ``"bfloat16"`` computes it as PyTorch does (needs
            ml_dtypes). Not a PyTorch argument.

    State per parameter: ``momentum_buffer`` (B).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=DEFAULT_COEFFICIENTS, eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None, *, ns_dtype=None) -> None:
        if ns_dtype not in (None, "bfloat16"):
            raise ValueError(f"ns_dtype must be None or 'bfloat16', but got {ns_dtype!r}")
        if ns_dtype == "bfloat16":
            _bfloat16()                         # fail now, with the install hint
        self.ns_dtype = ns_dtype
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": tuple(ns_coefficients),
                    "eps": eps, "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "weight_decay", "momentum", "eps")
        check_flags(group, "nesterov")
        # PyTorch's messages, word for word.
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Learning rate should be >= 0 but is: {group['lr']}")
        if not 0.0 <= group["momentum"]:
            raise ValueError(f"momentum should be >= 0 but is: {group['momentum']}")
        if not 0.0 <= group["weight_decay"]:
            raise ValueError(f"weight decay should be >= 0 but is: {group['weight_decay']}")
        if group["adjust_lr_fn"] not in (None, "original", "match_rms_adamw"):
            raise ValueError(
                f"Adjust learning rate function {group['adjust_lr_fn']} is not supported")
        steps = group["ns_steps"]
        if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
            raise ValueError(f"ns_steps must be a non-negative integer, but got {steps!r}")
        if steps >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        if len(group["ns_coefficients"]) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")
        for p in group.get("params", ()):       # (the defaults have no params)
            if p.ndim != 2:
                raise ValueError("Muon only supports 2D parameters whereas we found a "
                                 f"parameter with size: {_torch_size(p.shape)}")

    def _update(self, param, grad, state, group) -> None:
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = np.zeros_like(grad)
        buf, mu = state["momentum_buffer"], float(group["momentum"])
        buf += (1 - mu) * (grad - buf)         # B = B + (1 - mu)(G - B)
        update = grad + mu * (buf - grad) if group["nesterov"] else buf
        ortho = newton_schulz(update, group["ns_coefficients"], int(group["ns_steps"]),
                              float(group["eps"]), bfloat16=self.ns_dtype == "bfloat16")
        lr = float(group["lr"])
        param *= 1 - lr * float(group["weight_decay"])
        param -= adjusted_lr(lr, group["adjust_lr_fn"], param.shape) * ortho.astype(param.dtype)


def _torch_size(shape) -> str:
    return "torch.Size([" + ", ".join(str(n) for n in shape) + "])"
