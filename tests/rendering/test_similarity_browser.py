"""The side-by-side page of a similar pair in real Chromium: reached from both reports and the index, inert payloads."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from grader import api
from grader.pipeline.batch import BatchResult
from grader.rendering.similarity_page import Side, render_similarity_html, report_link
from grader.similarity.models import SimilarPair
from tests.rendering.conftest import CSP_LISTENER, LoadedPage
from tests.rendering.hostile import HOSTILE_NAME, PWN, SCRIPT_MARKDOWN
from tests.similarity.batches import make_assignment, static_grader, write_batch

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> BatchResult:
    root = tmp_path_factory.mktemp("similar-pages")
    folders = write_batch(root)
    for name in ("dave", "erin", "gina"):
        (folders["submissions"] / name).rename(root / name)
    return api.grade_batch(
        folders["submissions"],
        out=root / "out",
        grader=static_grader(make_assignment(root / "assignment")),
        references=folders["references"],
        jobs=2,
    )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.add_init_script(CSP_LISTENER)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    yield tab
    assert errors == []
    context.close()


def _side_by_side(tab: Page) -> None:
    """The matching cells of the two notebooks sit next to each other, row by row."""
    left, right = tab.locator(".pair-side.side-a").first, tab.locator(".pair-side.side-b").first
    a, b = left.bounding_box(), right.bounding_box()
    assert a is not None and b is not None
    assert a["x"] + a["width"] <= b["x"] and abs(a["y"] - b["y"]) < 2
    assert tab.locator(".pair-side.side-a article.cell").count() >= 2
    assert tab.evaluate("window.__csp") == []


def test_both_reports_link_to_the_side_by_side_page(batch: BatchResult, page: Page) -> None:
    pair = next(p for p in batch.similarity.pairs if not p.reference)  # type: ignore[union-attr]
    target = (batch.out_dir / str(pair.page)).as_uri()
    for name in (pair.a, pair.b):
        page.goto((batch.out_dir / name / "report.html").as_uri())
        flag = page.locator("li.flag-similar")
        assert (pair.b if name == pair.a else pair.a) in flag.inner_text()
        flag.get_by_role("link", name="side by side").click()
        page.wait_for_url(target)
        assert page.locator(".pair-head h1").inner_text() == f"{pair.a} and {pair.b}"
        _side_by_side(page)
    page.get_by_role("link", name=f"Report: {pair.b}").click()
    page.wait_for_url((batch.out_dir / pair.b / "report.html").as_uri())


def test_the_batch_index_links_every_pair(batch: BatchResult, page: Page) -> None:
    page.goto((batch.out_dir / "index.html").as_uri())
    rows = page.locator("#similar-pairs tbody tr")
    assert rows.count() == len(batch.similarity.pairs) == 2  # type: ignore[union-attr]
    reference = rows.filter(has_text="public solution")
    assert "frank" in reference.inner_text()
    reference.get_by_role("link", name="side by side").click()
    page.wait_for_url("**/similarity/pair-*.html")
    assert "public solution" in page.locator(".pair-head").inner_text()
    assert page.get_by_role("link", name="Report: frank").count() == 1
    _side_by_side(page)
    page.get_by_role("link", name="Batch summary").click()
    page.wait_for_url((batch.out_dir / "index.html").as_uri())


def test_hostile_cells_and_names_stay_inert(open_page: Callable[..., LoadedPage]) -> None:
    code = f"print('</pre><script>{PWN}</script>')\nx = '<img src=x onerror={PWN}>'"
    cells = {0: ("markdown", SCRIPT_MARKDOWN), 1: ("code", code)}
    pair = SimilarPair(
        a=HOSTILE_NAME,
        b="evil",
        score=0.9,
        code_score=0.9,
        matched=40,
        a_fingerprints=44,
        b_fingerprints=45,
        matched_cells=[(0, 0), (1, 1)],
    )
    html = render_similarity_html(
        pair,
        Side(HOSTILE_NAME, report_link(HOSTILE_NAME), cells),
        Side("evil", report_link("evil"), cells),
        blind=False,
    )
    loaded = open_page(html, "batch/similarity/pair-0.html")
    tab = loaded.page
    assert loaded.pwned() is None and loaded.dialogs == [] and loaded.errors == []
    assert loaded.outside_requests == []
    assert tab.title() != "pwned"
    assert f"<script>{PWN}</script>" in tab.locator(".side-a pre.code").inner_text()
    assert tab.locator(".side-a .md script, .side-a .md iframe, .side-a .md svg").count() == 0
    assert HOSTILE_NAME in tab.locator("#name-a").inner_text()
    href = tab.get_by_role("link", name=f"Report: {HOSTILE_NAME}").get_attribute("href")
    assert href is not None and href.startswith("../") and "<" not in href and '"' not in href
    _side_by_side(tab)
