"""The worker side without Docker or a broker: what it refuses, and a static grading end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import api
from grader.distributed.remote import RemoteGrader, settle_holdout
from grader.distributed.tasks import WorkerConfig, WorkerRuntime
from grader.distributed.transport import MAX_RESULT_ARCHIVE_BYTES, submitted_notebooks, unpack
from grader.models.report import Report
from grader.pipeline.files import load_report
from tests.adversarial.test_adversarial import _comparable, _differences
from tests.conftest import REPO

CHURN = REPO / "sample_datasets" / "churn"
SUBMISSION = REPO / "submissions" / "churn" / "ahmed-hassan"


def _remote(**options: object) -> RemoteGrader:
    grader = api.make_grader(assignment=CHURN, execute=False, **options)  # type: ignore[arg-type]
    return RemoteGrader(
        rubric=grader.rubric, registry=grader.registry, assignment=grader.assignment, options=grader.options
    )


def _runtime(tmp_path: Path, hard_time_limit: int = 9000) -> WorkerRuntime:
    return WorkerRuntime(
        WorkerConfig(
            node="grader@test",
            image="unused",
            runtime=None,
            work_dir=tmp_path / "work",
            hard_time_limit=hard_time_limit,
            max_deliveries=3,
        )
    )


def test_a_worker_refuses_what_it_cannot_grade_faithfully(tmp_path: Path) -> None:
    job = _remote().job_for(SUBMISSION, "ahmed-hassan", None)
    assert job.options.write_html is False, "the labels are here: the HTML is rendered once the holdout is in"
    other = job.model_copy(update={"grader_version": "0.0.1"})
    assert "same grader version" in _runtime(tmp_path).grade(other, 1).reason
    short = _runtime(tmp_path, hard_time_limit=60).grade(job, 2)
    assert short.report is None and "300 s" in short.reason and short.deliveries == 2


def test_static_grading_on_a_worker_matches_local_grading(tmp_path: Path) -> None:
    remote = _remote()
    job = remote.job_for(SUBMISSION, "ahmed-hassan", "Ahmed")
    outcome = _runtime(tmp_path).grade(job, 1)
    assert outcome.report is not None, outcome.reason
    folder = unpack(outcome.report, tmp_path / "back", cap=MAX_RESULT_ARCHIVE_BYTES)
    report = settle_holdout(remote, load_report(folder / "report.json"), folder, submitted_notebooks(SUBMISSION, job))
    assert report.environment["worker"] == "grader@test" and report.environment["delivery"] == 1
    assert report.submission.source == str(SUBMISSION) and report.submission.candidate == "Ahmed"
    assert (folder / "report.html").is_file()
    local = api.make_grader(assignment=CHURN, execute=False).grade(SUBMISSION, name="ahmed-hassan", candidate="Ahmed")
    assert not _differences(_comparable(local), _comparable(report))


def test_blind_grading_stays_blind_through_a_worker(tmp_path: Path) -> None:
    remote = _remote(blind=True)
    job = remote.job_for(SUBMISSION, "ahmed-hassan", None)
    assert job.source == ""
    outcome = _runtime(tmp_path).grade(job, 1)
    assert outcome.report is not None, outcome.reason
    folder = unpack(outcome.report, tmp_path / "back", cap=MAX_RESULT_ARCHIVE_BYTES)
    report = load_report(folder / "report.json")
    assert report.submission.candidate.startswith("candidate-") and report.submission.source == ""
    local = api.make_grader(assignment=CHURN, execute=False, blind=True).grade(SUBMISSION, name="ahmed-hassan")
    assert report.submission.candidate == local.submission.candidate
    assert not _differences(_comparable(local), _comparable(report))


def test_grading_through_a_broker_into_a_reviewed_folder_carries_the_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The submitting side carries the review over as local grading does (the worker's part graded here)."""
    local = api.make_grader(assignment=CHURN, execute=False)

    def graded_by_a_worker(
        path: Path, name: str, candidate: str | None, scratch: Path, target: Path | None
    ) -> tuple[Report, Path]:
        folder = scratch / "result"
        return local.grade(path, out_dir=folder, name=name, candidate=candidate), folder

    remote = _remote()
    monkeypatch.setattr(remote, "_grade_remote", graded_by_a_worker)
    out = tmp_path / "out" / "ahmed-hassan"
    first = remote.grade(SUBMISSION, out_dir=out, name="ahmed-hassan")
    criterion = first.criteria[0]
    api.review(out, criterion=criterion.id, points=0, reason="reviewed by hand", reviewer="Ann")
    reviewed = load_report(out / "report.json")

    again = remote.grade(SUBMISSION, out_dir=out, name="ahmed-hassan")
    assert [(e.criterion_id, e.points, e.carried_from) for e in again.overrides] == [
        (criterion.id, 0.0, reviewed.generated_at)
    ]
    assert again.total.final == reviewed.total.final and load_report(out / "report.json") == again
    assert "carried over from the grading of" in (out / "report.html").read_text()
