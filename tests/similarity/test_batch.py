"""The similarity stage inside a batch: summary.json, the CSV, flags and links on both reports, pages, resume.

The batch is graded statically (nothing runs, no pylint): the stage reads only the notebooks.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from grader import api
from grader.cli import main
from grader.models.report import FlagKind
from grader.pipeline.batch import BatchResult
from grader.pipeline.files import load_report
from grader.similarity.sources import load_submission
from tests.similarity.batches import make_assignment, static_grader, write_batch


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchResult, dict[str, Path]]:
    root = tmp_path_factory.mktemp("similarity-batch")
    folders = write_batch(root)
    folders["assignment"] = make_assignment(root / "assignment")
    result = api.grade_batch(
        folders["submissions"],
        out=root / "out",
        grader=static_grader(folders["assignment"]),
        references=folders["references"],
        base=folders["base"],
        jobs=2,
    )
    return result, folders


def _summary(result: BatchResult) -> dict:
    return json.loads((result.out_dir / "summary.json").read_text())


def test_copies_are_paired_and_independent_solutions_are_not(graded: tuple[BatchResult, dict[str, Path]]) -> None:
    result, _ = graded
    pairs = {(p["a"], p["b"], p["reference"]) for p in _summary(result)["similar_pairs"]}
    # alice/bob kept the starter code and dave/erin the base code: neither pair is reported.
    assert pairs == {("alice", "carol", False), ("frank", "kaggle-churn-tutorial", True)}


def test_summary_json_lists_each_pair_with_score_and_matched_cells(graded: tuple[BatchResult, dict[str, Path]]) -> None:
    result, folders = graded
    summary = _summary(result)
    for entry in summary["similar_pairs"]:
        assert {"a", "b", "score", "matched_cells"} <= set(entry)
        assert isinstance(entry["score"], float) and 0.5 <= entry["score"] <= 1
        assert entry["matched_cells"] and all(len(pair) == 2 for pair in entry["matched_cells"])
        assert (result.out_dir / entry["page"]).is_file()
        # Matched cells are global cell numbers of both notebooks, and the cells really match in kind.
        a = load_submission(entry["a"], folders["submissions"] / entry["a"])
        b_folder = folders["references" if entry["reference"] else "submissions"] / entry["b"]
        b = load_submission(entry["b"], b_folder)
        for cell_a, cell_b in entry["matched_cells"]:
            left, right = a.cell(cell_a), b.cell(cell_b)
            assert left is not None and right is not None and left.kind == right.kind
    assert summary["similarity"]["notebooks"] == 7 and summary["similarity"]["references"] == 1
    assert summary["similarity"]["lsh_candidates"] < summary["similarity"]["all_pairs"]


def test_both_reports_carry_a_similar_flag_linking_the_side_by_side_page(
    graded: tuple[BatchResult, dict[str, Path]],
) -> None:
    result, _ = graded
    pages = {p["a"]: p["page"] for p in _summary(result)["similar_pairs"]}
    for name, other in (("alice", "carol"), ("carol", "alice"), ("frank", "kaggle-churn-tutorial")):
        report = load_report(result.out_dir / name / "report.json")
        flags = [f for f in report.flags if f.kind is FlagKind.similar]
        assert len(flags) == 1 and other in flags[0].message
        assert flags[0].link is not None
        assert (result.out_dir / name / flags[0].link).resolve() == (result.out_dir / pages[min(name, other)]).resolve()
        assert f'href="{flags[0].link}">side by side</a>' in (result.out_dir / name / "report.html").read_text()
        assert result.reports[name].flags == report.flags
    for name in ("bob", "dave", "erin", "gina"):
        assert not [f for f in load_report(result.out_dir / name / "report.json").flags if f.kind is FlagKind.similar]


def test_csv_and_index_list_the_pairs(graded: tuple[BatchResult, dict[str, Path]]) -> None:
    result, _ = graded
    rows = list(csv.DictReader((result.out_dir / "summary.csv").open()))
    similar = {row["submission"]: row["similar"] for row in rows}
    assert similar["alice"].startswith("carol (0.") and similar["carol"].startswith("alice (0.")
    assert similar["frank"].startswith("reference:kaggle-churn-tutorial (")
    assert similar["bob"] == similar["gina"] == ""
    assert "similar" in {row["submission"]: row["flags"] for row in rows}["carol"].split(";")
    index = (result.out_dir / "index.html").read_text()
    for entry in _summary(result)["similar_pairs"]:
        assert f'href="{entry["page"]}"' in index


def test_resume_replaces_the_flags_and_pages_of_an_earlier_run(
    graded: tuple[BatchResult, dict[str, Path]], tmp_path: Path
) -> None:
    result, folders = graded
    out, submissions = tmp_path / "out", tmp_path / "submissions"
    shutil.copytree(result.out_dir, out)
    shutil.copytree(folders["submissions"], submissions)
    old_page = out / next(p["page"] for p in _summary(result)["similar_pairs"] if p["a"] == "alice")
    shutil.rmtree(submissions / "carol")
    again = api.grade_batch(
        submissions, out=out, grader=static_grader(folders["assignment"]), references=folders["references"], resume=True
    )
    assert again.similarity is not None
    assert [(p.a, p.b) for p in again.similarity.pairs] == [("frank", "kaggle-churn-tutorial")]
    assert not [f for f in load_report(out / "alice" / "report.json").flags if f.kind is FlagKind.similar]
    assert ">side by side</a>" not in (out / "alice" / "report.html").read_text()
    assert not old_page.exists()
    frank = [f for f in load_report(out / "frank" / "report.json").flags if f.kind is FlagKind.similar]
    assert len(frank) == 1


def test_the_command_line_runs_it_without_execution(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folders = write_batch(tmp_path)
    for name in ("bob", "dave", "erin", "gina"):
        shutil.rmtree(folders["submissions"] / name)
    assignment = make_assignment(tmp_path / "assignment")
    out = tmp_path / "out"
    common = ["batch", str(folders["submissions"]), "--assignment", str(assignment), "--out", str(out), "--no-execute"]
    assert main([*common, "--no-similarity", "--references", str(folders["references"])]) == 2
    assert main([*common, "--references", str(tmp_path / "missing")]) == 2
    code = main([*common, "--references", str(folders["references"]), "--base", str(folders["base"]), "--no-cache"])
    assert code == 0
    assert "2 similar pair(s)" in capsys.readouterr().out
    pairs = {(p["a"], p["b"]) for p in json.loads((out / "summary.json").read_text())["similar_pairs"]}
    assert pairs == {("alice", "carol"), ("frank", "kaggle-churn-tutorial")}
