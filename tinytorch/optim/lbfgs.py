"""L-BFGS: a quasi-Newton method that learns the curvature from its last few steps."""
from __future__ import annotations

import numbers

import numpy as np

from tinytorch.optim._checks import check_reals
from tinytorch.optim._spellings import accepts_tinytorch_spellings
from tinytorch.optim.optimizer import Optimizer

__all__ = ["LBFGS"]

#: State entries that are flat vectors over all parameters (not the first one's shape).
FLAT_STATE = ("d", "prev_flat_grad")


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), within bounds."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square ** 0.5
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9,
                  tolerance_change=1e-9, max_ls=25):
    """A step t along d satisfying the strong Wolfe conditions (PyTorch's search):
    sufficient decrease f(x + t d) ≤ f + c1 t gtd, and |g(x + t d)·d| ≤ c2 |gtd|.

    First it grows t until a bracket holds a good step, then it shrinks the bracket
    by cubic interpolation (zoom). Returns (f, g, t, function evaluations).
    """
    d_norm = float(np.max(np.abs(d)))
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:                     # 1. bracketing
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)      # extrapolate
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    insuf_progress = False                      # 2. zoom
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # Stay at least 10 % of the bracket away from its ends.
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = float(g_new @ d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evals


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), as ``torch.optim.LBFGS``.

    Every ``step(closure)`` runs up to ``max_iter`` iterations, each calling
    ``closure()`` (which must zero the gradients, compute the loss, call
    ``backward()`` and return the loss) at least once. An iteration moves
    :math:`p ← p + t\,d` along the quasi-Newton direction

    .. math::
        d = −H_k ∇f, \qquad H_k \text{ from the last ``history_size`` pairs }
        (s_i, y_i) = (Δp_i, Δ∇f_i) \text{ by the two-loop recursion,}

    with :math:`H_0 = (s^\top y / y^\top y) I`. Without a line search t = lr
    (the very first iteration uses min(1, 1/‖∇f‖₁)·lr); with
    ``line_search_fn="strong_wolfe"`` t satisfies the strong Wolfe conditions.
    It stops early when max|∇f| ≤ ``tolerance_grad`` or when the step or the
    change of the loss falls below ``tolerance_change``.

    Args:
        params: Tensors (one group only: no per-parameter options).
        lr: γ (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure calls per ``step`` (default max_iter · 5/4).
        tolerance_grad: default 1e-7.
        tolerance_change: default 1e-9.
        history_size: pairs kept (default 100).
        line_search_fn: None or ``"strong_wolfe"``.

    The state lives with the first parameter, as in PyTorch: ``func_evals``,
    ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
    ``prev_flat_grad``, ``prev_loss`` (and ``al``).
    """

    @accepts_tinytorch_spellings
    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None) -> None:
        if max_eval is None and isinstance(max_iter, numbers.Integral):
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    _ranges_checked_at_step = True         # a bad history_size breaks the step

    def _check_group(self, group: dict) -> None:
        check_reals(group, "lr", "tolerance_grad", "tolerance_change")
        if not 0.0 <= group["lr"]:
            raise ValueError(f"Invalid learning rate: {group['lr']}")
        for name in ("max_iter", "max_eval", "history_size"):
            value = group[name]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, but got {value!r}")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise RuntimeError("only 'strong_wolfe' is supported")

    def add_param_group(self, param_group) -> None:
        if getattr(self, "param_groups", None):
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _state_shape(self, name: str, shape: tuple) -> tuple:
        if name in FLAT_STATE:
            return (sum(p.numpy().size for p in self._params),)
        return super()._state_shape(name, shape)

    @property
    def _params(self) -> list:
        return self.param_groups[0]["params"]

    # ------------------------------------------------------------ flat views
    def _gather_flat_grad(self) -> np.ndarray:
        """Every gradient in one vector (zeros where a gradient is None)."""
        return np.concatenate([
            np.zeros(p.numpy().size, p.dtype) if p.grad is None else p.grad.numpy().ravel()
            for p in self._params])

    def _add_grad(self, step_size: float, update: np.ndarray) -> None:
        """p ← p + step_size · update, over the flat concatenation of the parameters."""
        offset = 0
        for p in self._params:
            values = p.numpy()
            values += step_size * update[offset:offset + values.size].reshape(values.shape)
            offset += values.size

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):      # back to x
            p.numpy()[...] = saved
        return loss, flat_grad

    # ------------------------------------------------------------ the step
    def step(self, closure):
        """Up to ``max_iter`` L-BFGS iterations; returns the loss at the start."""
        if closure is None:
            raise TypeError("LBFGS.step() needs a closure that recomputes the loss "
                            "and the gradients (it calls it several times)")
        group = self.param_groups[0]
        self._check_group(group)
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size, line_search_fn = group["history_size"], group["line_search_fn"]

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.max(np.abs(flat_grad)) <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:            # steepest descent to start
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:                               # remember (s, y) if the curvature is > 0
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = float(y @ s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / float(y @ y)
                # the two-loop recursion: d = -H ∇f
                num_old = len(old_dirs)
                al = state.setdefault("al", [None] * history_size)
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = float(old_stps[i] @ q) * ro[i]
                    q += -al[i] * old_dirs[i]
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = float(old_dirs[i] @ r) * ro[i]
                    r += (al[i] - be_i) * old_stps[i]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(np.sum(np.abs(flat_grad)))) * lr
            else:
                t = lr
            gtd = float(flat_grad @ d)
            if gtd > -tolerance_change:         # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                x_init = [p.numpy().copy() for p in self._params]
                loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                    lambda x, step, direction: self._directional_evaluate(
                        closure, x, step, direction),
                    x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:          # re-evaluate, unless this was the last
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.max(np.abs(flat_grad)) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval:
                break
            if opt_cond:
                break
            if np.max(np.abs(d * t)) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        self._step_count += 1
        return orig_loss
