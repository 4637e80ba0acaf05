# Copied by tools/build.sh into <venv>/etc/ipython/, where IPython reads it for every
# kernel of that environment: the site build, nbval and tools/sync_notebooks.py.
#
# ipykernel 7 logs "Kernel is running over TCP without encryption" at every start. The
# kernels here listen on 127.0.0.1 only and are started and stopped by the tool that
# runs the chapter, so the warning says nothing about the book; drop that one message
# (every other kernel message still shows).
import logging

logging.getLogger("IPKernelApp").addFilter(
    lambda record: "without encryption" not in record.getMessage()
)
