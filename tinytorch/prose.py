"""Numbers written for a reader: the way the chapters put computed values into prose.

A chapter glues a number into its text (``{glue:text}`key:s```). Python's own
formats are made for programs: ``f"{6e-8:.1e}"`` gives ``6.0e-08`` and a negative
number starts with a hyphen. :func:`number` gives the typeset form a textbook uses::

    >>> number(6.04e-8, ".1e")
    '6.0 × 10⁻⁸'
    >>> number(-0.8702, ".2f")
    '−0.87'
    >>> number(18614, ",d")
    '18,614'

It only reformats what Python's format spec produced, so the digits are exactly
those a ``print(f"{x:{spec}}")`` beside the prose shows.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["number", "MINUS", "TIMES"]

#: U+2212 MINUS SIGN: a hyphen is a hyphen, not a minus.
MINUS = "\u2212"
#: U+00D7 MULTIPLICATION SIGN, as in 6 × 10⁻⁸.
TIMES = "\u00d7"

_SUPERSCRIPT = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_EXPONENT = re.compile(r"^(?P<mantissa>[^eE]*)[eE](?P<exponent>[+-]?\d+)$")


def number(value: float, spec: str = ".3g") -> str:
    """``value`` formatted with ``spec`` and typeset: ``a × 10ᵇ``, a real minus sign.

    ``spec`` is any format spec Python accepts for the value (``".2f"``, ``".1e"``,
    ``",d"``, ``".3g"``...). Exponents lose their padding and their plus sign
    (``1e+10`` becomes ``10¹⁰``, ``2.5e-08`` becomes ``2.5 × 10⁻⁸``, and
    ``3.0e+00`` becomes ``3.0``).
    """
    if isinstance(value, np.generic):
        value = value.item()
    text = format(value, spec)
    sign = ""
    if text.startswith("-"):
        sign, text = MINUS, text[1:]
    match = _EXPONENT.match(text)
    if match:
        power = int(match["exponent"])
        exponent = str(power).translate(_SUPERSCRIPT)
        mantissa = match["mantissa"]
        if power == 0:
            text = mantissa
        elif mantissa in ("1", "1.0", "1.00"):
            text = f"10{exponent}"
        else:
            text = f"{mantissa} {TIMES} 10{exponent}"
    return sign + text
