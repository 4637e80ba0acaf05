#!/usr/bin/env bash
# README command 1: set up the environment (first run) and build the book.
#
#   bash tools/build.sh            # incremental: re-executes only chapters whose code changed
#   bash tools/build.sh --clean    # from scratch: every chapter executes again (what CI does)
#   bash tools/build.sh --setup-only   # only the environment, MathJax and Pyodide, no build
#
# Environment variables:
#   VENV    virtual environment to create/use             (default: .venv)
#   PYTHON  interpreter that creates it, Python 3.11       (default: python3.11, else python3)
set -euo pipefail
# Small matrices: one BLAS thread is ~100x faster than two threads fighting over two
# cores, and it fixes the summation order, so stored chapter outputs reproduce anywhere.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

clean=0
setup_only=0
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    --setup-only) setup_only=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

VENV="${VENV:-.venv}"
if [ -z "${PYTHON:-}" ]; then
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi

# 1. The Python environment: the complete lock (every package pinned) + this repository.
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment $VENV with $PYTHON"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.optimizers-executably.stamp"
want="$(cat requirements.lock tools/jupyter/ipython_kernel_config.py | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "==> installing requirements.lock into $VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r requirements.lock
  # Every kernel of this environment reads it (it drops one pointless startup warning).
  mkdir -p "$VENV/etc/ipython"
  cp tools/jupyter/ipython_kernel_config.py "$VENV/etc/ipython/"
  echo "$want" > "$stamp"
fi

# 2. MathJax, which the site serves itself (it works offline) and the browser test uses.
mathjax=.ci/node/node_modules/mathjax/es5/tex-mml-chtml.js
if [ ! -f "$mathjax" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm not found. The site serves its own MathJax (npm's mathjax@3.2.2);" >&2
    echo "       install Node.js and npm (Debian: sudo apt-get install nodejs npm)." >&2
    exit 1
  fi
  echo "==> installing mathjax@3.2.2 into .ci/node (the site serves it)"
  npm install --prefix .ci/node --no-audit --no-fund --no-save --loglevel=error mathjax@3.2.2 >/dev/null
fi

# 3. Pyodide, which the site serves for "Run in your browser" (JupyterLite): fetched
#    once from npm and PyPI, every file checked against Pyodide's official hashes.
"$VENV/bin/python" tools/make_pyodide.py

if [ "$setup_only" = 1 ]; then
  echo "==> environment ready: $VENV"
  exit 0
fi

# 4. The book. -W: any warning fails; -n: nitpicky cross-references.
if [ "$clean" = 1 ]; then
  echo "==> removing _build (clean build: every chapter executes)"
  rm -rf _build
fi
echo "==> building the book"
start=$(date +%s)
"$VENV/bin/jupyter-book" build . -W -n --keep-going
echo "==> built in $(( $(date +%s) - start )) s: open _build/html/index.html"
