"""Fused optimizer steps: one parallel pass over memory per parameter.

The NumPy path of an Adam step is a dozen ufunc calls; each reads and writes
whole arrays, so a step on 10 million parameters streams about 20 arrays'
worth of memory.  A fused kernel reads p, g, m, v once and writes p, m, v
once (28 bytes per float32 parameter), the least any Adam step can move.

The kernels are JIT-compiled with numba (the optional extra
``optimizers-executably[fast]``).  numba is imported lazily, the first time a
fused step runs, so tinytorch itself needs only NumPy.  Without numba a fused
step RAISES ImportError rather than quietly falling back: someone who asked
for ``fused=True`` wants the fast path, and a silent fallback would hide a
10x slowdown.  ``fused_available()`` lets callers check first.

Exactness: every kernel performs PyTorch's operations in PyTorch's order
(``torch.optim.adam._single_tensor_adam`` and ``sgd._single_tensor_sgd``:
``exp_avg.lerp_``, ``addcmul_``, ``addcdiv_``...), one rounding per
operation, in the parameter's own dtype: the Python-float hyperparameters
are rounded to that dtype first, as NumPy does with a float32 array times a
Python float.  numba contracts nothing into fused multiply-adds unless
fastmath is on (it is off here), so the kernels equal the same operations
written as NumPy ufuncs (tinytorch/profiling/reference_steps.py) to the last bit, in
float32 and float64; tests/systems checks that, and agreement with the
optimizers' own NumPy path (which orders a few Adam operations differently)
to round-off.  (torch's own CPU kernels do use FMAs and a sqrt that is not
always correctly rounded, so nothing NumPy-based matches torch to the bit.)
"""
from __future__ import annotations

import numpy as np

from tinytorch.optim._blocking import MIN_PARALLEL

INSTALL_HINT = (
    "fused=True needs numba: pip install 'optimizers-executably[fast]' "
    "(or pip install numba)"
)

_kernels = None  # (adam, sgd) once compiled; see _load()


def fused_available() -> bool:
    """True when numba can be imported, i.e. when fused steps can run."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _load():
    """Import numba and build the kernels, once per process.

    cache=True stores the machine code next to this file (or in numba's
    user cache when that directory is read-only), so later processes skip
    the ~1 s compile; the first call in a process still costs the import
    and the cache load, which benchmarks must warm up outside timing.
    """
    global _kernels
    if _kernels is not None:
        return _kernels
    try:
        import numba
    except ImportError as err:
        raise ImportError(INSTALL_HINT) from err

    # error_model="numpy": x/0 gives inf or nan as in NumPy and torch, never
    # ZeroDivisionError (and the loop needs no zero checks, so it vectorizes).
    @numba.njit(parallel=True, cache=True, error_model="numpy")
    def adam_kernel(p, g, m, v, vmax, neg_step_size, weight, one_minus_weight,
                    beta2, one_minus_beta2, bc2_sqrt, eps, weight_decay,
                    decay_factor, amsgrad, maximize, decoupled):
        # One iteration = one parameter, every line one torch operation.
        for i in numba.prange(p.size):
            gi = -g[i] if maximize else g[i]
            pi = p[i]
            if decoupled:                    # AdamW: param.mul_(1 - lr*wd)
                pi = pi * decay_factor
            elif weight_decay != 0:          # Adam: grad.add(param, alpha=wd)
                gi = gi + weight_decay * pi
            mi = m[i]                        # exp_avg.lerp_(grad, 1 - beta1)
            if weight < 0.5:                 # torch's two-sided lerp formula
                mi = mi + weight * (gi - mi)
            else:
                mi = gi - (gi - mi) * one_minus_weight
            # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
            vi = v[i] * beta2 + (one_minus_beta2 * gi) * gi
            m[i] = mi
            v[i] = vi
            if amsgrad:                      # torch.maximum(vmax, v): NaN wins
                vm = vmax[i]
                if vi > vm or vi != vi:
                    vm = vi
                vmax[i] = vm
                vi = vm
            denom = np.sqrt(vi) / bc2_sqrt + eps
            # param.addcdiv_(exp_avg, denom, value=-step_size)
            p[i] = pi + (neg_step_size * mi) / denom

    @numba.njit(parallel=True, cache=True, error_model="numpy")
    def sgd_kernel(p, g, buf, neg_lr, momentum, one_minus_dampening,
                   weight_decay, nesterov, maximize, init_buffer):
        for i in numba.prange(p.size):
            gi = -g[i] if maximize else g[i]
            pi = p[i]
            if weight_decay != 0:            # grad = grad.add(param, alpha=wd)
                gi = gi + weight_decay * pi
            if momentum != 0:
                if init_buffer:              # buf = grad.clone(): no dampening
                    bi = gi
                else:                        # buf.mul_(mu).add_(grad, 1-damp.)
                    bi = buf[i] * momentum + one_minus_dampening * gi
                buf[i] = bi
                if nesterov:                 # grad = grad.add(buf, alpha=mu)
                    gi = gi + momentum * bi
                else:
                    gi = bi
            p[i] = pi + neg_lr * gi          # param.add_(grad, alpha=-lr)

    _kernels = (adam_kernel, sgd_kernel)
    return _kernels


def _run(kernel, size, *args):
    """Run a parallel kernel on only as many threads as get MIN_PARALLEL elements each.

    The blocked NumPy path follows the same rule. Waking a second thread costs a few
    microseconds on a quiet machine, but a scheduler time slice when that core is busy:
    measured here with two busy processes, a 1000-element Adam step took 8 ms at the
    90th percentile on two threads and 16 us on one.
    """
    import numba

    numba.set_num_threads(max(1, min(numba.config.NUMBA_NUM_THREADS, size // MIN_PARALLEL)))
    kernel(*args)


def _flat(name, a, dtype):
    """The 1-D view a kernel works on; refuses anything it would have to copy."""
    if not isinstance(a, np.ndarray) or a.dtype != dtype:
        raise TypeError(f"fused step: {name} must be a {dtype} ndarray, got "
                        f"{getattr(a, 'dtype', type(a).__name__)}")
    if not a.flags.c_contiguous:
        raise ValueError(f"fused step: {name} must be C-contiguous (a copy would not update in place)")
    return a.reshape(-1)


def _check(param, named):
    dtype = param.dtype
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"fused step supports float32 and float64 parameters, got {dtype}")
    flat = {name: _flat(name, a, dtype) for name, a in named.items()}
    for name, a in flat.items():
        if a.size != param.size:
            raise ValueError(f"fused step: {name} has {a.size} elements, param has {param.size}")
    return dtype, flat


def adam_step_(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq=None, *, step,
               lr, beta1, beta2, eps, weight_decay=0.0, amsgrad=False,
               maximize=False, decoupled_weight_decay=False):
    """One Adam (or AdamW, with decoupled_weight_decay=True) step, in place.

    `step` is the step count AFTER incrementing (1 on the first step), as in
    torch.  `grad` is only read.  `max_exp_avg_sq` is needed when amsgrad.
    """
    if amsgrad and max_exp_avg_sq is None:
        raise ValueError("amsgrad=True needs max_exp_avg_sq")
    adam_kernel, _ = _load()
    named = dict(param=param, grad=grad, exp_avg=exp_avg, exp_avg_sq=exp_avg_sq)
    if amsgrad:
        named["max_exp_avg_sq"] = max_exp_avg_sq
    dtype, f = _check(param, named)
    # Scalars exactly as torch forms them: in Python floats (double) ...
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    weight = 1 - beta1
    c = dtype.type  # ... then rounded once to the parameter dtype
    vmax = f["max_exp_avg_sq"] if amsgrad else f["exp_avg_sq"][:0]
    _run(adam_kernel, param.size,
         f["param"], f["grad"], f["exp_avg"], f["exp_avg_sq"], vmax,
         c(-step_size), c(weight), c(1) - c(weight), c(beta2), c(1 - beta2),
         c(bias_correction2 ** 0.5), c(eps), c(weight_decay),
         c(1 - lr * weight_decay), bool(amsgrad), bool(maximize),
         bool(decoupled_weight_decay and weight_decay != 0))


def sgd_step_(param, grad, momentum_buffer=None, *, lr, momentum=0.0,
              dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False,
              init_buffer=False):
    """One SGD step, in place.

    With momentum, `momentum_buffer` must be a preallocated array; pass
    init_buffer=True on the step where torch would create it (it is then
    filled with the gradient, undampened, as torch's ``grad.clone()``).
    """
    _, sgd_kernel = _load()
    named = dict(param=param, grad=grad)
    if momentum != 0:
        if momentum_buffer is None:
            raise ValueError("momentum != 0 needs a momentum_buffer array")
        named["momentum_buffer"] = momentum_buffer
    dtype, f = _check(param, named)
    c = dtype.type
    buf = f["momentum_buffer"] if momentum != 0 else f["param"][:0]
    _run(sgd_kernel, param.size,
         f["param"], f["grad"], buf, c(-lr), c(momentum), c(1 - dampening),
         c(weight_decay), bool(nesterov), bool(maximize), bool(init_buffer))
