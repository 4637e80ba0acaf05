"""The package's one random generator, so a chapter is reproducible from one seed.

Layer initialisation and DataLoader shuffling draw from `generator()`;
`manual_seed(n)` replaces it with a fresh generator seeded with `n`.
"""
import numpy as np

# A fixed default (the same number PyTorch's CPU generator starts from), so a
# fresh interpreter gives the same weights even before anyone calls manual_seed.
DEFAULT_SEED = 67280421310721

_generator = np.random.default_rng(DEFAULT_SEED)


def manual_seed(seed):
    """Restart the package's generator from `seed` (a non-negative int); returns it."""
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"manual_seed expects a non-negative int, got {seed}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator():
    """The current package generator (a numpy.random.Generator)."""
    return _generator
