"""Cap what one cell may print, inside the kernel.

A tight `print` loop fills ipykernel's stream buffer faster than it is flushed
and can exhaust memory before the executor sees a single message. Counting the
bytes written to `sys.stdout`/`sys.stderr` per cell and raising
`OutputLimitExceeded` past the cap turns that into a clear `output_limit` status.
Below the cap nothing changes.
"""

from __future__ import annotations

import sys
from typing import Any


class OutputLimitExceeded(RuntimeError):
    """Raised in the candidate's cell when it prints more than the sandbox allows."""


def install(max_bytes: int) -> None:
    """Wrap the kernel's output streams before every cell; the count resets per cell.

    IPython re-wraps `stream.write` around each cell (to tee output into history) and
    restores it afterwards, so the cap is applied in a `pre_run_cell` hook, on top.
    """
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    state = {"written": 0}

    def wrap(*_args: Any, **_kwargs: Any) -> None:
        state["written"] = 0
        for stream in (sys.stdout, sys.stderr):
            current = stream.write
            if getattr(current, "__thg_capped__", False):
                continue

            def write(text: str, *args: Any, _inner: Any = current, **kwargs: Any) -> Any:
                state["written"] += len(text) if isinstance(text, str) else 0
                if state["written"] > max_bytes:
                    raise OutputLimitExceeded(f"this cell printed more than {max_bytes:,} characters")
                return _inner(text, *args, **kwargs)

            write.__thg_capped__ = True  # type: ignore[attr-defined]
            stream.write = write  # type: ignore[method-assign]

    shell.events.register("pre_run_cell", wrap)
