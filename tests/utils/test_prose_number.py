"""tinytorch.prose.number: numbers typeset for the chapters' prose."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinytorch.prose import MINUS, TIMES, number


@pytest.mark.parametrize(
    "value, spec, expected",
    [
        (6.04e-8, ".1e", f"6.0 {TIMES} 10⁻⁸"),
        (1e10, ".0e", "10¹⁰"),
        (1.0e-5, ".1e", "10⁻⁵"),
        (2.5e12, ".2e", f"2.50 {TIMES} 10¹²"),
        (-3.31e-3, ".2e", f"{MINUS}3.31 {TIMES} 10⁻³"),
        (-0.8702, ".2f", f"{MINUS}0.87"),
        (0.8702, ".2f", "0.87"),
        (18614, ",d", "18,614"),
        (114959, ",", "114,959"),
        (np.float64(0.125), ".3f", "0.125"),
        (np.int64(-7), "d", f"{MINUS}7"),
        (1.5e-9, ".3g", f"1.5 {TIMES} 10⁻⁹"),
        (0.0123, ".3g", "0.0123"),
        (3.0, ".1e", "3.0"),
    ],
)
def test_number(value, spec, expected):
    assert number(value, spec) == expected


SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def read_back(text: str) -> float:
    """The value a reader reads in typeset text."""
    text = text.replace(MINUS, "-")
    sign = -1.0 if text.startswith("-") else 1.0
    text = text.lstrip("-")
    if text.startswith("10") and text[2:3] in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺" and text[2:3]:
        return sign * float(f"1e{int(text[2:].translate(SUPERSCRIPTS))}")
    if TIMES in text:
        mantissa, power = text.split(f" {TIMES} 10")
        return sign * float(f"{mantissa}e{int(power.translate(SUPERSCRIPTS))}")
    return sign * float(text.replace(",", ""))


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300))
def test_number_reads_back_as_the_value_python_prints(x):
    """Only the typography changes: a reader reads exactly format(x, spec)."""
    for spec in (".2e", ".3f", ".4g", ",.1f"):
        plain = format(x, spec)
        typeset = number(x, spec)
        assert "e" not in typeset and "-" not in typeset
        assert read_back(typeset) == pytest.approx(float(plain.replace(",", "")), rel=1e-12, abs=0)
