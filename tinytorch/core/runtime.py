"""Where tinytorch is running: a Python process, or Pyodide in a web browser.

The course's chapters also run in the reader's browser ("Run in your browser":
JupyterLite, whose Python is Pyodide, CPython compiled to WebAssembly). NumPy works
there, and so does all of tinytorch's arithmetic, but a browser tab cannot start
threads or processes, and packages built for one machine (numba, MPI, ml_dtypes)
have no browser build. Code that needs them asks here first.
"""

from __future__ import annotations

import sys

#: True in Pyodide (JupyterLite, a browser tab).
IN_BROWSER = sys.platform == "emscripten"
#: A browser tab runs Python in one web worker: no new thread can start there.
CAN_START_THREADS = not IN_BROWSER
#: ... and no new process (subprocess, mpiexec).
CAN_START_PROCESSES = not IN_BROWSER


def skipped_in_browser(reason: str) -> bool:
    """True, after saying why, when running in the browser; False elsewhere.

    A chapter cell that cannot run in a browser tab starts with
    ``if not skipped_in_browser("..."):``, so that the reader sees a sentence instead
    of a traceback, and the course's site still shows the cell's real output.
    """
    if IN_BROWSER:
        print(f"Skipped in the browser: {reason}. "
              "The course's site shows what this cell prints when it runs.")
    return IN_BROWSER
