"""The in-container executor: runs a submission's notebooks and records every cell.

This package is copied into the sandbox image as `thg_executor` and must only use
the standard library, nbformat and nbclient (plus what the kernel side imports
lazily): it never imports the `grader` package. Everything it writes is treated
as untrusted by the host.
"""

EXECUTOR_VERSION = 1
