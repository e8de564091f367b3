"""The pages in real headless Chromium: sorting, filtering, evidence links, and inert payloads."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import nh3
import pytest
from playwright.sync_api import expect

from grader.rendering import render_index_html, render_report_html
from grader.rendering.screenshots import screenshot
from grader.report.summary import summary_rows
from tests.rendering.builders import (
    EVIL,
    RUBRIC,
    check_results,
    executed_notebooks,
    rejected,
    sample_report,
    submitted_notebooks,
)
from tests.rendering.conftest import LoadedPage
from tests.rendering.hostile import HOSTILE_PATH, hostile_notebook, hostile_report

pytestmark = pytest.mark.browser

Opener = Callable[..., LoadedPage]


def _assert_quiet(loaded: LoadedPage) -> None:
    assert loaded.errors == [], loaded.errors
    assert loaded.dialogs == [], loaded.dialogs
    assert loaded.outside_requests == [], loaded.outside_requests
    assert [m for m in loaded.console if m.startswith("error")] == [], loaded.console


# --------------------------------------------------------------------------- batch summary


def _index(open_page: Opener) -> LoadedPage:
    reports = {
        "alice": sample_report(candidate="Alice"),
        "bea": sample_report(candidate="Bea", results=check_results(passing=("LEAK001",))),
        "carl": sample_report(candidate="Carl", results=check_results(passing=("LEAK001", "EXE001"))),
        "evil": sample_report(candidate=EVIL),
        "zed": rejected("zed"),
    }
    return open_page(render_index_html(summary_rows(reports), RUBRIC), "batch/index.html")


def _names(loaded: LoadedPage) -> list[str]:
    return loaded.page.locator("#candidates tbody tr td.name a").all_inner_texts()


def _visible_names(loaded: LoadedPage) -> list[str]:
    return loaded.page.locator("#candidates tbody tr:not([hidden]) td.name a").all_inner_texts()


def test_summary_table_sorts_when_a_header_is_clicked(open_page: Opener) -> None:
    loaded = _index(open_page)
    page = loaded.page
    assert _names(loaded) == ["Alice", "Bea", "Carl", EVIL, "zed"]
    total = page.locator("#candidates thead th", has_text="Total")
    total.get_by_role("button").click()
    # Carl passed LEAK001 and EXE001, Bea passed LEAK001: best first, the ungraded row last.
    assert _names(loaded)[:2] == ["Carl", "Bea"] and _names(loaded)[-1] == "zed"
    assert total.get_attribute("aria-sort") == "descending"
    total.get_by_role("button").click()
    assert _names(loaded)[0] in ("Alice", EVIL) and _names(loaded)[-2:] == ["Carl", "zed"]
    assert total.get_attribute("aria-sort") == "ascending"
    candidate = page.locator("#candidates thead th", has_text="Candidate")
    candidate.get_by_role("button").click()
    assert _names(loaded) == sorted(_names(loaded), key=str.lower)
    candidate.get_by_role("button").click()
    assert _names(loaded) == sorted(_names(loaded), key=str.lower, reverse=True)
    assert total.get_attribute("aria-sort") == "none"
    _assert_quiet(loaded)
    assert loaded.violations() == []


def test_summary_filters_by_text_and_status(open_page: Opener) -> None:
    loaded = _index(open_page)
    page = loaded.page
    page.fill("#filter-text", "bea")
    assert _visible_names(loaded) == ["Bea"]
    assert page.locator("#shown-count").inner_text() == "1"
    expect(page.locator("#candidates tbody tr", has_text="Alice")).to_be_hidden()
    page.fill("#filter-text", "")
    assert len(_visible_names(loaded)) == 5
    page.select_option("#filter-status", "rejected")
    assert _visible_names(loaded) == ["zed"]
    page.fill("#filter-text", "leakage")  # flags are searchable too; no rejected row has one
    assert _visible_names(loaded) == []
    page.select_option("#filter-status", "")
    assert _visible_names(loaded) == ["Alice", EVIL]
    page.fill("#filter-text", "")
    page.select_option("#filter-status", "flagged")
    assert _visible_names(loaded) == ["Alice", "Bea", "Carl", EVIL]  # the rejected test report has no flags
    assert page.locator("#shown-count").inner_text() == str(len(_visible_names(loaded)))
    assert loaded.pwned() is None
    _assert_quiet(loaded)


def test_summary_links_open_each_report(open_page: Opener) -> None:
    loaded = _index(open_page)
    href = loaded.page.locator("#candidates td.name a", has_text="Bea").get_attribute("href")
    assert href == "bea/report.html"
    resolved = loaded.page.evaluate("(h) => new URL(h, location.href).href", href)
    assert resolved == loaded.url.rsplit("/", 1)[0] + "/bea/report.html"


# --------------------------------------------------------------------------- report: evidence links


def test_evidence_link_jumps_to_the_cell_and_it_is_in_view(open_page: Opener) -> None:
    loaded = open_page(render_report_html(sample_report(), executed_notebooks(), submitted_notebooks()))
    page = loaded.page
    target = page.locator("#cell-5")
    expect(target).not_to_be_in_viewport()
    link = page.locator("#finding-EXE001-1 a.cell-link")
    assert link.get_attribute("href") == "#cell-5"
    link.click()
    assert page.evaluate("location.hash") == "#cell-5"
    landed = page.evaluate("""() => {
        const el = document.querySelector(location.hash);
        const box = el.getBoundingClientRect();
        return {tag: el.tagName, cls: el.className, index: el.dataset.cell, top: box.top, height: innerHeight,
                header: el.querySelector('.cell-no').textContent};
    }""")
    assert landed["tag"] == "ARTICLE" and "cell" in landed["cls"].split()
    assert landed["index"] == "5" and landed["header"] == "Cell 5"
    assert 0 <= landed["top"] < landed["height"]
    expect(target).to_be_in_viewport()
    # The sticky bar does not cover the cell's header.
    expect(target.locator(".cell-head")).to_be_in_viewport(ratio=1)
    # A second link, to a multi-line mark in another cell.
    page.locator("#finding-LEAK001-1 a.cell-link").first.click()
    assert page.evaluate("location.hash") == "#cell-3"
    expect(page.locator("#cell-3 span.line.mark-high")).to_have_count(3)
    expect(page.locator("#cell-3")).to_be_in_viewport()
    _assert_quiet(loaded)


def test_cell_marks_link_back_to_their_finding(open_page: Opener) -> None:
    loaded = open_page(render_report_html(sample_report(), executed_notebooks(), submitted_notebooks()))
    page = loaded.page
    page.locator("#cell-6 a.mark-link", has_text="EVAL004").click()
    assert page.evaluate("location.hash") == "#finding-EVAL004-1"
    expect(page.locator("#finding-EVAL004-1")).to_be_in_viewport()


# --------------------------------------------------------------------------- report: hostile content


def _click_everything(loaded: LoadedPage) -> None:
    """Click every link and summary inside candidate content (outbound links are blocked by the router anyway)."""
    page = loaded.page
    targets = page.locator(".md a, .html-output a, .md summary, .html-output summary")
    for n in range(targets.count()):
        element = targets.nth(n)
        if element.is_visible():
            element.click()
    page.locator(".md div", has_text="hover").first.hover()


def test_script_payloads_are_inert(open_page: Opener) -> None:
    loaded = open_page(render_report_html(hostile_report(), {HOSTILE_PATH: hostile_notebook()}))
    page = loaded.page
    title = page.title()
    assert title.endswith("take-home report")
    page.wait_for_timeout(500)  # long enough for a 0-second meta refresh or a deferred payload
    assert loaded.pwned() is None
    assert page.url == loaded.url
    _click_everything(loaded)
    page.wait_for_timeout(200)
    assert loaded.pwned() is None
    assert page.title() == title
    assert page.url.split("#")[0] == loaded.url
    _assert_quiet(loaded)
    # Nothing even tried to run: the sanitiser removed it before the CSP had to act.
    assert loaded.violations() == []
    # The payload texts are visible to the reviewer as text.
    assert "<script>window.__pwned=true</script>" in page.locator("#cell-1 pre.out").inner_text()
    assert page.locator("#cell-1").get_attribute("data-cell") == "1"


def test_the_csp_alone_stops_scripts_if_sanitising_ever_fails(
    open_page: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with nh3 switched off, the Content-Security-Policy still blocks every script."""
    monkeypatch.setattr(nh3, "clean", lambda html, **kw: html)
    notebook = hostile_notebook()
    # Navigation payloads (meta refresh) are outside what a CSP covers; the sanitiser test above handles them.
    notebook.cells[3]["source"] = "navigation payloads are tested with the sanitiser on"
    html = render_report_html(hostile_report(), {HOSTILE_PATH: notebook})
    assert "<script>window.__pwned=true</script>" in html  # the payloads really are in the page now
    loaded = open_page(html)
    page = loaded.page
    title = page.title()
    page.wait_for_timeout(300)
    _click_everything(loaded)
    page.wait_for_timeout(300)
    assert loaded.pwned() is None
    assert page.title() == title != "pwned"
    assert loaded.dialogs == [] and loaded.outside_requests == []
    assert loaded.csp_blocked  # e.g. the <img src=x>, refused by img-src before any fetch
    violations = loaded.violations()
    directives = {v["directive"] for v in violations}
    assert any(d.startswith("script-src") for d in directives), violations
    assert {"script-src-elem", "script-src-attr"} <= directives, directives
    assert {"frame-src", "object-src", "style-src-elem"} <= directives, directives


def test_a_script_injected_after_load_is_blocked_and_reported(open_page: Opener) -> None:
    loaded = open_page(render_report_html(sample_report(), executed_notebooks(), submitted_notebooks()))
    page = loaded.page
    page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = true';
        document.body.appendChild(s);
        const img = document.createElement('img');
        img.setAttribute('src', 'https://evil.example/pixel.png');
        document.body.appendChild(img);
    }""")
    page.wait_for_timeout(200)
    assert loaded.pwned() is None
    violations = loaded.violations()
    assert {v["directive"] for v in violations} >= {"script-src-elem", "img-src"}, violations
    assert loaded.csp_blocked == ["https://evil.example/pixel.png"]
    assert loaded.outside_requests == []  # it never reached the network


# --------------------------------------------------------------------------- screenshots


def test_screenshot_is_a_full_page_png(tmp_path: Path, browser: object) -> None:
    html = tmp_path / "report.html"
    html.write_text(render_report_html(sample_report(), executed_notebooks(), submitted_notebooks()), "utf-8")
    png = screenshot(html, tmp_path / "shots" / "report.png", browser=browser)  # type: ignore[arg-type]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1280 and height > 2000  # the whole page, not the first screen
