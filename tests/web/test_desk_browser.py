"""The reviewer's desk in headless Chromium: overrides and dismissals from the report's forms, the assignment's
sortable, filterable summary with links, progress, re-grade, delete, downloads, and blind mode leaking nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from grader.rendering.screenshots import CHROMIUM, CHROMIUM_ARGS
from tests.web.conftest import PASSWORD, USER, Server, login, notebook_bytes, start_server, wait_for_job

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: What blind mode must hide: the name typed in the form, the uploaded folder's name, an e-mail, a home path.
SECRETS = ("Jane Doe", "jane-doe", "jane.doe@example.com", "/home/jane")
BLIND_CELLS = (
    # A name the candidate writes in their own text is not known to the grader; what it knows must go.
    ("md", "# Churn model\nQuestions to jane.doe@example.com."),
    "import pandas as pd\ntrain = pd.read_csv('/home/jane/take-home/data/train.csv')\ntrain.shape",
    "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(train[['x']], train['y'])",
)


@dataclass
class Desk:
    server: Server
    data: Path
    client: httpx.Client
    jobs: dict[str, str]


def _upload(client: httpx.Client, csrf: str, folder: str, notebook: bytes, **fields: str) -> str:
    response = client.post(
        "/api/uploads",
        headers={"X-CSRF-Token": csrf},
        data={"assignment": "tiny", **fields},
        files=[("files", (f"{folder}/analysis.ipynb", notebook))],
    )
    assert response.status_code == 201, response.text
    job_id: str = response.json()["id"]
    return job_id


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A server grading with the fake (static, 1.5 s) grader, with three graded candidates, one of them blind."""
    root = tmp_path_factory.mktemp("desk")
    server = start_server(root, fake=True, env={"GRADER_FAKE_SLEEP": "1.5"})
    data = root / "data"
    client = httpx.Client(base_url=server.url, timeout=30)
    try:
        csrf = login(client)
        jobs = {
            "alice": _upload(client, csrf, "alice", notebook_bytes(), candidate="Alice Example"),
            "bob": _upload(client, csrf, "bob", notebook_bytes("import pandas as pd", "x = 1"), candidate="Bob Bare"),
            "jane": _upload(
                client, csrf, "jane-doe", notebook_bytes(*BLIND_CELLS), candidate="Jane Doe", anonymous="on"
            ),
        }
        for job_id in jobs.values():
            assert wait_for_job(client, job_id, timeout=60)["state"] == "done"
        yield Desk(server=server, data=data, client=client, jobs=jobs)
    finally:
        client.close()
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, desk: Desk) -> Iterator[Any]:
    """A logged-in page; fails the test if our own policy blocked anything on our own pages."""
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(desk.server.url + "/")
    page.fill("input[name=name]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(desk.server.url + "/")
    yield page
    context.close()
    assert not blocked, blocked


def _report_json(desk: Desk, job_id: str) -> dict[str, Any]:
    data: dict[str, Any] = desk.client.get(f"/jobs/{job_id}/report.json").json()
    return data


def _row(page: Any, job_id: str) -> Any:
    return page.locator(f'#candidates tbody tr[data-job="{job_id}"]')


def test_the_summary_sorts_filters_and_links_to_each_report(page: Any, desk: Desk) -> None:
    from playwright.sync_api import expect

    page.goto(f"{desk.server.url}/assignments/tiny")
    expect(page.locator("h1")).to_contain_text("Tiny take-home")
    rows = page.locator("#candidates tbody tr")
    expect(rows).to_have_count(3)
    # Criteria are columns with their points, not a string.
    headers = page.locator("#candidates thead th").all_inner_texts()
    assert any("Exploratory data analysis" in h for h in headers), headers
    names = page.locator("#candidates tbody td.name a")
    scores = {
        row["candidate"]: row["score"] for row in desk.client.get("/api/assignments/tiny/summary").json()["submissions"]
    }
    page.locator("#candidates thead th button", has_text="Total").click()
    shown = names.all_inner_texts()
    assert [scores[n] for n in shown] == sorted(scores.values(), reverse=True), (shown, scores)
    page.fill("#filter-text", "bob")
    expect(page.locator("#candidates tbody tr:not([hidden])")).to_have_count(1)
    expect(page.locator("#shown-count")).to_have_text("1")
    page.fill("#filter-text", "")
    expect(page.locator("#candidates tbody tr:not([hidden])")).to_have_count(3)
    # Each name links straight to its report, which links back and has log-out.
    link = _row(page, desk.jobs["alice"]).locator("td.name a")
    assert link.get_attribute("href") == f"/jobs/{desk.jobs['alice']}/report"
    link.click()
    page.wait_for_url(f"{desk.server.url}/jobs/{desk.jobs['alice']}/report")
    expect(page.locator("#total-score")).to_be_visible()
    page.click("#back-link")
    page.wait_for_url(f"{desk.server.url}/assignments/tiny")
    expect(page.locator("#logout")).to_be_visible()


def test_overrides_and_dismissals_from_the_report_forms(page: Any, desk: Desk) -> None:
    from playwright.sync_api import expect

    job = desk.jobs["alice"]
    before = _report_json(desk, job)
    automatic = before["total"]["score"]
    eda = next(c for c in before["criteria"] if c["id"] == "eda")
    points = 14 if eda["score"] < 14 else 10
    page.goto(f"{desk.server.url}/jobs/{job}/report")
    form = page.locator("#override-criterion")
    form.locator("select[name=target]").select_option("eda")
    form.locator("input[name=points]").fill(str(points))
    form.locator("input[name=reason]").fill("the plots in the appendix count")
    form.locator("button[type=submit]").click()
    expect(page.locator("#desk-notice")).to_have_text("Override recorded.")
    expect(page.locator("#review-history")).to_contain_text("the plots in the appendix count")
    expect(page.locator("#review-history")).to_contain_text(USER)
    expect(page.locator("#automatic-score")).to_contain_text(f"automatic score {automatic:g}")
    after = _report_json(desk, job)
    assert after["total"]["score"] == automatic  # the automatic score is kept
    final = round(automatic - eda["score"] + points, 2)
    assert after["total"]["final"] == final
    expect(page.locator("#total-score")).to_contain_text(f"{final:g}")
    assert [(o["kind"], o["criterion_id"], o["points"], o["reviewer"]) for o in after["overrides"]] == [
        ("criterion", "eda", points, USER)
    ]

    # Dismiss a finding: it stops counting and stays visible, marked dismissed.
    dismiss = page.locator("#dismiss-finding")
    finding = dismiss.locator("select[name=target] option").first.get_attribute("value")
    dismiss.locator("select[name=target]").select_option(finding)
    dismiss.locator("input[name=reason]").fill("a false positive on this data")
    dismiss.locator("button[type=submit]").click()
    expect(page.locator("#desk-notice")).to_have_text("Finding dismissed.")
    entries = _report_json(desk, job)["overrides"]
    assert [(e["kind"], e["finding_id"]) for e in entries][-1] == ("dismiss", finding)
    expect(page.locator("#review-history")).to_contain_text("a false positive on this data")
    assert finding not in page.locator("#dismiss-finding select[name=target]").inner_text()

    # A wrong override is refused with what to fix, and nothing is recorded.
    form = page.locator("#override-criterion")
    form.locator("select[name=target]").select_option("eda")
    form.locator("input[name=points]").fill("99")
    form.locator("input[name=reason]").fill("typo")
    form.locator("button[type=submit]").click()
    expect(page.locator("#desk-notice.notice-error")).to_contain_text("is worth 14 points; 99 is more than that")
    assert len(_report_json(desk, job)["overrides"]) == 2

    # The summary uses the final and says so.
    page.goto(f"{desk.server.url}/assignments/tiny")
    expect(_row(page, job)).to_have_attribute("data-reviewed", "1")
    expect(_row(page, job)).to_contain_text(f"auto {automatic:g}")


def test_downloads_of_report_json_executed_notebook_and_csv(page: Any, desk: Desk) -> None:
    job = desk.jobs["alice"]
    # The fake grader does not execute; place the executed notebook where the real grader writes it.
    (attempt,) = list((desk.data / "reports" / job).iterdir())
    (attempt / "executed").mkdir(exist_ok=True)
    (attempt / "executed" / "analysis.ipynb").write_bytes(notebook_bytes())
    page.goto(f"{desk.server.url}/jobs/{job}/report")
    with page.expect_download() as info:
        page.click("#download-json")
    report = json.loads(Path(info.value.path()).read_text())
    assert report["submission"]["candidate"] == "Alice Example"
    with page.expect_download() as info:
        page.click("#download-executed-0")
    assert json.loads(Path(info.value.path()).read_text())["cells"]
    assert info.value.suggested_filename.endswith("analysis.ipynb")
    page.goto(f"{desk.server.url}/assignments/tiny")
    with page.expect_download() as info:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert {"cap", "pending", "reviewed", "automatic_total"} <= set(rows[0])
    assert "Alice Example" in {r["candidate"] for r in rows}


def test_compare_two_checked_candidates_and_refuse_one_or_five(page: Any, desk: Desk) -> None:
    from playwright.sync_api import expect

    alice, bob = desk.jobs["alice"], desk.jobs["bob"]
    page.goto(f"{desk.server.url}/assignments/tiny")
    link = page.locator("#compare-link")
    _row(page, alice).locator("input.pick").check()
    link.click(force=True)  # aria-disabled with one checked: a clear message, no navigation
    expect(page.locator("#compare-message")).to_have_text("Check 2 to 4 graded candidates to compare (1 checked).")
    assert page.url == f"{desk.server.url}/assignments/tiny"
    _row(page, bob).locator("input.pick").check()
    expect(page.locator("#picked-count")).to_have_text("2")
    link.click()
    page.wait_for_url(f"{desk.server.url}/assignments/tiny/compare?c=*")
    heads = page.locator("#compare thead th.cand")
    expect(heads).to_have_count(2)
    assert sorted(t.strip() for t in heads.all_inner_texts()) == ["Alice Example", "Bob Bare"]
    # The same page as `grader compare`: criteria side by side, each name links to its report in the app.
    expect(page.locator("#compare-criteria")).to_be_visible()
    links = {a.inner_text().strip(): a.get_attribute("href") for a in heads.locator("a").all()}
    assert links == {"Alice Example": f"/jobs/{alice}/report", "Bob Bare": f"/jobs/{bob}/report"}
    page.click("#back-to-summary")
    page.wait_for_url(f"{desk.server.url}/assignments/tiny")

    # Five (or one) named in the address: the same message, from the server.
    keys = ",".join(f"k{n}" for n in range(5))
    response = desk.client.get(f"/assignments/tiny/compare?c={keys}")
    assert response.status_code == 400 and "Check 2 to 4 graded candidates to compare (5 checked)" in response.text
    # Behind login: a fresh client is sent to log in.
    with httpx.Client(base_url=desk.server.url) as anonymous:
        response = anonymous.get("/assignments/tiny/compare?c=a,b", follow_redirects=False)
        assert response.status_code in (303, 401), response.status_code
        assert "Alice" not in response.text


def test_regrade_shows_progress_and_delete_asks_first(page: Any, desk: Desk) -> None:
    from playwright.sync_api import expect

    job = desk.jobs["bob"]
    # A reviewer's override before the re-grade survives it (carried over, marked as such).
    criterion = _report_json(desk, job)["criteria"][0]
    csrf = desk.client.get("/api/me").json()["csrf_token"]
    response = desk.client.post(
        f"/jobs/{job}/review",
        data={
            "action": "criterion",
            "target": criterion["id"],
            "points": str(criterion["points_possible"]),
            "reason": "kept across the re-grade",
            "csrf_token": csrf,
        },
    )
    assert response.status_code in (200, 303), response.text
    reviewed = _report_json(desk, job)
    assert reviewed["total"]["final"] is not None
    page.goto(f"{desk.server.url}/assignments/tiny")
    page.click(f"#regrade-{job}")
    page.wait_for_url(f"{desk.server.url}/assignments/tiny")
    row = _row(page, job)
    assert row.get_attribute("data-status") in ("queued", "running")
    expect(row.locator(".progress-text")).not_to_be_empty()
    # The page polls and reloads itself when the job is graded again.
    expect(_row(page, job)).to_have_attribute("data-status", "graded", timeout=30_000)
    assert desk.client.get(f"/api/jobs/{job}").json()["attempts"] == 2
    regraded = _report_json(desk, job)
    assert regraded["generated_at"] != reviewed["generated_at"]
    [entry] = regraded["overrides"]
    assert (entry["criterion_id"], entry["reason"], entry["carried_from"]) == (
        criterion["id"],
        "kept across the re-grade",
        reviewed["generated_at"],
    )
    assert regraded["total"]["final"] == reviewed["total"]["final"]
    page.goto(f"{desk.server.url}/jobs/{job}/report")
    expect(page.locator("#review-history")).to_contain_text("carried over from the grading of")
    page.goto(f"{desk.server.url}/assignments/tiny")

    page.click(f"#delete-{job}")
    page.wait_for_url(f"{desk.server.url}/jobs/{job}/delete")
    expect(page.locator("h1")).to_contain_text("Delete Bob Bare?")
    page.click("#confirm-delete")
    page.wait_for_url(f"{desk.server.url}/assignments/tiny")
    expect(_row(page, job)).to_have_count(0)
    assert desk.client.get(f"/api/jobs/{job}").status_code == 404
    assert not (desk.data / "reports" / job).exists() and not (desk.data / "uploads" / job).exists()


def test_blind_mode_shows_no_name_email_or_path_anywhere(page: Any, desk: Desk) -> None:
    job = desk.jobs["jane"]
    leaks = (*SECRETS, str(desk.data))
    texts = {}
    for path in (f"/jobs/{job}/report", f"/jobs/{job}", "/assignments/tiny", "/"):
        page.goto(desk.server.url + path)
        texts[path] = page.content()
    texts["report.json"] = desk.client.get(f"/jobs/{job}/report.json").text
    texts["api"] = desk.client.get(f"/api/jobs/{job}/report").text
    texts["csv"] = desk.client.get("/assignments/tiny/summary.csv").text
    report = json.loads(texts["report.json"])
    assert report["submission"]["blind"] is True and report["submission"]["source"] == ""
    assert report["submission"]["candidate"].startswith("candidate-") or report["submission"]["candidate"] != "Jane Doe"
    for where, text in texts.items():
        found = [secret for secret in leaks if secret.lower() in text.lower()]
        assert not found, (where, found)
    # The notebook is still shown, redacted.
    assert "[email]" in texts[f"/jobs/{job}/report"] and "[path]" in texts[f"/jobs/{job}/report"]
