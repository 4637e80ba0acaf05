"""TinyTorch's keyword spellings, translated to PyTorch's.

TinyTorch's optimizers (the optimizers module of the MLSysBook / Harvard CS249r
course) are written as ``SGD(parameters, learning_rate=0.1)``
and ``Adam(..., beta1=0.9, beta2=0.999, epsilon=1e-8)``; PyTorch spells the same
things ``params``, ``lr``, ``betas=(beta1, beta2)`` and ``eps``. Both spellings work
here, and there is only one implementation behind them:

    TinyTorch spelling   PyTorch spelling
    parameters=          params=
    learning_rate=       lr=
    beta1=, beta2=       betas=(beta1, beta2)   (a missing one keeps its default)
    epsilon=             eps=

Giving both spellings of the same thing is a TypeError (which one did you mean?).
An unknown keyword stays an unknown keyword: Python's own TypeError names it.
"""
from __future__ import annotations

import functools
import inspect

__all__ = ["accepts_tinytorch_spellings", "translate_group_spellings", "TINYTORCH_SPELLINGS"]

TINYTORCH_SPELLINGS = {"parameters": "params", "learning_rate": "lr", "epsilon": "eps"}


def accepts_tinytorch_spellings(init):
    """Decorate an optimizer's ``__init__`` so TinyTorch's keywords are accepted too."""
    signature = inspect.signature(init)

    @functools.wraps(init)
    def init_with_tinytorch_spellings(self, *args, **kwargs):
        who = f"{type(self).__name__}()"
        try:
            positional = signature.bind_partial(self, *args).arguments
        except TypeError:  # too many positional arguments: let __init__ itself say so
            positional = {}

        def given(name):
            return name in kwargs or name in positional

        for tinytorch_name, canonical in TINYTORCH_SPELLINGS.items():
            if tinytorch_name in kwargs and canonical in signature.parameters:
                if given(canonical):
                    raise TypeError(
                        f"{who} got both {canonical!r} and its TinyTorch spelling {tinytorch_name!r}; give only one"
                    )
                kwargs[canonical] = kwargs.pop(tinytorch_name)
        if ("beta1" in kwargs or "beta2" in kwargs) and "betas" in signature.parameters:
            if given("betas"):
                raise TypeError(
                    f"{who} got both 'betas' and its TinyTorch spelling 'beta1'/'beta2'; give only one"
                )
            beta1, beta2 = signature.parameters["betas"].default
            kwargs["betas"] = (kwargs.pop("beta1", beta1), kwargs.pop("beta2", beta2))
        init(self, *args, **kwargs)

    return init_with_tinytorch_spellings


def translate_group_spellings(group: dict, defaults: dict) -> dict:
    """A copy of a parameter-group dict with TinyTorch's spellings renamed (same rules)."""
    group = dict(group)
    for tinytorch_name, canonical in TINYTORCH_SPELLINGS.items():
        if tinytorch_name in group and canonical in defaults:
            if canonical in group:
                raise TypeError(
                    f"parameter group has both {canonical!r} and its TinyTorch spelling {tinytorch_name!r}; give only one"
                )
            group[canonical] = group.pop(tinytorch_name)
    if ("beta1" in group or "beta2" in group) and "betas" in defaults:
        if "betas" in group:
            raise TypeError(
                "parameter group has both 'betas' and its TinyTorch spelling 'beta1'/'beta2'; give only one"
            )
        beta1, beta2 = defaults["betas"]
        group["betas"] = (group.pop("beta1", beta1), group.pop("beta2", beta2))
    return group
