"""The reviewer's report page, rendered from hand-built reports and notebooks, checked in the parsed HTML."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from grader.models.execution import CellRecord, CellStatus, ExecutionRecord, RunStatus
from grader.models.findings import CheckResult, CheckStatus, Evidence, EvidenceSource, Finding, Severity
from grader.models.report import Deduction, GradingStatus, Report, SubmissionInfo, Total
from grader.rendering import render_report_html
from grader.rendering.cells import COLLAPSE_LINES
from tests.conftest import make_notebook, write_submission
from tests.rendering.builders import (
    APPENDIX,
    MAIN,
    PNG_B64,
    executed_notebooks,
    sample_report,
    submitted_notebooks,
)
from tests.rendering.conftest import soup
from tests.rendering.hostile import HOSTILE_NAME, HOSTILE_PATH, hostile_notebook, hostile_report


@pytest.fixture(scope="module")
def page() -> BeautifulSoup:
    return soup(render_report_html(sample_report(), executed_notebooks(), submitted_notebooks()))


def _text(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


def _cell(page: BeautifulSoup, index: int) -> Tag:
    cell = page.find(id=f"cell-{index}")
    assert isinstance(cell, Tag), f"no element with id cell-{index}"
    return cell


# --------------------------------------------------------------------------- top of the page


def test_the_verdict_comes_first_with_score_band_pending_flags_and_run_time(page: BeautifulSoup) -> None:
    report = sample_report()
    summary = page.find(id="summary")
    text = _text(summary)
    assert summary is page.find("main").find("section")  # type: ignore[union-attr]
    assert _text(summary.find("h1")) == "Alice Example"  # type: ignore[union-attr]
    assert "Customer churn" in text and "test-rubric v2" in text
    assert f"{report.total.score:g} / {report.total.max:g}" in text
    assert f"{report.total.percent} %" in text and report.total.band in text
    assert f"{report.total.pending:g} points pending" in text and "needs review" in text
    assert "kernel died in 12.3 s" in text
    kinds = [li["class"][1] for li in summary.select("ul.flags li")]  # type: ignore[union-attr]
    assert kinds == [f"flag-{f.kind.value}" for f in report.flags]
    assert {"flag-leakage", "flag-did_not_run", "flag-needs_review"} <= set(kinds)
    leak = summary.select_one("li.flag-leakage a")  # type: ignore[union-attr]
    assert leak is not None and leak["href"] == "#finding-LEAK001-1"


def test_chart_has_one_bar_per_criterion_scaled_to_its_points(page: BeautifulSoup) -> None:
    report = sample_report()
    groups = page.select("svg.chart > g")
    assert len(groups) == len(report.criteria)
    for group, criterion in zip(groups, report.criteria):
        assert criterion.title in _text(group.find("title"))
        track = group.select_one("rect.track")
        bar = group.select_one("rect.bar")
        assert track is not None
        if criterion.score:
            assert bar is not None
            ratio = float(bar["width"]) / float(track["width"])  # type: ignore[arg-type]
            assert ratio == pytest.approx(criterion.score / criterion.points_possible, abs=0.01)
        else:
            assert bar is None
    # The crashed and skipped checks' points are drawn as pending, not as zero.
    assert groups[2].select_one("rect.pending") is not None


# --------------------------------------------------------------------------- criteria and evidence


def test_every_deduction_shows_its_finding_with_evidence_linked_to_the_cell(page: BeautifulSoup) -> None:
    report = sample_report()
    deductions = [d for c in report.criteria for d in c.deductions if d.finding_id]
    assert deductions
    for deduction in deductions:
        finding = report.finding(deduction.finding_id)  # type: ignore[arg-type]
        assert finding is not None
        card = page.find(id="finding-" + finding.id.replace("#", "-"))
        assert isinstance(card, Tag)
        assert finding.message in _text(card)
        assert f"confidence {finding.confidence.value}" in _text(card)
        assert card.select_one(f".sev.sev-{finding.severity.value}") is not None
        links = [a["href"] for a in card.select("a.cell-link")]
        assert links == [f"#cell-{ev.cell}" for ev in finding.evidence if ev.cell is not None]
        for ev in finding.evidence:
            if ev.snippet:
                assert ev.snippet in card.get_text()
            if ev.note:
                assert ev.note in card.get_text()
        # The deduction sits right above its finding and says how much it cost.
        deduction_node = card.find_parent("li", class_="deduction")
        assert deduction_node is not None and f"−{deduction.points:g}" in _text(deduction_node)


def test_every_evidence_link_lands_on_the_cell_with_that_global_index(page: BeautifulSoup) -> None:
    links = page.select("a.cell-link")
    assert len(links) >= 6
    for link in links:
        index = int(str(link["href"]).removeprefix("#cell-"))
        target = _cell(page, index)
        assert target.name == "article" and "cell" in target["class"]
        assert target["data-cell"] == str(index)
    # Anchors number cells across notebooks (the appendix's first cell is #cell-7); the header
    # names it as the reviewer sees it, inside its notebook: cell 0.
    assert _cell(page, 7).find_parent("section", class_="notebook").h3.get_text().startswith(APPENDIX)  # type: ignore[union-attr]
    assert "Cell 0" in _text(_cell(page, 7).header)


def test_the_lines_evidence_points_at_are_highlighted_by_severity(page: BeautifulSoup) -> None:
    cell = _cell(page, 3)
    marked = {int(span["data-line"]): span["class"] for span in cell.select("span.line.mark")}  # type: ignore[arg-type]
    # LEAK001 points at lines 2–3 and line 4 (high); nothing else in the cell.
    assert sorted(marked) == [2, 3, 4]
    assert all("mark-high" in classes for classes in marked.values())
    assert "flagged-high" in cell["class"]
    positive = _cell(page, 4).select("span.line.mark")
    assert [(s["data-line"], "mark-info" in s["class"]) for s in positive] == [("2", True)]
    # Line numbers are those of the source, blank leading lines included.
    assert [s.select_one(".lno").get_text() for s in cell.select("span.line")] == ["1", "2", "3", "4", "5"]  # type: ignore[union-attr]


def test_cells_link_back_to_the_findings_that_point_at_them(page: BeautifulSoup) -> None:
    marks = {a["href"] for a in _cell(page, 6).select("a.mark-link")}
    assert marks == {"#finding-EXE001-2", "#finding-EVAL004-1"}


def test_positive_observations_are_shown_apart_from_problems(page: BeautifulSoup) -> None:
    card = page.find(id="finding-EDA001-1")
    assert isinstance(card, Tag)
    assert "positive" in card["class"]
    assert card.select_one(".sev").get_text() == "positive"  # type: ignore[union-attr]
    # Collapsed under a heading of their own, apart from the deductions.
    group = card.find_parent("details", class_="observations")
    assert isinstance(group, Tag) and group.summary is not None
    assert group.summary.get_text().startswith("Positive observations (")
    assert card.find_parent("li", class_="deduction") is None


def test_crashed_and_skipped_checks_are_listed_with_their_reasons(page: BeautifulSoup) -> None:
    # The title also appears in the pending-points list at the top; the check itself is in its criterion.
    titles = page.find_all(string=re.compile("The code is free of obvious defects"))
    crashed = next(li for t in titles if (li := t.find_parent("li", class_="check")) is not None)
    assert "check-review" in crashed["class"]
    assert "wait for a human reviewer" in _text(crashed)
    assert "ValueError: boom" in crashed.select_one("details.traceback").get_text()  # type: ignore[union-attr]
    table = page.find(id="not-scored")
    rows = [_text(tr) for tr in table.select("tbody tr")]  # type: ignore[union-attr]
    assert len(rows) == 2
    assert "QUAL001" in rows[0] and "needs review" in rows[0]
    assert "DOC001" in rows[1] and "no README.md in the submission" in rows[1]


def test_a_not_applicable_check_shows_n_a_and_why_instead_of_points() -> None:
    report = sample_report()
    criterion = report.criteria[0]
    score = criterion.checks[0].model_copy(
        update={"not_applicable": True, "points": 0.0, "note": "not applicable: the notebook does not resample rows"}
    )
    criterion = criterion.model_copy(update={"checks": [score, *criterion.checks[1:]]})
    page = soup(render_report_html(report.model_copy(update={"criteria": [criterion, *report.criteria[1:]]}), {}))
    item = next(li for li in page.select("li.check") if score.title in _text(li))
    points = _text(item.select_one(".check-points"))
    assert points.startswith("n/a (") and points.endswith("out of the total)")
    assert "does not resample rows" in _text(item) and "not applicable" in _text(item.select_one(".status"))


def test_a_check_with_nothing_to_credit_shows_its_points_unearned_and_why() -> None:
    report = sample_report()
    criterion = report.criteria[0]
    first = criterion.checks[0]
    nothing = Deduction(
        points=first.points_possible, check_id=first.check_id, reason="nothing to credit: no learned preprocessing"
    )
    score = first.model_copy(
        update={"status": "not_applicable", "points": 0.0, "note": "no learned preprocessing", "deductions": [nothing]}
    )
    criterion = criterion.model_copy(update={"checks": [score, *criterion.checks[1:]]})
    page = soup(render_report_html(report.model_copy(update={"criteria": [criterion, *report.criteria[1:]]}), {}))
    item = next(li for li in page.select("li.check") if score.title in _text(li))
    assert _text(item.select_one(".check-points")).startswith("0")
    assert "no credit" in _text(item.select_one(".status"))
    assert "this criterion credits work done" in _text(item)
    assert "nothing to credit: no learned preprocessing" in _text(item.select_one(".deductions"))


def test_followups_link_to_their_finding_and_cell(page: BeautifulSoup) -> None:
    report = sample_report()
    items = page.select("#followups li")
    assert len(items) == len(report.followups) >= 3
    for item, followup in zip(items, report.followups):
        assert followup.question in _text(item)
        hrefs = [a["href"] for a in item.select("a")]
        assert hrefs[0] == "#finding-" + str(followup.finding_id).replace("#", "-")
        assert page.find(id=str(hrefs[0])[1:]) is not None
        assert len(hrefs) == 2 and page.find(id=str(hrefs[1])[1:]) is not None


# --------------------------------------------------------------------------- the notebook


def test_cells_show_status_duration_and_error_class(page: BeautifulSoup) -> None:
    ok = _text(_cell(page, 1).header)
    assert "In [1]" in ok and "ok" in ok and "800 ms" in ok
    failing = _cell(page, 5)
    header = _text(failing.header)
    assert "error" in header and "NameError" in header and "candidate problem" in header
    assert "saved [7]" in header  # the count from the submitted notebook, when it differs
    assert "name 'X_tr' is not defined" in _text(failing.select_one(".out-error"))
    assert "not executed" in _text(_cell(page, 6).header)
    assert "markdown" in _text(_cell(page, 0).header)


def test_cells_that_did_not_run_show_saved_outputs_marked_as_not_reproduced(page: BeautifulSoup) -> None:
    not_run = _cell(page, 6).select_one(".outputs")
    assert not_run is not None and "from-submission" in not_run["class"]
    assert "not reproduced" in _text(not_run.select_one(".saved-banner"))
    assert "accuracy 0.97" in not_run.get_text()
    appendix = _cell(page, 8).select_one(".outputs.from-submission")
    assert appendix is not None and "appendix" in appendix.get_text()
    ran = _cell(page, 3).select_one(".outputs")
    assert ran is not None and "from-sandbox" in ran["class"] and ran.select_one(".saved-banner") is None


def test_saved_outputs_are_not_shown_without_the_submitted_notebook() -> None:
    page = soup(render_report_html(sample_report(), executed_notebooks()))
    assert _cell(page, 6).select_one(".outputs") is None
    assert "accuracy 0.97" not in page.select_one("#notebook").get_text()  # type: ignore[union-attr]
    missing = [s for s in page.select("section.notebook") if APPENDIX in s.h3.get_text()]  # type: ignore[union-attr]
    assert missing and "not available" in _text(missing[0])
    # The appendix cells are not in the view, but numbering after it is unaffected and links to them are plain text.
    assert page.find(id="cell-8") is None
    assert all(a["href"] != "#cell-8" for a in page.select("a"))


def test_rich_outputs_come_from_the_mime_allow_list(page: BeautifulSoup) -> None:
    table = _cell(page, 2).select_one(".html-output table")
    assert table is not None and table.find("style") is None and not table.get("class")
    assert [_text(th) for th in table.select("thead th")] == ["", "tenure", "churn"]
    image = _cell(page, 4).select_one(".out-image img")
    assert image is not None
    src = str(image["src"])
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == base64.b64decode(PNG_B64)
    assert "<Figure size" not in _cell(page, 4).get_text()  # the image wins over its text/plain fallback
    stderr = _cell(page, 3).select_one(".out-stderr")
    assert stderr is not None and "UserWarning" in stderr.get_text()


def _render_outputs(outputs: list[dict[str, object]], **kw: object) -> Tag:
    nb = make_notebook("x = 1", outputs={0: outputs}, counts=[1])
    report = Report(
        grader_version="0",
        generated_at="t",
        status=GradingStatus.graded,
        submission=SubmissionInfo(name="n", candidate="n", notebooks=[MAIN]),
        execution=ExecutionRecord(
            status=RunStatus.ok,
            notebooks=[MAIN],
            cells=[CellRecord(index=0, notebook=MAIN, local_index=0, status=CellStatus.ok, execution_count=1)],
        ),
        total=Total(score=0, max=0, percent=0, band=""),
    )
    return _cell(soup(render_report_html(report, {MAIN: nb}, **kw)), 0)  # type: ignore[arg-type]


def test_unknown_mime_types_are_named_not_rendered_and_metadata_is_never_copied() -> None:
    cell = _render_outputs(
        [
            {
                "output_type": "display_data",
                "metadata": {"image/png": {"width": 999, "height": 1}},
                "data": {"image/png": PNG_B64},
            },
            {"output_type": "display_data", "metadata": {}, "data": {"application/javascript": "alert(1)"}},
            {
                "output_type": "display_data",
                "metadata": {},
                "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x"}},
            },
            {"output_type": "display_data", "metadata": {}, "data": {"image/png": "bm90IGEgcG5n"}},
            {
                "output_type": "execute_result",
                "execution_count": 1,
                "metadata": {},
                "data": {"application/json": {"a": [1, 2]}},
            },
        ]
    )
    image = cell.select_one("img")
    assert image is not None and set(image.attrs) == {"src", "alt"}
    omitted = [_text(p) for p in cell.select(".out-omitted")]
    assert omitted == [
        "output of type application/javascript is not shown in reports",
        "output of type application/vnd.jupyter.widget-view+json is not shown in reports",
        "output of type image/png is not shown in reports",
    ]
    assert "alert(1)" not in cell.get_text()
    assert '"a": [' in cell.select_one(".out-json").get_text()  # type: ignore[union-attr]


def test_svg_outputs_are_only_ever_images() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    cell = _render_outputs([{"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": svg}}])
    assert cell.find("svg") is None
    image = cell.select_one(".out-image img")
    assert image is not None
    assert base64.b64decode(str(image["src"]).removeprefix("data:image/svg+xml;base64,")).decode() == svg


def test_long_outputs_are_collapsed() -> None:
    long_text = "".join(f"epoch {n}\n" for n in range(COLLAPSE_LINES * 3))
    cell = _render_outputs(
        [
            {"output_type": "stream", "name": "stdout", "text": long_text},
            {"output_type": "stream", "name": "stdout", "text": "short\n"},
        ]
    )
    collapsed = cell.select("details.out-text")
    assert len(collapsed) == 1 and "epoch 89" in collapsed[0].get_text()
    assert f"{COLLAPSE_LINES * 3 + 1} lines" in _text(collapsed[0].summary)
    assert [_text(p) for p in cell.select("pre.out-text")] == ["short"]


def test_markdown_is_rendered_and_links_keep_only_safe_schemes() -> None:
    page = soup(render_report_html(sample_report(), executed_notebooks(), submitted_notebooks()))
    markdown = _cell(page, 0).select_one(".md")
    assert markdown is not None
    assert _text(markdown.h1) == "Churn model" and _text(markdown.strong) == "usage"
    link = markdown.a
    assert link is not None and link["href"] == "https://example.org/docs"
    assert set(str(link["rel"]).split() if isinstance(link["rel"], str) else link["rel"]) >= {"noopener", "noreferrer"}


# --------------------------------------------------------------------------- safety


def test_hostile_content_is_escaped_or_dropped() -> None:
    html = render_report_html(hostile_report(), {HOSTILE_PATH: hostile_notebook()})
    page = soup(html)
    assert page.find_all("script") == []
    for tag in page.find_all(["iframe", "object", "embed", "form", "button", "base", "link", "svg", "math", "style"]):
        # Our own stylesheet and charts are the only ones allowed, in head and outside candidate content.
        assert tag.name in ("style", "svg") and tag.find_parent(class_=["md", "outputs", "html-output"]) is None
    for tag in page.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), f"event handler kept on <{tag.name}>: {name}"
            text = " ".join(value) if isinstance(value, list) else str(value)
            assert "javascript:" not in text.lower().replace(" ", ""), f"<{tag.name} {name}={text!r}>"
            if name in ("src", "href") and tag.name != "a":
                assert text.startswith("data:image/"), f"<{tag.name} {name}={text!r}>"
    metas = page.find_all("meta")
    assert all(m.get("http-equiv") in (None, "Content-Security-Policy") for m in metas)
    assert all(m.parent is not None and m.parent.name == "head" for m in metas)
    # A candidate's id="cell-1" cannot hijack the anchor of the real cell 1.
    assert len(page.select("#cell-1")) == 1 and page.select_one("#cell-1").name == "article"  # type: ignore[union-attr]
    # Payloads show up as text where a reviewer should see them.
    assert _text(page.find("h1")) == HOSTILE_NAME
    assert HOSTILE_PATH in page.select_one("section.notebook h3").get_text()  # type: ignore[union-attr]
    assert "<script>window.__pwned=true</script>" in _cell(page, 1).select_one("pre.out").get_text()  # type: ignore[union-attr]
    # The SVG attachment, the SVG output and the SVG <img> inside the HTML output survive only as <img> data URIs.
    images = [str(i.get("src", "")) for i in page.select("img")]
    assert sum(src.startswith("data:image/svg+xml;base64,") for src in images) == 3
    assert not any(src.startswith("data:image/png") for src in images)  # the fake PNG was rejected


def test_content_security_policy_allows_only_the_page_stylesheet_and_no_script() -> None:
    html = render_report_html(sample_report(), executed_notebooks(), submitted_notebooks())
    page = soup(html)
    head = page.head
    assert head is not None
    first, second = head.find_all("meta")[:2]
    assert first.get("charset") == "utf-8" and second["http-equiv"] == "Content-Security-Policy"
    policy = {d.split()[0]: d.split()[1:] for d in str(second["content"]).split("; ")}
    assert policy["default-src"] == ["'none'"] and policy["script-src"] == ["'none'"]
    assert policy["img-src"] == ["data:"] and policy["base-uri"] == ["'none'"]
    styles = head.find_all("style")
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].string.encode()).digest()).decode()  # type: ignore[union-attr]
    assert policy["style-src"] == [f"'sha256-{digest}'"]
    assert page.find_all(style=True) == []


# --------------------------------------------------------------------------- blind mode


def test_blind_mode_strips_emails_and_home_paths_from_markdown_outputs_and_findings() -> None:
    secrets = [
        "alice.smith@example.com",
        "/home/alice/projects/churn/data.csv",
        r"C:\Users\asmith\Desktop\data.csv",
        "/Users/alice/x.csv",
        "alice&#64;example.org",
    ]
    nb = make_notebook(
        (
            "md",
            f"By {secrets[0]} (contact: <a href='mailto:{secrets[0]}'>mail</a>), data in {secrets[1]}; "
            f"also {secrets[4]}",
        ),
        "df = load()",
        outputs={
            1: [
                {"output_type": "stream", "name": "stderr", "text": f'File "{secrets[1]}", line 3\n'},
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"text/html": f"<p>saved to {secrets[2]}</p>", "text/plain": "x"},
                },
                {
                    "output_type": "error",
                    "ename": "FileNotFoundError",
                    "evalue": secrets[3],
                    "traceback": [f"FileNotFoundError: {secrets[3]}"],
                },
            ]
        },
        counts=[1],
    )
    finding = Finding(
        id="X#1",
        check_id="X",
        message=f"reads {secrets[1]}",
        severity=Severity.low,
        evidence=[Evidence(cell=1, source=EvidenceSource.output, snippet=secrets[3], note=f"mailed by {secrets[0]}")],
    )
    report = Report(
        grader_version="0",
        generated_at="t",
        status=GradingStatus.graded,
        submission=SubmissionInfo(name="candidate-1234", candidate="candidate-1234", notebooks=[MAIN]),
        execution=ExecutionRecord(
            status=RunStatus.errors,
            notebooks=[MAIN],
            cells=[
                CellRecord(
                    index=1,
                    notebook=MAIN,
                    local_index=1,
                    status=CellStatus.error,
                    error_name="FileNotFoundError",
                    error_value=secrets[3],
                )
            ],
        ),
        checks=[
            CheckResult(
                id="X",
                slug="x",
                category="quality",
                version=1,
                title="x",
                status=CheckStatus.failed,
                findings=[finding],
            )
        ],
        total=Total(score=0, max=1, percent=0, band=""),
    )
    visible = render_report_html(report, {MAIN: nb})
    assert "alice.smith@example.com" in visible and "/home/alice" in visible
    blind = render_report_html(report, {MAIN: nb}, blind=True)
    text = soup(blind).get_text() + " ".join(str(a.get("href")) for a in soup(blind).find_all("a"))
    for needle in ("alice.smith", "example.com", "example.org", "/home/alice", "asmith", "/Users/alice", "mailto:"):
        assert needle not in text and needle not in blind, needle
    assert "[email]" in text and "[path]" in text
    assert "df = load()" in text  # code is left alone


def test_a_rejected_submission_still_gets_a_page_with_its_error() -> None:
    report = Report(
        grader_version="0",
        generated_at="t",
        status=GradingStatus.rejected,
        error="the submission has no notebook: put one .ipynb at the top of the folder",
        submission=SubmissionInfo(name="zed", candidate="zed"),
        execution=ExecutionRecord(status=RunStatus.not_run, reason="the submission has no notebook"),
        total=Total(score=0, max=10, percent=0, band=""),
    )
    page = soup(render_report_html(report, {}))
    callout = page.select_one("#summary .callout.error")
    assert callout is not None and "Rejected" in _text(callout) and "put one .ipynb" in _text(callout)
    assert "No notebook to show." in _text(page.find(id="notebook"))
    assert page.select("section.criterion") == []


@pytest.mark.parametrize("blind", [False, True])
def test_the_grader_writes_report_html_with_saved_outputs_and_blind_redaction(tmp_path: Path, blind: bool) -> None:
    from grader.api import load_rubric
    from grader.checks.registry import default_registry
    from grader.pipeline.grading import Grader, GradingOptions

    folder = write_submission(
        tmp_path / "alice-smith",
        ("md", "Contact: alice.smith@example.com"),
        "print(open('/home/alice/data.csv').read())",
        outputs={1: [{"output_type": "stream", "name": "stdout", "text": "read /home/alice/data.csv\n"}]},
        counts=[1],
    )
    grader = Grader(
        rubric=load_rubric("ml-takehome.yaml"),
        registry=default_registry(),
        sandbox=None,
        options=GradingOptions(execute=False, blind=blind),
    )
    grader.grade(folder, out_dir=tmp_path / "out")
    page = soup((tmp_path / "out" / "report.html").read_text("utf-8"))
    saved = _cell(page, 1).select_one(".outputs.from-submission")
    assert saved is not None  # the grader hands the submitted notebook to the renderer
    markdown, output = _text(_cell(page, 0).select_one(".md")), saved.get_text()
    if blind:
        assert _text(page.find("h1")).startswith("candidate-")
        assert markdown == "Contact: [email]" and "read [path]" in output
    else:
        assert _text(page.find("h1")) == "alice-smith"
        assert "alice.smith@example.com" in markdown and "/home/alice/data.csv" in output


def test_validity_gates_show_next_to_the_score_with_the_band_they_held_and_their_findings() -> None:
    from grader.models.report import AppliedCap

    report = sample_report()
    gates = [
        AppliedCap(
            reason="Leakage into the test data",
            max_percent=50,
            points_lost=12.5,
            finding_ids=["LEAK001#1"],
            max_band="weak",
            band_lowered_from="strong",
            band_lowered_to="weak",
        ),
        AppliedCap(
            reason="Results could not be verified",
            max_percent=80,
            points_lost=0,
            finding_ids=["EXE001#1"],
            max_band="average",
            band_lowered_from="strong",
            band_lowered_to="average",
        ),
    ]
    report.total = report.total.model_copy(update={"caps": gates})
    page = soup(render_report_html(report, executed_notebooks(), submitted_notebooks()))
    notes = [_text(n) for n in page.select("#summary .score .cap-note")]
    assert notes[0].startswith("Capped at 50 % (−12.5 points); band held at weak (would be strong): Leakage")
    assert notes[1].startswith("Band held at average (would be strong): Results could not be verified")
    links = [a["href"] for a in page.select("#summary .score .cap-note a")]
    assert links == ["#finding-LEAK001-1", "#finding-EXE001-1"]
