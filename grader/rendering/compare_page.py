"""The comparison page: two to four candidates side by side (`grader compare`), or a batch's page
from which the summary's checked rows are shown (`compare.html#c=<id>,<id>`).

Self-contained like every page: inline CSS, one inline script allowed by hash that picks the
columns named in the address and orders the criteria by the difference among them.
"""

from __future__ import annotations

from grader.rendering.page import asset, render_page
from grader.review.compare import Comparison


def render_compare_html(comparison: Comparison, *, up_href: str | None = None, selectable: bool = False) -> str:
    """One HTML page; `selectable` shows only the candidates named in the page address (a batch's page)."""
    return render_page(
        "compare.html.j2",
        scripts=[asset("compare.js")],
        page=comparison,
        up_href=up_href,
        selectable=selectable,
    )
