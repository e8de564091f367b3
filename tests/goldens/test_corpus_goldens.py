"""Snapshots of every sample-corpus report: the net under behaviour-preserving changes.

Two variants, each compared with `tests/goldens/corpus/<variant>/<assignment>/<candidate>.json`:

- `static`: every corpus submission graded without the sandbox (pylint included), fast and
  without Docker; also a digest of its HTML report, so rendering changes show up too.
- `executed`: the reports of the session's `graded_corpus` (Docker, traced), with the volatile
  parts of a real run normalised.

A refactoring must leave both unchanged. An intended change in checks, scoring or reports
updates them: `pytest tests/goldens --update-goldens`, then review the diff like code.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from grader.checks.registry import default_registry
from grader.models.findings import CheckStatus
from grader.models.report import GradingStatus, Report
from grader.models.rubric import Rubric
from grader.pipeline.grading import Grader, GradingOptions
from grader.rendering import render_report_html
from grader.report.followups import followups_for
from grader.scoring.rubric_file import load_rubric_file
from grader.scoring.score import score_rubric
from grader.submission.assignment import load_assignment
from grader.submission.loader import SubmissionLimits, open_submission
from tests.conftest import REPO
from tests.corpus import ASSIGNMENTS, Expected, corpus
from tests.goldens.test_report_goldens import VOLATILE, normalise

CORPUS_GOLDENS = Path(__file__).resolve().parent / "corpus"
KEYS = [f"{assignment}/{folder.name}" for assignment, folder, _ in corpus()]
FOLDERS = {f"{assignment}/{folder.name}": folder for assignment, folder, _ in corpus()}
#: The real-world twins (broken and fixed) add notebooks that do not run as committed; static only.
REAL_WORLD = REPO / "tests" / "real_world" / "corpus"
FOLDERS |= {
    f"real_world/{p.parent.name}/{p.name}": p
    for p in sorted(REAL_WORLD.glob("*/*"))
    if p.is_dir() and any(p.glob("*.ipynb"))
}
#: A fixed time for what the HTML prints of `generated_at`.
FIXED_TIME = "2000-01-01T00:00:00+00:00"
#: Checks whose verdict follows the machine's load (the runtime budget).
TIMED_CHECKS = {"EXE002"}
#: Checks whose outcome follows the predictions' values: they vary from run to run when the
#: notebook draws random numbers without a seed (the corpus plants that flaw on purpose).
#: Checks whose result an unseeded run's random draws decide (holdout scores and what is compared with them).
CHANCE_CHECKS = {"HOLD001", "HOLD002", "HOLD003", "EXE005", "EXE010", "EVAL009", "LEAK013"}
UNSEEDED = {f"{a}/{f.name}" for a, f, e in corpus() if any(flaw.name.value == "no-random-seed" for flaw in e.flaws)}


def _as_if_fast(report: Report, rubric: Rubric) -> Report:
    """The report as it would be had the run been fast: the runtime budget passed, scores recomputed.

    How long a notebook runs depends on the machine's load (a shared CI machine can make a
    60-second notebook take 130); everything else in the report must not.
    """
    checks = [
        c.model_copy(update={"status": CheckStatus.passed, "findings": [], "score": 1.0, "metric": None, "message": ""})
        if c.id in TIMED_CHECKS and c.status in (CheckStatus.passed, CheckStatus.failed)
        else c
        for c in report.checks
    ]
    criteria, total = score_rubric(rubric, checks)
    status = report.status
    if status in (GradingStatus.graded, GradingStatus.needs_review):
        status = GradingStatus.needs_review if total.needs_review else GradingStatus.graded
    fast = report.model_copy(update={"checks": checks, "criteria": criteria, "total": total, "status": status})
    fast.followups = followups_for(fast)
    return fast


#: A frame of the grader's own code inside the sandbox (the tracer wraps library calls), as
#: IPython prints it in a candidate's traceback: its file, line and source are the
#: executor's layout, not the candidate's work.
EXECUTOR_FRAME = re.compile(r"File /opt/thg/thg_executor/[^\n]*\n(?:(?:-+> *| +)\d+[^\n]*\n)*")


def _without_executor_frames(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_executor_frames(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_executor_frames(v) for v in value]
    if isinstance(value, str) and "/opt/thg/thg_executor/" in value:
        return EXECUTOR_FRAME.sub("File <grader executor>\n", value)
    return value


def _executed_normalise(data: dict[str, Any], key: str) -> dict[str, Any]:
    """A real run's report without what legitimately changes between runs on a shared machine."""
    data = _without_executor_frames(data)
    data["environment"].pop("cache", None)
    for cell in data["execution"]["cells"]:
        # Notebooks that print their own fit times write a few bytes more or less each run.
        cell["output_bytes"] = VOLATILE
    if key in UNSEEDED:
        _without_chance(data)
    return data


def _without_chance(data: dict[str, Any]) -> None:
    """Keep what an unseeded notebook does every time; drop the scores its random draws decide."""
    data["checks"] = [{"id": c["id"], "slug": c["slug"]} if c["id"] in CHANCE_CHECKS else c for c in data["checks"]]
    for criterion in data["criteria"]:
        criterion["score"] = VOLATILE
        criterion["deductions"] = [d for d in criterion["deductions"] if d["check_id"] not in CHANCE_CHECKS]
        criterion["checks"] = [
            {"check_id": c["check_id"]} if c["check_id"] in CHANCE_CHECKS else c for c in criterion["checks"]
        ]
    data["total"]["score"] = data["total"]["percent"] = VOLATILE
    for cap in data["total"]["caps"]:
        cap["points_lost"] = VOLATILE
    if data.get("holdout"):
        data["holdout"]["score"] = VOLATILE
        data["holdout"]["extra"] = dict.fromkeys(data["holdout"]["extra"], VOLATILE)
    data["followups"] = VOLATILE
    data["flags"] = [f for f in data["flags"] if f["kind"] != "holdout_gap"]
    # How many saved outputs the re-run reproduced depends on the draws too.
    for run in data["execution"].get("profile_runs") or []:
        run["outputs_matched"] = VOLATILE


def _compare(actual: dict[str, Any], golden: Path, request: pytest.FixtureRequest) -> None:
    text = json.dumps(actual, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, "utf-8")
        return
    if not golden.is_file():
        pytest.fail(f"{golden} does not exist: run `pytest tests/goldens --update-goldens` and review it")
    expected = json.loads(golden.read_text("utf-8"))
    differences = _differences(expected, actual)
    assert not differences, (
        f"{golden.relative_to(REPO)} differs (golden != actual):\n  "
        + "\n  ".join(differences[:25])
        + "\nif the change is intended, run `pytest tests/goldens --update-goldens` and review the diff"
    )


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """The paths where two JSON values differ, with both values (short)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for n, (x, y) in enumerate(zip(a, b)) for d in _differences(x, y, f"{path}[{n}]")]
    return [] if a == b else [f"{path}: {str(a)[:100]!r} != {str(b)[:100]!r}"]


def _static_grader(assignment_name: str) -> Grader:
    registry = default_registry()
    assignment = load_assignment(ASSIGNMENTS / assignment_name)
    return Grader(
        rubric=load_rubric_file(assignment.rubric_path(), registry),
        registry=registry,
        assignment=assignment,
        sandbox=None,
        options=GradingOptions(execute=False, write_html=False),
    )


def _assignment_of(key: str) -> str:
    return "churn" if key.startswith("real_world/") else key.split("/")[0]


def _html_digest(report: Report, folder: Path, assignment: str) -> str:
    """The digest of the HTML page of a static report, with its time fixed."""
    notebook = load_assignment(ASSIGNMENTS / assignment).assignment.notebook
    with open_submission(folder, notebook=notebook, limits=SubmissionLimits()) as submission:
        submitted = {nb.path: nb.node for nb in submission.notebooks}
    fixed = report.model_copy(update={"generated_at": FIXED_TIME})
    html = render_report_html(fixed, {}, submitted).replace(str(REPO), "<repo>")
    return hashlib.sha256(html.encode()).hexdigest()


@pytest.mark.parametrize("key", sorted(FOLDERS))
def test_static_corpus_report_matches_golden(key: str, request: pytest.FixtureRequest) -> None:
    folder = FOLDERS[key]
    report = _static_grader(_assignment_of(key)).grade(folder)
    actual = normalise(report.model_dump(mode="json"), str(REPO))
    actual["html_sha256"] = _html_digest(report, folder, _assignment_of(key))
    _compare(actual, CORPUS_GOLDENS / "static" / f"{key}.json", request)


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_executed_corpus_report_matches_golden(
    key: str, graded_corpus: dict[str, tuple[Report, Expected, Path]], request: pytest.FixtureRequest
) -> None:
    report, _, out = graded_corpus[key]
    assignment = load_assignment(ASSIGNMENTS / key.split("/")[0])
    rubric = load_rubric_file(assignment.rubric_path(), default_registry()).rubric
    data = _as_if_fast(report, rubric).model_dump(mode="json")
    actual = _executed_normalise(normalise(normalise(data, str(REPO)), str(out.parent.parent)), key)
    _compare(actual, CORPUS_GOLDENS / "executed" / f"{key}.json", request)


def test_every_corpus_submission_has_goldens() -> None:
    for variant, keys in (("static", set(FOLDERS)), ("executed", set(KEYS))):
        found = {
            str(p.relative_to(CORPUS_GOLDENS / variant)).removesuffix(".json")
            for p in (CORPUS_GOLDENS / variant).rglob("*.json")
        }
        assert found == keys, f"{variant}: {sorted(found ^ keys)}"
