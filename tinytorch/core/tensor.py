"""Tensor: a NumPy array that remembers how it was computed.

A Tensor owns one np.ndarray (its storage) and, when it takes part in a
differentiable computation, the inputs it came from (`_parents`) and one
gradient function per input (`_grad_fns`). `backward()` walks that record
from the output back to the leaves and leaves ∂L/∂leaf in each leaf's `.grad`.

Dtypes follow PyTorch: Python numbers and lists become float32; NumPy arrays
keep their dtype, so float64 inputs are computed in float64 from end to end.
"""
import numpy as np

from . import grad_mode, ops
from .convert import NUMERIC_KINDS, numeric_array
from .engine import backpropagate
from .ops.shape import _is_basic


def _check_can_require_grad(array):
    if array.dtype.kind != "f":
        raise TypeError(f"only floating-point tensors can require gradients, got dtype {array.dtype}")


class Tensor:
    """An n-dimensional array with optional reverse-mode gradient tracking.

    Tensor(data, requires_grad=False, dtype=None) copies `data`; Python numbers
    and lists become float32, NumPy arrays keep their dtype unless `dtype` is given.
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "_parents", "_grad_fns", "_op", "__weakref__")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        """NumPy ufuncs on Tensors.

        Arithmetic with an array or NumPy scalar on the left (`ndarray * tensor`)
        stays a differentiable Tensor operation; any other ufunc (np.exp(t),
        np.isfinite(t), np.add(a, b, out=t), ...) runs on the plain arrays and
        returns arrays, as NumPy functions do on PyTorch tensors.
        """
        op = _ARITHMETIC_UFUNCS.get(ufunc)
        if op is not None and method == "__call__" and not kwargs and len(inputs) == 2:
            a, b = inputs
            if isinstance(a, Tensor):
                return apply_op(op, (a, a._operand(b)))
            return apply_op(op, (b._operand(a), b))
        arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x._data if isinstance(x, Tensor) else x for x in kwargs["out"])
        return getattr(ufunc, method)(*arrays, **kwargs)

    def __init__(self, data, requires_grad=False, dtype=None):
        array = numeric_array(data, dtype)
        if requires_grad:
            _check_can_require_grad(array)
        self._data = array
        self._requires_grad = bool(requires_grad)
        self._grad = None
        self._parents = ()
        self._grad_fns = None
        self._op = None

    # ------------------------------------------------------------------ storage
    def numpy(self):
        """The underlying np.ndarray itself (not a copy): writing into it changes the tensor."""
        return self._data

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self._data, dtype=dtype)
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    @property
    def data(self):
        """A Tensor sharing this tensor's storage but outside the graph (no gradient tracking)."""
        return _wrap(self._data)

    @data.setter
    def data(self, value):
        """Copy new values into this tensor's storage, keeping the same object (and dtype)."""
        source = value._data if isinstance(value, Tensor) else numeric_array(value, None)
        if source.shape != self._data.shape:
            raise ValueError(
                f"cannot assign .data of shape {source.shape} to a tensor of shape {self._data.shape}"
            )
        np.copyto(self._data, source, casting="unsafe")

    @property
    def grad(self):
        """∂L/∂self accumulated by backward() (a Tensor), or None before any backward."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if isinstance(value, np.ndarray):
            # TinyTorch's code assigns NumPy arrays: accept one of the tensor's dtype.
            if value.dtype != self._data.dtype:
                raise TypeError(
                    f"grad has dtype {value.dtype}, but the tensor has dtype {self._data.dtype}"
                )
            value = Tensor(value)
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"grad must be a Tensor, a NumPy array or None, got {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise ValueError(
                    f"grad of shape {value._data.shape} does not match the tensor's shape {self._data.shape}"
                )
        self._grad = value

    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded so backward() can reach it."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        if self._grad_fns is not None:
            raise RuntimeError(
                "requires_grad can only be changed on leaf tensors; use .detach() on a computed one"
            )
        if flag:
            _check_can_require_grad(self._data)
        self._requires_grad = bool(flag)

    def requires_grad_(self, flag=True):
        """Set requires_grad in place and return self (PyTorch's spelling)."""
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self):
        """True unless this tensor is the recorded result of an operation."""
        return self._grad_fns is None

    @property
    def grad_fn(self):
        """Name of the operation that produced this tensor, or None for a leaf."""
        return self._op

    @property
    def shape(self):
        return self._data.shape

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def size(self):
        """Number of elements (an int, like ndarray.size; PyTorch calls it numel())."""
        return self._data.size

    def numel(self):
        return self._data.size

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self._data.shape}")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def detach(self):
        """A new leaf sharing this storage, cut off from the graph."""
        return _wrap(self._data)

    def clone(self):
        """A copy of the values that stays in the graph (gradient flows back to self)."""
        return apply_op(_copy, (self,))

    def zero_(self):
        """Fill with zeros in place; returns self."""
        self._data.fill(0)
        return self

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self._data.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __format__(self, spec):
        """f"{t:.4f}" formats the value of a one-element tensor; without a spec, str(t)."""
        if not spec:
            return str(self)
        if self._data.size != 1:
            raise TypeError(f"format spec {spec!r} needs a one-element tensor, got shape {self._data.shape}")
        return format(self._data.item(), spec)

    __hash__ = object.__hash__  # identity: tensors are dict keys for optimizer state

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="Tensor(")
        extras = ""
        if self._data.dtype != np.float32:
            extras += f", dtype={self._data.dtype}"
        if self._op is not None:
            extras += f", grad_fn=<{self._op}>"
        elif self._requires_grad:
            extras += ", requires_grad=True"
        return f"Tensor({body}{extras})"

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient=None, retain_graph=None):
        """Accumulate ∂self/∂leaf (times `gradient`) into the .grad of every leaf that requires grad.

        On a one-element tensor `gradient` defaults to 1; otherwise it must be
        given, shaped like self (the vector in the vector-Jacobian product).
        Gradients add up across calls until zeroed, as in PyTorch. The graph is
        kept, so `retain_graph` is accepted and ignored.
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad: "
                "no input of its computation has requires_grad=True"
            )
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"backward() needs a scalar output or an explicit gradient: this tensor has shape "
                    f"{self._data.shape}; call backward(gradient) with a gradient of that shape"
                )
            seed = np.ones_like(self._data)
        else:
            seed = gradient._data if isinstance(gradient, Tensor) else numeric_array(gradient, None)
            if seed.shape != self._data.shape:
                raise ValueError(
                    f"backward(gradient): gradient shape {seed.shape} does not match the tensor's shape "
                    f"{self._data.shape}"
                )
            seed = seed.astype(self._data.dtype, copy=False)
        backpropagate(self, seed)

    def _accumulate_grad(self, grad):
        """Add a gradient array into .grad (called by the engine on leaves)."""
        if self._grad is None:
            # A private copy: `grad` may be shared with other leaves
            # or be a read-only view.
            self._grad = _wrap(np.array(grad, dtype=self._data.dtype))
        else:
            self._grad._data += grad

    # ------------------------------------------------------------------ operators
    def _operand(self, other):
        """`other` as a Tensor; plain numbers take this tensor's float dtype (no silent upcast)."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, np.number)) and self._data.dtype.kind == "f":
            return _wrap(np.asarray(other, dtype=self._data.dtype))
        return Tensor(other)

    def __add__(self, other):
        return apply_op(ops.add, (self, self._operand(other)))

    def __radd__(self, other):
        return apply_op(ops.add, (self._operand(other), self))

    def __sub__(self, other):
        return apply_op(ops.subtract, (self, self._operand(other)))

    def __rsub__(self, other):
        return apply_op(ops.subtract, (self._operand(other), self))

    def __mul__(self, other):
        return apply_op(ops.multiply, (self, self._operand(other)))

    def __rmul__(self, other):
        return apply_op(ops.multiply, (self._operand(other), self))

    def __truediv__(self, other):
        return apply_op(ops.divide, (self, self._operand(other)))

    def __rtruediv__(self, other):
        return apply_op(ops.divide, (self._operand(other), self))

    def __pow__(self, exponent):
        if isinstance(exponent, (int, float, np.number)) and not isinstance(exponent, bool):
            return apply_op(ops.power_scalar, (self,), exponent)
        return apply_op(ops.power, (self, self._operand(exponent)))

    def __rpow__(self, base):
        return apply_op(ops.power, (self._operand(base), self))

    def __matmul__(self, other):
        return apply_op(ops.matmul, (self, other if isinstance(other, Tensor) else Tensor(other)))

    def __rmatmul__(self, other):
        return apply_op(ops.matmul, (Tensor(other), self))

    def __neg__(self):
        return apply_op(ops.negative, (self,))

    def __pos__(self):
        return self

    def __getitem__(self, index):
        return apply_op(ops.getitem, (self,), _plain_index(index))

    # Comparisons are not differentiable: they return boolean tensors outside the graph.
    def __eq__(self, other):
        return _wrap(self._data == _array_of(other))

    def __ne__(self, other):
        return _wrap(self._data != _array_of(other))

    def __lt__(self, other):
        return _wrap(self._data < _array_of(other))

    def __le__(self, other):
        return _wrap(self._data <= _array_of(other))

    def __gt__(self, other):
        return _wrap(self._data > _array_of(other))

    def __ge__(self, other):
        return _wrap(self._data >= _array_of(other))

    # ------------------------------------------------------------------ methods
    def sum(self, axis=None, keepdims=False):
        return apply_op(ops.sum, (self,), _axis(axis), keepdims)

    def mean(self, axis=None, keepdims=False):
        return apply_op(ops.mean, (self,), _axis(axis), keepdims)

    def max(self, axis=None, keepdims=False):
        return apply_op(ops.max, (self,), _axis(axis), keepdims)

    def argmax(self, axis=None):
        """Index of the largest element (an int64 tensor, not differentiable)."""
        return _wrap(np.asarray(self._data.argmax(axis=axis)))

    def any(self):
        return bool(self._data.any())

    def all(self):
        return bool(self._data.all())

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return apply_op(ops.reshape, (self,), tuple(shape))

    view = reshape

    def flatten(self):
        return self.reshape(-1)

    def permute(self, *axes):
        """Reorder all axes (PyTorch's permute; NumPy's transpose(axes))."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = axes[0]
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
            raise ValueError(f"permute needs each of the {self.ndim} axes once, got {tuple(axes)}")
        return apply_op(ops.permute, (self,), tuple(axes))

    def transpose(self, dim0=-2, dim1=-1):
        """Swap two axes (PyTorch's meaning); with no arguments, the last two."""
        if self.ndim < 2:
            return self
        axes = list(range(self.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return apply_op(ops.permute, (self,), tuple(axes))

    @property
    def T(self):
        """All axes reversed (the matrix transpose for 2-D)."""
        return apply_op(ops.permute, (self,), tuple(reversed(range(self.ndim))))

    def exp(self):
        return apply_op(ops.exp, (self,))

    def log(self):
        return apply_op(ops.log, (self,))

    def sqrt(self):
        return apply_op(ops.sqrt, (self,))

    def abs(self):
        return apply_op(ops.absolute, (self,))

    __abs__ = abs

    def relu(self):
        return apply_op(ops.relu, (self,))

    def sigmoid(self):
        return apply_op(ops.sigmoid, (self,))

    def tanh(self):
        return apply_op(ops.tanh, (self,))

    def maximum(self, other):
        return apply_op(ops.maximum, (self, self._operand(other)))

    def copy(self):
        """A NumPy copy of the values (TinyTorch's ``param.data.copy()``)."""
        return self._data.copy()

    # PyTorch's method spellings of the operators (TinyTorch's code uses them too).
    def add(self, other, *, alpha=1):
        """self + alpha · other."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        """self − alpha · other."""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        """self · other (elementwise)."""
        return self * other

    def div(self, other):
        """self / other (elementwise)."""
        return self / other

    def matmul(self, other):
        """self @ other."""
        return self @ other

    def softmax(self, axis=-1):
        return apply_op(ops.softmax, (self,), axis)

    def log_softmax(self, axis=-1):
        return apply_op(ops.log_softmax, (self,), axis)

    def astype(self, dtype):
        """A copy converted to `dtype` (float to float stays differentiable)."""
        return apply_op(_cast, (self,), np.dtype(dtype))


_ARITHMETIC_UFUNCS = {
    np.add: ops.add, np.subtract: ops.subtract, np.multiply: ops.multiply, np.divide: ops.divide,
    np.power: ops.power, np.matmul: ops.matmul, np.maximum: ops.maximum,
}


def _copy(x):
    """y = x (a copy);   ∂y/∂x = 1."""
    return x.copy(), (lambda g: g,)


def _cast(x, dtype):
    """y = x converted to `dtype`;   the gradient is converted back by the engine."""
    return x.astype(dtype), (lambda g: g,)


def _wrap(array, requires_grad=False):
    """A Tensor around an existing array (no copy, no checks): the fast internal constructor."""
    t = object.__new__(Tensor)
    t._data = array
    t._requires_grad = requires_grad
    t._grad = None
    t._parents = ()
    t._grad_fns = None
    t._op = None
    return t


def as_tensor(data):
    """`data` itself if it is a Tensor, else a Tensor sharing the array when possible."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind in NUMERIC_KINDS:
        return _wrap(data)
    return Tensor(data)


def apply_op(op, inputs, *args):
    """Run `op` (see tinytorch.core.ops) on the inputs' arrays and record it for backward().

    Recording happens only when gradient mode is on and some input requires grad.
    """
    try:
        out, grad_fns = op(*[t._data for t in inputs], *args)
    except ValueError as error:
        # Name the operation and the shapes instead of showing NumPy's internals.
        message = str(error)
        if message.startswith("operands could not be broadcast"):
            shapes = " and ".join(str(t._data.shape) for t in inputs)
            message = f"shapes {shapes} do not broadcast together"
        raise ValueError(f"{op.__name__.lstrip('_')}: {message}") from None
    if type(out) is not np.ndarray:  # NumPy returns scalars from 0-d results
        out = np.asarray(out)
    result = _wrap(out)
    if grad_mode.enabled:
        for t in inputs:
            if t._requires_grad:
                result._requires_grad = True
                result._parents = inputs
                result._grad_fns = grad_fns
                result._op = op.__name__.lstrip("_")
                break
    return result


def _array_of(value):
    return value._data if isinstance(value, Tensor) else value


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _plain_index(index):
    """Replace Tensors inside an index by their arrays so NumPy can use them."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple) and not _is_basic(index):
        return tuple(part._data if isinstance(part, Tensor) else part for part in index)
    return index
