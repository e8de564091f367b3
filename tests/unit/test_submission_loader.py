"""Bad input of every kind becomes a clear SubmissionError for that submission."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.errors import SubmissionError
from grader.submission.archive import ArchiveLimits, extract_zip
from grader.submission.loader import SubmissionLimits, open_submission
from tests.conftest import make_notebook, write_submission


def test_folder_with_one_notebook_loads(tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "alice", "x = 1")
    (sub / "README.md").write_text("# notes")
    with open_submission(sub) as loaded:
        assert loaded.name == "alice"
        assert [nb.path for nb in loaded.notebooks] == ["analysis.ipynb"]
        assert set(loaded.files) == {"analysis.ipynb", "README.md"}
        assert len(loaded.content_hash) == 64


def test_content_hash_changes_with_content(tmp_path: Path) -> None:
    a = write_submission(tmp_path / "a", "x = 1")
    b = write_submission(tmp_path / "b", "x = 2")
    with open_submission(a) as la, open_submission(b) as lb:
        assert la.content_hash != lb.content_hash


def test_several_notebooks_are_ordered_naturally(tmp_path: Path) -> None:
    sub = tmp_path / "multi"
    for name in ["10_model.ipynb", "2_eda.ipynb"]:
        write_submission(sub, "x = 1", name=name)
    with open_submission(sub) as loaded:
        assert [nb.path for nb in loaded.notebooks] == ["2_eda.ipynb", "10_model.ipynb"]
    with open_submission(sub, notebook="10_model.ipynb") as loaded:
        assert [nb.path for nb in loaded.notebooks] == ["10_model.ipynb"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "is empty"),
        (b'{"hello": "world"}', "not a Jupyter notebook"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "nests JSON"),
        (
            json.dumps({"cells": "nope", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode(),
            "not a Jupyter notebook",
        ),
    ],
)
def test_malformed_notebooks_are_refused_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    sub = tmp_path / "bad"
    sub.mkdir()
    (sub / "analysis.ipynb").write_bytes(content)
    with pytest.raises(SubmissionError, match=message), open_submission(sub):
        pass


def test_too_many_cells_is_refused(tmp_path: Path) -> None:
    sub = tmp_path / "many"
    sub.mkdir()
    nb = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": ""}] * 6000,
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    (sub / "analysis.ipynb").write_text(json.dumps(nb))
    with pytest.raises(SubmissionError, match="6,000 cells"), open_submission(sub):
        pass


def test_empty_folder_and_missing_notebook(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SubmissionError, match="empty"), open_submission(empty):
        pass
    only_py = tmp_path / "py"
    only_py.mkdir()
    (only_py / "model.py").write_text("print(1)")
    with pytest.raises(SubmissionError, match=r"no Jupyter notebook.*model\.py"), open_submission(only_py):
        pass
    with pytest.raises(SubmissionError, match="does not exist"), open_submission(tmp_path / "nope"):
        pass


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "big", "x = 1")
    (sub / "weights.bin").write_bytes(b"0" * 2048)
    with (
        pytest.raises(SubmissionError, match=r"weights\.bin is 2,048 bytes"),
        open_submission(sub, limits=SubmissionLimits(max_file_bytes=1024)),
    ):
        pass


def test_symlinks_in_a_folder_are_not_followed(tmp_path: Path) -> None:
    sub = write_submission(tmp_path / "links", "x = 1")
    os.symlink("/etc/passwd", sub / "passwd")
    with open_submission(sub) as loaded:
        assert "passwd" not in loaded.files
        assert any("passwd" in s for s in loaded.skipped)


def test_old_notebook_format_is_upgraded(tmp_path: Path) -> None:
    sub = tmp_path / "v3"
    sub.mkdir()
    v3 = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[nbformat.v3.new_code_cell("x=1")])])
    (sub / "old.ipynb").write_text(nbformat.writes(v3, version=3))
    with open_submission(sub) as loaded:
        assert loaded.notebooks[0].node.nbformat == 4


# --------------------------------------------------------------------------- zips


def _zip(path: Path, entries: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            bundle.writestr(info, "/etc/passwd")
    return path


def _nb_bytes() -> bytes:
    return nbformat.writes(make_notebook("x = 1")).encode()


def test_zip_submission_with_a_top_folder_loads(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bob.zip", {"bob/analysis.ipynb": _nb_bytes(), "bob/README.md": b"hi"})
    with open_submission(archive) as loaded:
        assert loaded.name == "bob"
        assert set(loaded.files) == {"analysis.ipynb", "README.md"}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.ipynb", "zip-slip"),
        ("/etc/evil.ipynb", "absolute"),
        ("C:/evil.ipynb", "absolute"),
        ("a/../../evil.ipynb", "zip-slip"),
    ],
)
def test_zip_slip_and_absolute_paths_are_refused(tmp_path: Path, name: str, message: str) -> None:
    archive = _zip(tmp_path / "slip.zip", {name: _nb_bytes()})
    with pytest.raises(SubmissionError, match=message):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "evil.ipynb").exists()


def test_symlink_entries_are_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "link.zip", {"analysis.ipynb": _nb_bytes()}, symlink="data.csv")
    with pytest.raises(SubmissionError, match="symbolic link"):
        extract_zip(archive, tmp_path / "out")


def test_zip_bomb_is_refused_by_ratio_and_by_total(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"analysis.ipynb": _nb_bytes(), "zeros.csv": b"0" * (20 * 1024 * 1024)})
    with pytest.raises(SubmissionError, match="zip bomb"):
        extract_zip(bomb, tmp_path / "out1")
    many = {f"f{i}.txt": os.urandom(300_000) for i in range(5)}
    archive = _zip(tmp_path / "big.zip", many)
    with pytest.raises(SubmissionError, match="in total"):
        extract_zip(archive, tmp_path / "out2", ArchiveLimits(max_total_bytes=1_000_000))


def test_lying_headers_do_not_bypass_the_limits(tmp_path: Path) -> None:
    """A header that claims a small size cannot smuggle a large file past the cap."""
    payload = os.urandom(64 * 1024)
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as bundle:
        bundle.writestr("data.bin", payload)
    archive = tmp_path / "liar.zip"
    archive.write_bytes(raw.getvalue())
    with pytest.raises(SubmissionError, match="per-file"):
        extract_zip(archive, tmp_path / "out", ArchiveLimits(max_file_bytes=1024))


def test_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(SubmissionError, match="not a readable zip"), open_submission(fake):
        pass
