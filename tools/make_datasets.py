"""Write the two small datasets the chapters use into tinytorch/data/ (run once).

    python tools/make_datasets.py          # needs scikit-learn; writes the .npz files
    python tools/make_datasets.py --check  # the shipped files equal scikit-learn's data

tinytorch ships the data itself so that a chapter needs nothing beyond numpy, also
where scikit-learn is missing (Pyodide in the browser, a bare install). The arrays
are stored exactly: digits as uint8 (its pixels are the integers 0..16), diabetes
in float64 as scikit-learn returns it with ``scaled=False``.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "tinytorch" / "data"


def from_sklearn() -> dict[str, dict[str, np.ndarray]]:
    from sklearn import datasets

    digits = datasets.load_digits()
    diabetes = datasets.load_diabetes(scaled=False)
    assert np.array_equal(digits.data, np.round(digits.data)) and digits.data.max() == 16
    return {
        "digits.npz": {"images": digits.images.astype(np.uint8),
                       "target": digits.target.astype(np.uint8)},
        "diabetes.npz": {"data": diabetes.data, "target": diabetes.target,
                         "feature_names": np.array(diabetes.feature_names)},
    }


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, arrays in from_sklearn().items():
        path = DATA / name
        if args.check:
            with np.load(path) as shipped:
                if set(shipped) != set(arrays) or not all(
                        np.array_equal(shipped[k], v) and shipped[k].dtype == v.dtype
                        for k, v in arrays.items()):
                    stale.append(name)
        else:
            path.write_bytes(npz_bytes(arrays))
            print(f"{path.relative_to(DATA.parents[1])}: {path.stat().st_size:,} bytes")
    if stale:
        print("differ from scikit-learn's data:", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
