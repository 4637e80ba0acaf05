"""Checkpoints: an optimizer's state as plain data, and back (PyTorch's layout).

    {"state": {0: {"step": 3.0, "exp_avg": array, ...}, 2: {...}},
     "param_groups": [{"lr": 0.01, ..., "params": [0, 1]}, {"lr": 0.1, ..., "params": [2]}]}

Parameters are not saved; they are numbered 0, 1, 2, ... in group order, and
loading matches the numbers to the loading optimizer's parameters by position.

Loading never half-happens: ``unpacked_state_dict`` checks the whole dict and
builds the new state and groups without touching the optimizer; the caller
swaps them in only when everything succeeded.
"""
from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping

import numpy as np

from tinytorch.core.tensor import Tensor
from tinytorch.optim._checks import typename

__all__ = ["packed_state_dict", "unpacked_state_dict"]


def _snapshot(value):
    """A deep copy that shares no memory with ``value`` (arrays copied, not referenced)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


def packed_state_dict(optimizer) -> dict:
    """``optimizer.state_dict()``: integer ids instead of Tensors, copies instead of buffers."""
    ids: dict[int, int] = {}
    groups = []
    for group in optimizer.param_groups:
        packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
        packed["params"] = [ids.setdefault(id(p), len(ids)) for p in group["params"]]
        groups.append(packed)
    state = {}
    for group in optimizer.param_groups:
        for param in group["params"]:
            saved = optimizer.state.get(param)
            if saved:
                state[ids[id(param)]] = {k: _snapshot(v) for k, v in saved.items()}
    return {"state": state, "param_groups": groups}


def unpacked_state_dict(optimizer, state_dict) -> tuple[dict, list]:
    """(new state, new param_groups) for ``optimizer`` from ``state_dict``; raises if anything is off."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            "load_state_dict expected a state dict (the dict returned by Optimizer.state_dict(), "
            f"with 'state' and 'param_groups' entries), but got {typename(state_dict)}"
        )
    for key in ("state", "param_groups"):
        if key not in state_dict:
            raise ValueError(f"the state dict has no {key!r} entry (expected the dict returned by state_dict())")
    saved_groups = state_dict["param_groups"]
    if not isinstance(saved_groups, (list, tuple)) or not all(
        isinstance(g, Mapping) and isinstance(g.get("params"), (list, tuple)) for g in saved_groups
    ):
        raise ValueError("the state dict's 'param_groups' must be a list of dicts, each with a 'params' list")
    groups = optimizer.param_groups
    if len(saved_groups) != len(groups):
        raise ValueError("loaded state dict has a different number of parameter groups")
    if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
        raise ValueError(
            "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
        )
    saved_ids = list(itertools.chain.from_iterable(g["params"] for g in saved_groups))
    params = list(itertools.chain.from_iterable(g["params"] for g in groups))
    id_map = dict(zip(saved_ids, params))
    if len(id_map) != len(saved_ids):
        raise ValueError("loaded state dict lists the same parameter id in more than one place")

    saved_state = state_dict["state"]
    if not isinstance(saved_state, Mapping):
        raise ValueError(f"the state dict's 'state' must be a dict, but got {typename(saved_state)}")
    new_state = {}
    for key, values in saved_state.items():
        if key not in id_map:
            raise ValueError(f"loaded state dict has state for parameter id {key!r}, which is in none of its groups")
        if not isinstance(values, Mapping):
            raise ValueError(f"the state of parameter id {key!r} must be a dict, but got {typename(values)}")
        param = id_map[key]
        new_state[param] = {
            name: _restored(name, value, param.numpy(), key,
                            optimizer._state_shape(name, param.numpy().shape))
            for name, value in values.items()
        }

    new_groups = []
    for group, saved in zip(groups, saved_groups):
        hyperparameters = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
        new_group = optimizer._completed(hyperparameters)
        new_group["params"] = group["params"]
        new_groups.append(new_group)
    return new_state, new_groups


#: Per-parameter scalars that PyTorch keeps as 0-dim float32 tensors (NAdam's
#: ``mu_product``, ASGD's ``eta`` and ``mu``): 0-d float32 arrays here.
SCALAR_STATE = ("mu_product", "eta", "mu")


def _restored(name: str, value, param: np.ndarray, key, shape: tuple):
    """One loaded state value: ``step`` as a float, arrays copied to the parameter's dtype."""
    if isinstance(value, Tensor):
        value = value.numpy()
    if name == "step":
        problem = isinstance(value, bool) or np.ndim(value) != 0
        if not problem:
            try:
                return float(value)
            except (TypeError, ValueError):
                pass
        raise ValueError(f"state 'step' of parameter id {key!r} must be a number, but got {typename(value)}")
    if name in SCALAR_STATE:
        if np.ndim(value) != 0 or isinstance(value, bool):
            raise ValueError(
                f"state {name!r} of parameter id {key!r} must be a number, "
                f"but got {typename(value)}"
            )
        return np.array(value, dtype=np.float32)
    if isinstance(value, np.ndarray):
        if value.shape != shape:
            whose = "the parameter has" if shape == param.shape else "it should have"
            raise ValueError(
                f"state {name!r} of parameter id {key!r} has shape {value.shape}, "
                f"but {whose} shape {shape}"
            )
        return np.array(value, dtype=param.dtype, copy=True)
    return copy.deepcopy(value)
