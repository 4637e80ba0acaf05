"""Module: the base class of layers and models, which finds their parameters for you.

Assigning a Parameter (or any leaf Tensor with requires_grad=True) or another
Module to an attribute registers it, in assignment order, so `parameters()`
yields them in the order PyTorch would (weight before bias in a Linear).
"""
from collections import OrderedDict

import numpy as np

from ..core.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a model weight: Parameter(data, requires_grad=True, dtype=None)."""

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)


def _is_parameter(value):
    return isinstance(value, Parameter) or (
        isinstance(value, Tensor) and value.requires_grad and value.is_leaf
    )


class Module:
    """Base class: subclasses set parameters/submodules in __init__ and define forward()."""

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        registries = self.__dict__.get("_parameters"), self.__dict__.get("_modules")
        if registries[0] is None:
            if _is_parameter(value) or isinstance(value, Module):
                raise AttributeError(
                    f"cannot assign {name!r} before Module.__init__() has run: call super().__init__() first"
                )
        else:
            parameters, modules = registries
            parameters.pop(name, None)
            modules.pop(name, None)
            if _is_parameter(value):
                parameters[name] = value
            elif isinstance(value, Module):
                modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *inputs, **kwargs):
        return self.forward(*inputs, **kwargs)

    # ---------------------------------------------------------------- traversal
    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, parameter) pairs, each parameter once, in registration order."""
        seen = set()
        for module_prefix, module in self._walk(prefix) if recurse else [(prefix, self)]:
            for name, parameter in module._parameters.items():
                if id(parameter) not in seen:
                    seen.add(id(parameter))
                    yield module_prefix + name, parameter

    def parameters(self, recurse=True):
        """The parameters, in registration order (PyTorch's order), as a list.

        PyTorch returns a generator; a list does everything a generator does and can
        also be iterated twice, indexed and concatenated, as TinyTorch's code expects.
        """
        return [parameter for _, parameter in self.named_parameters(recurse=recurse)]

    def named_modules(self, prefix=""):
        for module_prefix, module in self._walk(prefix):
            yield module_prefix.rstrip("."), module

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def children(self):
        return iter(self._modules.values())

    def _walk(self, prefix):
        """(prefix, module) for self and every submodule, depth first, without recursion limits."""
        stack = [(prefix, self)]
        while stack:
            module_prefix, module = stack.pop()
            yield module_prefix, module
            children = [(f"{module_prefix}{name}.", child) for name, child in module._modules.items()]
            stack.extend(reversed(children))

    # ---------------------------------------------------------------- training helpers
    def zero_grad(self, set_to_none=True):
        """Forget accumulated gradients: set .grad to None (default) or fill it with zeros."""
        for parameter in self.parameters():
            if set_to_none:
                parameter.grad = None
            elif parameter.grad is not None:
                parameter.grad.zero_()

    def train(self, mode=True):
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    def state_dict(self):
        """Name → copy of the parameter values (np.ndarray), in parameter order."""
        return OrderedDict((name, p.numpy().copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict):
        """Copy values from a state_dict into the parameters in place (names and shapes must match)."""
        own = dict(self.named_parameters())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        if missing or unexpected:
            raise KeyError(f"state_dict does not match the model: missing {missing}, unexpected {unexpected}")
        for name, parameter in own.items():
            value = np.asarray(state_dict[name])
            if value.shape != parameter.shape:
                raise ValueError(
                    f"state_dict entry {name!r} has shape {value.shape}, the parameter has shape {parameter.shape}"
                )
        for name, parameter in own.items():
            np.copyto(parameter.numpy(), np.asarray(state_dict[name]), casting="unsafe")

    # ---------------------------------------------------------------- display
    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"({name}): " + repr(child).replace("\n", "\n  ") for name, child in self._modules.items()]
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"
