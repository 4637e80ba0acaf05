"""The Optimizer base class: parameter groups, per-parameter state, checkpoints.

An optimizer is three things, and this class owns all of them:

* ``param_groups``: a list of dicts. Each has ``"params"`` (a list of Tensors) and
  every hyperparameter under PyTorch's name (``"lr"``, ``"momentum"``, ``"betas"``...).
  Groups let one model train its parts with different settings; schedulers rewrite
  ``group["lr"]`` between steps.
* ``state``: a dict from each parameter (the Tensor object itself) to its own dict
  of NumPy arrays, under PyTorch's names (``"momentum_buffer"``, ``"exp_avg"``...).
* ``step()``: check everything first, then update every parameter in place.

A concrete optimizer adds only two methods: ``_check_group(group)``, which raises
on bad hyperparameters, and ``_update(param, grad, state, group)``, which applies
one algorithm to one parameter's arrays by handing its update function to
``self._elementwise``. Everything else (validation order, closures,
``zero_grad``, ``state_dict``/``load_state_dict``, TinyTorch's ``learning_rate``
and ``parameters`` attributes) is shared and written once, here.

How the arithmetic runs is shared too (``_elementwise``). By default the update
function's NumPy ufuncs run over cache-sized blocks of the arrays, spread over
the CPU cores, with fixed scratch buffers (``tinytorch.optim._blocking``): the
same operations on every element in the same order, so the result is identical
to one call on the whole arrays, and a step allocates no arrays. With
``fused=True`` (SGD, Adam, AdamW) a compiled numba kernel does the whole update
in one pass over memory instead (``tinytorch.optim._fused``).

The one rule that shapes ``step``: **bad input loses nothing.** Every group and
every gradient is checked before the first parameter is touched, so a step that
raises leaves every parameter and all state exactly as they were. (Ranges, such
as lr >= 0, are checked where PyTorch checks them, at construction and in
``add_param_group``; a value a scheduler writes later is used as written.) The same holds
for ``load_state_dict`` and ``add_param_group``.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.optim import _fused
from tinytorch.optim._blocking import BlockRunner
from tinytorch.optim._checks import typename
from tinytorch.optim._spellings import translate_group_spellings
from tinytorch.optim._tinytorch_views import TinyTorchViews
from tinytorch.optim._state_dict import SCALAR_STATE, packed_state_dict, unpacked_state_dict

__all__ = ["Optimizer"]

_SETS_MESSAGE = (
    "optimizer parameters need to be organized in ordered collections, but the ordering "
    "of tensors in sets will change between runs. Please use a list instead."
)


def _checked_fused(fused) -> bool:
    """The ``fused`` switch as a bool; True needs numba (ImportError saying how to get it)."""
    if fused is not None and not isinstance(fused, (bool, np.bool_)):
        raise TypeError(f"fused must be True, False or None, but got {type(fused).__name__} {fused!r}")
    if fused and not _fused.fused_available():
        raise ImportError(_fused.INSTALL_HINT)
    return bool(fused)


def _as_group_list(params) -> list:
    """``params`` as a list of parameter-group dicts (PyTorch's rules, clearer errors)."""
    expected = "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
    if isinstance(params, Tensor):
        raise TypeError(expected + typename(params))
    if isinstance(params, Mapping):
        raise TypeError(expected + "a single dict; wrap a parameter group in a list: [group]")
    if isinstance(params, (set, frozenset)):
        raise TypeError(_SETS_MESSAGE)
    try:
        items = list(params)
    except TypeError:
        raise TypeError(expected + typename(params)) from None
    if len(items) == 0:
        raise ValueError("optimizer got an empty parameter list")
    if not isinstance(items[0], Mapping):
        items = [{"params": items}]
    return items


class Optimizer(TinyTorchViews):
    """Base class of every tinytorch optimizer (PyTorch's ``torch.optim.Optimizer``).

    Args:
        params: an iterable of Tensors, or of dicts (parameter groups) each with a
            ``"params"`` entry and any hyperparameters that override ``defaults``.
        defaults: every hyperparameter with its default value.
        fused: True runs each update as one compiled numba kernel (subclasses
            that offer it pass it on). Needs numba: without it, ImportError.

    Attributes:
        param_groups: list of dicts, see the module docstring.
        state: ``{parameter Tensor: {name: ndarray or float}}``.
        defaults: the constructor's hyperparameters.
        fused: whether updates run as fused kernels (one switch for the whole
            optimizer; PyTorch keeps a copy in every group).
        _step_count: number of completed ``step()`` calls.
    """

    def __init__(self, params, defaults: dict, *, fused=None) -> None:
        self.defaults = dict(defaults)
        self._check_group(self.defaults)
        self.fused = _checked_fused(fused)
        groups = _as_group_list(params)
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        self._step_count = 0
        self._scratch: dict = {}
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ subclass hooks
    def _check_group(self, group: dict) -> None:
        """Raise TypeError/ValueError if a group's hyperparameters are invalid."""
        raise NotImplementedError

    #: True where a value out of range would break the step itself (LBFGS).
    _ranges_checked_at_step = False

    def _check_group_at_step(self, group: dict) -> None:
        """The step's check: types always, ranges only where the step needs them.

        PyTorch checks ranges at construction and in ``add_param_group`` only.
        A scheduler may then write a value the constructor would refuse
        (OneCycleLR cycling Adam's β₁ below ``base_momentum`` = −0.1, say), and
        the step runs with it; so does this one. A value of the wrong type still
        raises here, before anything is modified.
        """
        try:
            self._check_group(group)
        except ValueError:
            if self._ranges_checked_at_step:
                raise

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict, group: dict) -> None:
        """Apply the algorithm to one parameter (arrays updated in place)."""
        raise NotImplementedError

    # ------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters.

        Missing hyperparameters take the optimizer's defaults. The group is checked
        completely before it is added: on error the optimizer is unchanged.
        """
        if not isinstance(param_group, Mapping):
            raise TypeError(f"param_group must be a dict, but got {typename(param_group)}")
        if "params" not in param_group:
            raise ValueError("a parameter group must have a 'params' entry")
        group = translate_group_spellings(param_group, self.defaults)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(_SETS_MESSAGE)
        else:
            try:
                params = list(params)
            except TypeError:
                raise TypeError(
                    f"a parameter group's 'params' must be a Tensor or an iterable of Tensors, "
                    f"but got {typename(params)}"
                ) from None
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + typename(param)
                )
            if not param.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if param.dtype.kind != "f":
                raise TypeError(
                    f"optimizer can only optimize floating-point Tensors, but one of the params has dtype {param.dtype}"
                )
            if self.fused and param.dtype not in (np.float32, np.float64):
                raise TypeError(f"fused=True supports float32 and float64 parameters, but one has dtype {param.dtype}")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains the same parameter more than once")
        group = self._completed(group)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        self.param_groups.append(group)

    def _completed(self, group: dict) -> dict:
        """``group`` with every missing hyperparameter set to its default, then checked."""
        group = {**self.defaults, **group}
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
        self._check_group(group)
        return group

    # ------------------------------------------------------------ the step
    def step(self, closure=None):
        """One optimization step over every parameter that has a gradient.

        ``closure`` (optional) recomputes the loss and the gradients; it is called
        first and its value returned. Then every group and gradient is checked, and
        only then is anything updated. Parameters whose ``grad`` is None are skipped
        (their state, including the per-parameter step counter, does not advance).
        """
        loss = None
        if closure is not None:
            loss = closure()
        for group, param, grad in self._checked_work():
            if not grad.flags.c_contiguous:   # e.g. a transposed view: copy it once, so
                grad = np.ascontiguousarray(grad)  # it can be cut into flat blocks
            self._update(param.numpy(), grad, self.state[param], group)
        self._step_count += 1
        return loss

    def _checked_work(self) -> list:
        """[(group, parameter, gradient array)] for every parameter with a gradient.

        Raises, before anything is modified, on a gradient that is not a Tensor
        of the parameter's shape and dtype, or a state buffer that no longer has
        the parameter's shape, or a hyperparameter of the wrong type (ranges:
        see ``_check_group_at_step``).
        """
        work = []
        index = -1
        for group_index, group in enumerate(self.param_groups):
            self._check_group_at_step(group)
            for position, param in enumerate(group["params"]):
                index += 1
                grad = param.grad
                if grad is None:
                    continue
                where = f"parameter {index} (group {group_index}, position {position})"
                if not isinstance(grad, Tensor):
                    raise TypeError(f"the gradient of {where} must be a Tensor or None, but got {typename(grad)}")
                p, g = param.numpy(), grad.numpy()
                if g.shape != p.shape:
                    raise ValueError(
                        f"the gradient of {where} has shape {g.shape}, but the parameter has shape {p.shape}"
                    )
                if g.dtype != p.dtype:
                    raise TypeError(
                        f"the gradient of {where} has dtype {g.dtype}, but the parameter has dtype {p.dtype}"
                    )
                for name, value in self.state.get(param, {}).items():
                    if (isinstance(value, np.ndarray)
                            and value.shape != self._state_shape(name, p.shape)):
                        raise ValueError(
                            f"state {name!r} of {where} has shape {value.shape}, but the parameter has shape {p.shape}"
                        )
                work.append((group, param, g))
        return work

    def _state_shape(self, name: str, shape: tuple) -> tuple:
        """The shape of state ``name`` for a parameter of ``shape``: the parameter's
        own, except for per-parameter scalars (and what a subclass says otherwise)."""
        return () if name in SCALAR_STATE else tuple(shape)

    def _elementwise(self, update, arrays, fused_update=None, **hyper) -> None:
        """Run one parameter's update: ``update(*arrays, scratch=..., **hyper)``.

        ``update`` is an algorithm's NumPy function (``adam_update``...), run block
        by block on all cores with reusable scratch buffers; ``fused_update`` is its
        numba kernel, used instead when the optimizer was built with fused=True.
        """
        if self.fused:
            fused_update(*arrays, **hyper)
            return
        runner = self._scratch.get("blocks")
        if runner is None:
            runner = self._scratch["blocks"] = BlockRunner(n_scratch=2)
        runner.run(update, arrays, **hyper)

    # ------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every gradient: set it to None (default) or to zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    if set_to_none:
                        param.grad = None
                    else:
                        param.grad.numpy().fill(0)

    def reset_grad(self) -> None:
        """Alias of ``zero_grad()`` (the ``tiny_pytorch`` spelling)."""
        self.zero_grad()

    # ------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict:
        """The optimizer's state in PyTorch's layout, as an independent snapshot.

        ``{"state": {id: {name: value}}, "param_groups": [{..., "params": [ids]}]}``;
        ids are integers numbering the parameters in group order. Arrays are copies
        (PyTorch returns references to live tensors): later steps do not change a
        state dict already taken. Picklable.
        """
        return packed_state_dict(self)

    def load_state_dict(self, state_dict) -> None:
        """Load a ``state_dict()`` (matched to this optimizer's parameters by position).

        Everything is checked and built before anything is replaced: if loading
        fails, the optimizer is exactly as it was. Arrays are copied and cast to
        their parameter's dtype; group keys this optimizer does not know (such as
        a scheduler's ``initial_lr``) are kept.
        """
        state, groups = unpacked_state_dict(self, state_dict)
        self.state.clear()
        self.state.update(state)
        self.param_groups[:] = groups

    def __getstate__(self) -> dict:
        """Pickle/deepcopy without the scratch buffers (they are rebuilt on demand)."""
        return {**self.__dict__, "_scratch": {}}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
