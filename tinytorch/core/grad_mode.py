"""Whether operations record the graph that `backward()` walks.

Inside `with no_grad():` results are plain tensors with no history, which is
what an optimizer's update step and an evaluation loop want: no graph is
built, so nothing is kept alive and nothing is differentiated by accident.
"""

# One process-wide switch (PyTorch keeps one per thread; this package is single-threaded).
enabled = True


class no_grad:
    """Context manager (and decorator) that turns graph recording off."""

    def __enter__(self):
        global enabled
        self._previous = enabled
        enabled = False
        return self

    def __exit__(self, *exc_info):
        global enabled
        enabled = self._previous
        return False

    def __call__(self, function):
        def without_grad(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        without_grad.__name__ = function.__name__
        without_grad.__doc__ = function.__doc__
        return without_grad


class enable_grad(no_grad):
    """Context manager that turns graph recording back on inside a `no_grad` block."""

    def __enter__(self):
        global enabled
        self._previous = enabled
        enabled = True
        return self


def is_grad_enabled():
    """True when new operations are being recorded for `backward()`."""
    return enabled
