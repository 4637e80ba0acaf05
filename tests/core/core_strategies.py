"""Hypothesis strategies for the core tests: float64 arrays away from kinks and ties."""
import numpy as np
from hypothesis import settings, strategies as st
from hypothesis.extra import numpy as hnp

from tinytorch import Tensor

# Finite differences on many small arrays: no deadline, a moderate number of cases.
FD_SETTINGS = settings(max_examples=30, deadline=None)

SMALL_SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def arrays(shape, low=-2.0, high=2.0, away_from_zero=False, distinct=False):
    """float64 arrays with elements in [low, high].

    away_from_zero keeps |x| ≥ 0.05 (kinks of abs/relu at 0); distinct spaces
    elements ≥ 0.01 apart (so max/maximum have no ties within ε).
    """
    if distinct:
        steps = int((high - low) / 0.01)
        elements = st.integers(0, steps).map(lambda k: low + 0.01 * k)
        return hnp.arrays(np.float64, shape, elements=elements, unique=True)
    elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
    if away_from_zero:
        elements = elements.filter(lambda v: abs(v) >= 0.05)
    return hnp.arrays(np.float64, shape, elements=elements)


def leaf(array):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=True)
