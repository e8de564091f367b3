"""Code the executor runs inside each fresh kernel before the candidate's first cell.

It must never change what the candidate's code computes: it only raises the
kernel's OOM priority (so the kernel, not the executor, is killed first), and
installs the runtime tracer and the data-path redirector when asked to. Any
failure leaves the notebook running untraced, and the returned status says why.
"""

from __future__ import annotations

import contextlib
from typing import Any


def install(config: dict[str, Any]) -> str:
    """Prepare the kernel; returns `ok`, `disabled` or `failed: <why>` for the tracer."""
    with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w", encoding="ascii") as handle:
        handle.write("1000")
    if config.get("max_print_bytes"):
        with contextlib.suppress(Exception):
            from . import output_limits

            output_limits.install(int(config["max_print_bytes"]))
    status = _install_tracing(config)
    if config.get("redirect_paths"):
        # After the tracer: the redirector's import hook goes first and delegates to the tracer's.
        with contextlib.suppress(Exception):
            from . import redirects

            redirects.install(config)
    return status


def _install_tracing(config: dict[str, Any]) -> str:
    if not config.get("trace"):
        return "disabled"
    try:
        from . import tracing

        tracing.install(config)
    except Exception as exc:  # noqa: BLE001 - tracing is optional by design
        return f"failed: {type(exc).__name__}: {str(exc)[:200]}"
    return "ok"
