"""tinytorch.core: tensors and reverse-mode autograd, the bottom layers of the package.

Read in this order:
    ops/         the differentiable operations on NumPy arrays, forward next to backward
    engine.py    backpropagation: topological order, then vector-Jacobian products
    grad_mode.py no_grad / enable_grad
    rng.py       the package's random generator (manual_seed)
    convert.py   what counts as tensor data (and the errors for what does not)
    tensor.py    Tensor: storage, .grad, .data, operators, backward()
    autograd.py  TinyTorch's names: Variable, add, multiply, subtract, ...
    gradcheck.py finite-difference checking of backward() (for tests)
"""
