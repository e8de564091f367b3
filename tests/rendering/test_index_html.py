"""The batch summary page (`index.html`), from summary rows built out of hand-made reports."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from bs4 import BeautifulSoup

from grader.models.report import GradingStatus, Report
from grader.pipeline.batch import write_summaries
from grader.rendering import render_index_html
from grader.rendering.page import asset
from grader.report.summary import summary_rows
from tests.rendering.builders import EVIL, RUBRIC, check_results, rejected, sample_report
from tests.rendering.conftest import soup


def batch() -> dict[str, Report]:
    strong = sample_report(candidate="Bea Strong", results=check_results(passing=("LEAK001",)))
    return {
        "alice": sample_report(),
        "bea": strong,
        "javascript:alert(1)": sample_report(candidate=EVIL),
        "zed": rejected("zed"),
    }


def render() -> BeautifulSoup:
    return soup(render_index_html(summary_rows(batch()), RUBRIC, generated_at="2026-01-01T00:00:00+00:00"))


def test_one_row_per_submission_with_totals_criteria_flags_and_status() -> None:
    page = render()
    reports = batch()
    rows = page.select("#candidates tbody tr")
    assert len(rows) == len(reports)
    headers = [" ".join(th.get_text().split()) for th in page.select("#candidates thead th")]
    # Flags right after the band: the first thing a reviewer scans for, never scrolled out of view.
    assert headers == ["Candidate", "Status", "Total", "%", "Band", "Flags", *[c.title for c in RUBRIC.criteria], "Run"]
    for row, report in zip(rows, reports.values()):
        cells = row.find_all("td")
        assert cells[0].a.get_text() == report.submission.candidate
        assert row["data-status"] == report.status.value
        if report.status is GradingStatus.rejected:
            assert cells[2]["data-value"] == "" and "not a notebook" in cells[0].get_text()
            continue
        assert float(cells[2]["data-value"]) == report.total.score
        assert float(cells[3]["data-value"]) == report.total.percent
        criteria = [float(c["data-value"]) for c in cells[6 : 6 + len(RUBRIC.criteria)]]
        assert criteria == [c.score for c in report.criteria]
        chips = [chip.get_text() for chip in cells[5].select(".flag-chip")]
        assert chips == [f.kind.value.replace("_", " ") for f in report.flags]
        assert row["data-flagged"] == ("1" if report.flags else "0")


def test_links_go_to_each_report_and_crafted_names_stay_relative_paths() -> None:
    page = render()
    links = [a["href"] for a in page.select("#candidates td.name a")]
    assert links == ["alice/report.html", "bea/report.html", "javascript%3Aalert%281%29/report.html", "zed/report.html"]
    # The hostile candidate name is text, not markup.
    assert page.find("img") is None
    assert EVIL in page.get_text()


def test_the_only_script_is_ours_and_allowed_by_its_hash() -> None:
    page = render()
    scripts = page.find_all("script")
    assert len(scripts) == 1 and not scripts[0].get("src")
    assert scripts[0].string == asset("index.js")
    csp = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp is not None
    policy = {d.split()[0]: d.split()[1:] for d in str(csp["content"]).split("; ")}
    digest = base64.b64encode(hashlib.sha256(asset("index.js").encode()).digest()).decode()
    assert policy["script-src"] == [f"'sha256-{digest}'"]
    assert policy["default-src"] == ["'none'"]
    assert not any(name.startswith("on") for tag in page.find_all(True) for name in tag.attrs)


def test_distributions_have_a_strip_per_criterion_and_a_dot_per_graded_candidate() -> None:
    page = render()
    strips = page.select("svg.strip")
    assert len(strips) == len(RUBRIC.criteria)
    graded = [r for r in batch().values() if r.status in (GradingStatus.graded, GradingStatus.needs_review)]
    for strip in strips:
        assert len(strip.select("circle.dot")) == len(graded)
    titles = [t.get_text() for t in strips[0].select("circle.dot title")]
    assert "Bea Strong: 2.5 / 5" in titles and f"{EVIL}: 2.5 / 5" in titles
    bins = page.select("svg.histogram rect.bin")
    assert sum(int(b.title.get_text().split(": ")[1].split()[0]) for b in bins) == len(graded)  # type: ignore[union-attr]


def test_status_filter_offers_the_statuses_present() -> None:
    options = [o["value"] for o in render().select("#filter-status option")]
    # Every sample report has a crashed check (needs review); one submission was rejected.
    assert options == ["", "needs_review", "rejected", "flagged"]


def test_write_summaries_also_writes_index_html(tmp_path: Path) -> None:
    reports = batch()
    write_summaries(reports, tmp_path, RUBRIC)
    page = soup((tmp_path / "index.html").read_text("utf-8"))
    assert len(page.select("#candidates tbody tr")) == len(reports)
    assert json.loads((tmp_path / "summary.json").read_text())["count"] == len(reports)
