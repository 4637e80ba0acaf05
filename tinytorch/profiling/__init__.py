"""Parts of :mod:`tinytorch.profiler`: measurement records and the advice derived from them."""
