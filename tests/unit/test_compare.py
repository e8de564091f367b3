"""`grader compare`: two to four candidates side by side in one HTML page."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from grader import api
from grader.cli import main
from grader.errors import ReviewError
from grader.models.report import Report
from tests.rendering.builders import check_results, sample_report


def _write(folder: Path, report: Report) -> Path:
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(report.model_dump_json())
    (folder / "report.html").write_text("<p>report</p>")
    return folder


@pytest.fixture
def folders(tmp_path: Path) -> list[Path]:
    return [
        _write(tmp_path / "batch" / "ann", sample_report(candidate="Ann Ample")),
        _write(
            tmp_path / "batch" / "bea",
            sample_report(candidate="Béa Strong", results=check_results(passing=("LEAK001", "EXE001"))),
        ),
    ]


def test_the_page_shows_both_candidates_and_the_cells_behind_the_biggest_difference(folders: list[Path]) -> None:
    api.review(folders[0], note="strong interview", reviewer="Lee")  # a note changes no score
    path = api.compare(folders)
    assert path == folders[0].parent / "compare-ann-bea.html"
    page = BeautifulSoup(path.read_text(), "html.parser")
    heads = [th.get_text(strip=True) for th in page.select("#compare thead th.cand")]
    assert heads == ["Ann Ample", "Béa Strong"]
    assert [a["href"] for a in page.select("#compare thead th.cand a")] == ["ann/report.html", "bea/report.html"]
    text = " ".join(page.get_text(" ").split())
    # Bea passed the leakage check Ann failed: the evaluation criterion differs most and shows Ann's cell 3.
    order = [body["data-criterion"] for body in page.select("#compare-criteria tbody.crit-row")]
    assert order[0] == "evaluation" and set(order) == {"evaluation", "execution", "quality"}, order
    first = page.select_one('#compare-criteria tbody.crit-row[data-criterion="evaluation"] td[data-key="ann"]')
    assert first is not None
    assert "StandardScaler is fitted on all rows before train_test_split" in first.get_text(" ")
    assert "cell 3" in first.get_text(" ") and "scaler.fit_transform" in first.get_text(" ")
    assert "Total" in text


def test_a_reviewed_candidate_is_compared_on_the_final_score(folders: list[Path], tmp_path: Path) -> None:
    api.review(folders[0], criterion="evaluation", points=9, reason="scaler is harmless", reviewer="Lee")
    page = BeautifulSoup(api.compare(folders, out=tmp_path / "c.html").read_text(), "html.parser")
    ann = page.select_one('#compare td.cand.total[data-key="ann"]')
    assert ann is not None and "reviewed (automatic 4.5)" in ann.get_text(" ")


def test_two_to_four_candidates(folders: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ReviewError, match="compare 2 to 4 candidates, not 1"):
        api.compare(folders[:1])
    with pytest.raises(ReviewError, match=r"holds no report\.json"):
        api.compare([*folders, tmp_path])
    assert main(["compare", *map(str, folders), "--out", str(tmp_path / "out.html")]) == 0
    assert "comparison written to" in capsys.readouterr().out and (tmp_path / "out.html").is_file()
