"""Every page opens offline: nothing is loaded from outside, and the only links are anchors or reports."""

from __future__ import annotations

import re

import pytest
from bs4 import Tag

from grader.rendering import render_index_html, render_report_html
from grader.report.summary import summary_rows
from tests.rendering.builders import RUBRIC, executed_notebooks, sample_report, submitted_notebooks
from tests.rendering.conftest import soup
from tests.rendering.hostile import HOSTILE_PATH, hostile_notebook, hostile_report

#: Attributes through which a page can fetch something.
RESOURCE_ATTRIBUTES = (
    "src",
    "srcset",
    "data",
    "poster",
    "background",
    "action",
    "formaction",
    "codebase",
    "manifest",
    "ping",
    "xlink:href",
    "icon",
    "lowsrc",
    "dynsrc",
)
EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def pages() -> dict[str, str]:
    report = sample_report()
    return {
        "report": render_report_html(report, executed_notebooks(), submitted_notebooks()),
        "report-blind": render_report_html(report, executed_notebooks(), submitted_notebooks(), blind=True),
        "report-without-notebooks": render_report_html(report, {}),
        "hostile": render_report_html(hostile_report(), {HOSTILE_PATH: hostile_notebook()}),
        "index": render_index_html(summary_rows({"alice": report, "bob": sample_report(candidate="Bob")}), RUBRIC),
    }


def _in_candidate_content(tag: Tag) -> bool:
    return tag.find_parent(class_=["md", "html-output"]) is not None


@pytest.mark.parametrize("name", list(pages()))
def test_page_loads_nothing_from_outside(name: str) -> None:
    html = pages()[name]
    page = soup(html)
    assert page.find_all("link") == [] and page.find_all("base") == []
    assert all(not s.get("src") for s in page.find_all("script"))
    for tag in page.find_all(True):
        for attribute in RESOURCE_ATTRIBUTES:
            value = tag.get(attribute)
            if value is None:
                continue
            assert tag.name == "img" and attribute == "src", f"<{tag.name} {attribute}={value!r}>"
            assert str(value).startswith("data:image/"), f"<img src={str(value)[:60]!r}>"
        href = tag.get("href")
        if href is None:
            continue
        href = str(href)
        if tag.name != "a":
            pytest.fail(f"<{tag.name} href={href!r}>")
        if href.startswith("#"):
            assert page.find(id=href[1:]) is not None, f"anchor {href} points nowhere"
        elif name == "index" and href.endswith("/report.html"):
            assert not EXTERNAL.match(href)
        else:
            # Only a candidate's own markdown/HTML may carry an outbound link (a navigation, never a fetch).
            assert _in_candidate_content(tag) and href.startswith(("https://", "http://", "mailto:")), href
    for style in page.find_all("style"):
        css = style.get_text()
        assert "@import" not in css and "@font-face" not in css
        assert re.findall(r"url\(", css) == []
    for tag in page.find_all(attrs={"fill": True}):
        assert not str(tag["fill"]).startswith("url(") or str(tag["fill"]).startswith("url(#")


def test_report_links_out_only_from_candidate_markdown() -> None:
    page = soup(pages()["report"])
    outbound = [a["href"] for a in page.find_all("a") if not str(a["href"]).startswith("#")]
    assert outbound == ["https://example.org/docs"]
