"""Reviewer-facing HTML: the per-submission report and the batch summary.

Pages are self-contained (inline CSS, images as `data:` URIs, nothing loaded
from outside) and treat every candidate string as hostile: HTML is sanitised
with nh3, everything else is escaped, and a Content-Security-Policy allows only
the page's own inline style and scripts, by hash.

The renderers are imported on first use, so code that only needs
`grader.report.followups` does not pay for Jinja, nbconvert and Pygments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.rendering.index_page import render_index_html
    from grader.rendering.report_page import render_report_html

__all__ = ["render_index_html", "render_report_html"]


def __getattr__(name: str) -> Any:
    if name == "render_report_html":
        from grader.rendering.report_page import render_report_html

        return render_report_html
    if name == "render_index_html":
        from grader.rendering.index_page import render_index_html

        return render_index_html
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
