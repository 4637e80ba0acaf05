#!/usr/bin/env bash
# README command 2: run the whole test suite in ONE pytest run:
#   * tests/            unit tests, book checks (notebook sync, install cell, launch links,
#                       toc) and the real-browser test of the built site (tests/browser/)
#   * book/*.ipynb      strict nbval: every chapter notebook re-executes and every stored
#                       output must equal the fresh one (after tests/book/nbval-sanitize.cfg;
#                       the repository's conftest.py supplies that and the kernel setting,
#                       so a bare `pytest --nbval book/` checks the same)
# Run tools/build.sh first (the link and browser tests read _build/html).
# Extra arguments go to pytest, e.g.  bash tools/test.sh -x -k momentum
set -euo pipefail
# Small matrices: one BLAS thread is ~100x faster than two threads fighting over two
# cores, and it fixes the summation order, so stored chapter outputs reproduce anywhere.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${VENV:-.venv}"
exec "$VENV/bin/python" -m pytest tests book --nbval "$@"
