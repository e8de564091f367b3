"""The print stylesheet in real Chromium: a batch summary printed to PDF keeps every column, a report drops the chrome."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from pypdf import PdfReader

from grader.checks.registry import default_registry
from grader.rendering import render_index_html, render_report_html
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import REPO_RUBRICS
from tests.rendering.builders import executed_notebooks, sample_report, submitted_notebooks
from tests.rendering.conftest import LoadedPage

pytestmark = pytest.mark.browser

Opener = Callable[..., LoadedPage]


def _pdf_text(loaded: LoadedPage) -> str:
    loaded.page.emulate_media(media="print")
    data = loaded.page.pdf(format="A4", print_background=True)
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _squeezed(text: str) -> str:
    """Without whitespace: a PDF's text breaks lines wherever the table wrapped them."""
    return re.sub(r"\s+", "", text)


def test_the_pdf_of_a_summary_holds_every_column(open_page: Opener) -> None:
    rubric = load_rubric_file(REPO_RUBRICS / "ml-takehome.yaml", default_registry()).rubric
    rows: list[dict[str, Any]] = []
    for n, name in enumerate(["Zoë Ångström-Marchetti", "Bartholomew Featherstonehaugh", "Chen Wei"]):
        criteria = {c.id: round(c.points * (0.91 - 0.17 * n), 2) for c in rubric.criteria}
        total = round(sum(criteria.values()), 2)
        rows.append(
            {
                "submission": f"cand-{n}",
                "candidate": name,
                "status": "graded",
                "score": total,
                "max": rubric.max_points,
                "pending": 0.0,
                "percent": round(100 * total / rubric.max_points, 1),
                "band": rubric.band_for(100 * total / rubric.max_points),
                "run_status": "ok",
                "criteria": criteria,
                "flags": ["leakage", "did_not_run"] if n == 2 else [],
                "error": "",
            }
        )
    loaded = open_page(render_index_html(rows, rubric, title="Customer churn — batch summary"), "batch/index.html")
    headers = loaded.page.locator("#candidates thead th").all_inner_texts()
    assert len(headers) >= len(rubric.criteria) + 4
    text = _squeezed(_pdf_text(loaded)).casefold()
    # Every criterion's column is in the PDF, with the last candidate's points for the last criterion.
    for criterion in rubric.criteria:
        assert _squeezed(criterion.title).casefold()[:12] in text, criterion.id
    last = rubric.criteria[-1]
    assert f"{rows[2]['criteria'][last.id]:g}" in text
    # ... and the columns after the criteria: band and flags.
    assert all(str(row["band"]).casefold() in text for row in rows) and "didnotrun" in text
    # The screen's controls do not print.
    assert "statusall" not in text  # the status filter, "Status [all]"


def test_a_printed_report_drops_the_navigation_and_keeps_the_verdict(open_page: Opener) -> None:
    report = sample_report()
    loaded = open_page(render_report_html(report, executed_notebooks(), submitted_notebooks()), "report.html")
    text = _squeezed(_pdf_text(loaded))
    assert _squeezed(report.submission.candidate) in text
    assert f"{report.total.score:g}/{report.total.max:g}".replace(" ", "") in text
    nav = loaded.page.locator(".topbar")
    if nav.count():
        assert not nav.first.is_visible()  # print media is still emulated
