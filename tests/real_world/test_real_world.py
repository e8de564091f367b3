"""Real-world submissions that do not run cleanly, graded against their fixed twins (issue 10).

Each case of `tests/real_world/corpus/` is graded twice with the real sandbox: the broken
submission and the same work fixed. The broken one must be graded (no crash), fail the way
the case says (run status, triage class of the first failing cell), be found by the checks
meant for that failure with evidence, and lose points only on those checks: every other
check gives both twins the same points.
"""

from __future__ import annotations

import hashlib
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from grader.checks.registry import default_registry
from grader.models.execution import CellStatus, PackageStatus
from grader.models.findings import CheckStatus, EvidenceSource
from grader.models.report import GradingStatus, Report
from grader.pipeline.grading import Grader, GradingOptions
from grader.scoring.rubric_file import load_rubric_file
from grader.submission.assignment import LoadedAssignment, load_assignment
from tests.conftest import REPO
from tests.real_world.cases import CASES, Case

pytestmark = pytest.mark.docker

CORPUS = Path(__file__).resolve().parent / "corpus"
TOLERANCE = 0.011
IDS = [c.name for c in CASES]


def churn_assignment(folder: Path, **changes: object) -> Path:
    """The churn assignment as a hiring team that names no environment sets it (`runtime: auto`): public
    notebooks run in the era they were written for."""
    source = REPO / "sample_datasets" / "churn"
    shutil.copytree(source, folder, dirs_exist_ok=True)
    spec = yaml.safe_load((source / "assignment.yaml").read_text())
    spec.update(runtime="auto", **changes)
    (folder / "assignment.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return folder


def allow_list_assignment(folder: Path) -> Path:
    """The churn assignment with `packages: allow_list` (tabulate), as a hiring team could set it."""
    return churn_assignment(folder, name="churn-allow", packages="allow_list", allowed_packages=["tabulate"])


def _content_key(folder: Path, assignment: str) -> str:
    digest = hashlib.sha256(assignment.encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def graded_twins(tmp_path_factory: pytest.TempPathFactory, sandbox, profile_images) -> dict[str, tuple[Report, Report]]:  # type: ignore[no-untyped-def]
    """case name → (broken report, fixed report); identical fixed twins are graded once.

    The older profiles' images are built: some notebooks are graded on the profile of their era.
    """
    del profile_images
    registry = default_registry()
    assignments: dict[str, LoadedAssignment] = {
        "churn": load_assignment(churn_assignment(tmp_path_factory.mktemp("churn"))),
        "churn-allow": load_assignment(allow_list_assignment(tmp_path_factory.mktemp("churn-allow"))),
    }
    graders = {
        name: Grader(
            rubric=load_rubric_file(a.rubric_path(), registry),
            registry=registry,
            assignment=a,
            sandbox=sandbox,
            options=GradingOptions(write_html=True),
        )
        for name, a in assignments.items()
    }
    out = tmp_path_factory.mktemp("real-world")
    jobs: dict[str, tuple[str, Path]] = {}
    keys: dict[tuple[str, str], str] = {}
    for case in CASES:
        for side in ("broken", "fixed"):
            folder = CORPUS / case.name / side
            key = _content_key(folder, case.assignment)
            jobs.setdefault(key, (case.assignment, folder))
            keys[(case.name, side)] = key
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            key: pool.submit(graders[assignment].grade, folder, out_dir=out / key[:12], name=folder.parent.name)
            for key, (assignment, folder) in jobs.items()
        }
        reports = {key: future.result() for key, future in futures.items()}
    return {case.name: (reports[keys[(case.name, "broken")]], reports[keys[(case.name, "fixed")]]) for case in CASES}


def _case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def _points(report: Report) -> dict[str, float]:
    return {check.check_id: check.points for criterion in report.criteria for check in criterion.checks}


def _tolerances(report: Report) -> dict[str, float]:
    """A hundredth of each check's points, at least TOLERANCE: a proportional check (the hidden-holdout score)
    moves by a hair between twins whose models differ by a removed default."""
    return {
        c.check_id: max(TOLERANCE, 0.01 * c.points_possible) for criterion in report.criteria for c in criterion.checks
    }


def test_the_corpus_covers_every_failure_class() -> None:
    assert len(CASES) >= 12
    assert {c.error_class for c in CASES} >= {"environment", "data", "candidate", None}
    for case in CASES:
        assert (CORPUS / case.name / "broken").is_dir() and (CORPUS / case.name / "fixed").is_dir(), case.name
        assert yaml.safe_load((CORPUS / case.name / "case.yaml").read_text()) == case.expected()


@pytest.mark.parametrize("name", IDS)
def test_graded_without_crash_with_the_expected_run_and_triage(
    name: str, graded_twins: dict[str, tuple[Report, Report]]
) -> None:
    case = _case(name)
    broken, fixed = graded_twins[name]
    for report in (broken, fixed):
        assert report.status in (GradingStatus.graded, GradingStatus.needs_review), report.error
        assert not [c.id for c in report.checks if c.status is CheckStatus.error], report.checks
    assert fixed.execution.status.value == "ok", fixed.execution.reason
    failing = [c for c in broken.execution.cells if c.status in (CellStatus.error, CellStatus.timeout)]
    assert broken.execution.status.value == case.run, [(c.index, c.error_name, c.error_value) for c in failing]
    if case.error_class is None:
        assert not failing
    else:
        first = failing[0]
        assert first.error_class is not None and first.error_class.value == case.error_class, (
            first.index,
            first.error_name,
            first.error_value,
            first.error_class,
        )
        # Later failures that only follow from it keep its class, not "candidate".
        for cell in failing[1:]:
            if cell.caused_by is not None:
                assert cell.error_class == broken.execution.cell(cell.caused_by).error_class  # type: ignore[union-attr]


@pytest.mark.parametrize("name", [c.name for c in CASES if c.found_by])
def test_the_failure_is_found_with_evidence(name: str, graded_twins: dict[str, tuple[Report, Report]]) -> None:
    case = _case(name)
    broken, fixed = graded_twins[name]
    by_id = {r.id: r for r in broken.checks}
    for check_id in case.found_by:
        result = by_id[check_id]
        assert result.status is CheckStatus.failed and result.problems, (check_id, result.message)
        for finding in result.problems:
            assert finding.evidence and finding.message, finding
    fixed_by_id = {r.id: r for r in fixed.checks}
    assert all(fixed_by_id[c].status is CheckStatus.passed for c in case.found_by), [
        (c, fixed_by_id[c].message) for c in case.found_by
    ]


@pytest.mark.parametrize("name", IDS)
def test_broken_twin_loses_only_what_the_rubric_assigns_to_its_failure(
    name: str, graded_twins: dict[str, tuple[Report, Report]]
) -> None:
    case = _case(name)
    broken, fixed = graded_twins[name]
    ours, theirs = _points(broken), _points(fixed)
    assert ours.keys() == theirs.keys()
    tolerance = _tolerances(fixed)
    others = {c: (ours[c], theirs[c]) for c in ours if c not in case.meant and abs(ours[c] - theirs[c]) > tolerance[c]}
    assert not others, f"checks not meant for {name} scored differently (broken, fixed): {others}"
    meant_loss = sum(theirs[c] - ours[c] for c in case.meant if c in ours)
    # Points before validity gates: a gate the failure triggers (unverified results hold the band) is
    # part of what the failure costs, and is checked to be one of the meant checks' gates.
    uncapped = [sum(c.score for c in r.criteria) for r in (broken, fixed)]
    assert uncapped[1] - uncapped[0] == pytest.approx(meant_loss, abs=TOLERANCE * len(ours))
    for cap in broken.total.caps:
        assert {f.split("#")[0] for f in cap.finding_ids} <= set(case.meant), (name, cap)
    # The broken twin never scores more, beyond the noise the unmeant checks were allowed above.
    noise = sum(abs(ours[c] - theirs[c]) for c in ours if c not in case.meant)
    assert broken.total.score <= fixed.total.score + TOLERANCE + noise


@pytest.mark.parametrize("name", ["windows_path", "colab_drive_mount", "wrong_relative_folder"])
def test_reads_from_elsewhere_are_redirected_to_the_data(
    name: str, graded_twins: dict[str, tuple[Report, Report]]
) -> None:
    broken, _ = graded_twins[name]
    redirects = [r for r in broken.execution.redirects if r.kind == "redirect"]
    assert {r.resolved for r in redirects} == {"data/train.csv", "data/test_features.csv"}, redirects
    assert all(r.cell is not None for r in redirects)
    assert broken.execution.collected_files == ["predictions.csv"]
    if name == "colab_drive_mount":
        assert [r.via for r in broken.execution.redirects if r.kind == "shim"] == ["google.colab.drive.mount"]


def test_allowed_package_is_installed_into_a_derived_image(graded_twins: dict[str, tuple[Report, Report]]) -> None:
    broken, _ = graded_twins["package_allowed"]
    assert "-extra-" in (broken.execution.image or ""), broken.execution.image
    tabulate = next(p for p in broken.execution.requested_packages if p.name == "tabulate")
    assert tabulate.status is PackageStatus.installed and tabulate.version
    exe007 = next(r for r in broken.checks if r.id == "EXE007")
    assert exe007.status is CheckStatus.passed and any("tabulate" in f.message for f in exe007.findings)


def test_disallowed_package_is_a_finding_not_a_crash(graded_twins: dict[str, tuple[Report, Report]]) -> None:
    broken, _ = graded_twins["package_not_allowed"]
    shap = next(p for p in broken.execution.requested_packages if p.name == "shap")
    assert shap.status is PackageStatus.not_allowed
    assert "-extra-" not in (broken.execution.image or "")


def test_wrong_separator_is_explained(graded_twins: dict[str, tuple[Report, Report]]) -> None:
    broken, _ = graded_twins["csv_wrong_separator"]
    assert [r.requested for r in broken.execution.redirects if r.kind == "separator"][:1] == ["data/train.csv"]
    first = next(c for c in broken.execution.cells if c.status is CellStatus.error)
    assert first.error_name == "KeyError" and "separator" in (first.triage_note or "")


@pytest.mark.parametrize("name", [c.name for c in CASES if "EXE009" in c.meant])
def test_saved_outputs_stand_in_for_failed_cells_marked_as_not_reproduced(
    name: str, graded_twins: dict[str, tuple[Report, Report]]
) -> None:
    broken, _ = graded_twins[name]
    exe009 = next(r for r in broken.checks if r.id == "EXE009")
    assert exe009.status is CheckStatus.failed
    evidence = [e for f in exe009.problems for e in f.evidence]
    assert evidence and all(e.source is EvidenceSource.saved_output for e in evidence)
    assert all(e.note == "from the submission, not reproduced" for e in evidence)


def test_environment_failure_costs_less_than_a_candidate_bug(graded_twins: dict[str, tuple[Report, Report]]) -> None:
    """Per failing cell, EXE001 charges a missing package a quarter of what it charges the candidate's own NameError."""
    env = next(r for r in graded_twins["package_not_allowed"][0].checks if r.id == "EXE001")
    ours = next(r for r in graded_twins["name_error_after_rename"][0].checks if r.id == "EXE001")
    env_first = next(f for f in env.problems if f.data.get("error_class") == "environment")
    our_first = next(f for f in ours.problems if f.data.get("error_class") == "candidate")
    assert env_first.severity.rank < our_first.severity.rank
    assert (env.score or 0) > (ours.score or 0)


@pytest.mark.parametrize("name", [c.name for c in CASES if "profile" in c.extra])
def test_a_notebook_of_an_older_era_is_graded_in_its_profile(
    name: str, graded_twins: dict[str, tuple[Report, Report]]
) -> None:
    case = _case(name)
    broken, fixed = graded_twins[name]
    assert broken.execution.profile == case.extra["profile"] and fixed.execution.profile == "current"
    choice = broken.execution.profile_choice
    assert choice is not None
    if case.extra["retried"]:
        # Failed on today's libraries (pandas 2.0 changed the reduction), graded where it ran.
        assert choice.how.value == "retry", choice
        runs = {r.profile: r for r in broken.execution.profile_runs}
        assert runs["current"].graded is False and runs["current"].environment_failures == 1
        assert "pandas 2.0" in (runs["current"].first_failure or ""), runs["current"]
    else:
        assert choice.how.value == "inferred" and len(broken.execution.profile_runs) == 1, choice


def test_several_notebooks_and_a_module_run_end_to_end(graded_twins: dict[str, tuple[Report, Report]]) -> None:
    several, _ = graded_twins["several_notebooks"]
    assert several.execution.notebooks == ["01_eda.ipynb", "02_model.ipynb"]
    assert {c.notebook for c in several.execution.cells} == {"01_eda.ipynb", "02_model.ipynb"}
    assert several.execution.collected_files == ["predictions.csv"]
    module, _ = graded_twins["py_module_beside_notebook"]
    assert module.execution.status.value == "ok"
    assert not [p for p in module.execution.requested_packages if p.name == "churn-utils"]


def test_summary_table(graded_twins: dict[str, tuple[Report, Report]], capsys: pytest.CaptureFixture[str]) -> None:
    """One line per case (shown in the test log): triage class, totals, and what the failure cost."""
    lines = [f"{'case':32} {'run':7} {'class':12} {'broken':>7} {'fixed':>7}  lost on"]
    for case in CASES:
        broken, fixed = graded_twins[case.name]
        first = next((c for c in broken.execution.cells if c.status in (CellStatus.error, CellStatus.timeout)), None)
        ours, theirs = _points(broken), _points(fixed)
        lost = ", ".join(f"{c} {theirs[c] - ours[c]:.2f}" for c in sorted(ours) if theirs[c] - ours[c] > TOLERANCE)
        lines.append(
            f"{case.name:32} {broken.execution.status.value:7} "
            f"{(first.error_class.value if first and first.error_class else '-'):12} "
            f"{broken.total.score:7.2f} {fixed.total.score:7.2f}  {lost or '-'}"
        )
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(lines) == len(CASES) + 1
