"""What travels through the broker: archives are capped, checked and unpacked as hostile input."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from grader.api import load_rubric
from grader.distributed.settings import BrokerSettings
from grader.distributed.transport import (
    Archive,
    TransportError,
    pack_assignment,
    pack_report_folder,
    pack_submission,
    rubric_fields,
    unpack,
)
from grader.errors import ConfigError, SubmissionError
from grader.models.rubric import Rubric
from grader.submission.assignment import load_assignment
from tests.conftest import REPO, write_submission


def test_a_folder_travels_without_links_hidden_files_or_tool_folders(tmp_path: Path) -> None:
    folder = write_submission(tmp_path / "alice", "x = 1")
    (folder / "README.md").write_text("# Alice\n")
    (folder / "src").mkdir()
    (folder / "src" / "util.py").write_text("def f():\n    return 1\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("secret")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (folder / "link.csv").symlink_to("/etc/passwd")
    archive = pack_submission(folder)
    target = unpack(archive, tmp_path / "back", cap=10**7)
    found = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert found == ["README.md", "analysis.ipynb", "src/util.py"]
    assert (target / "src" / "util.py").read_text() == (folder / "src" / "util.py").read_text()


def test_zip_and_notebook_submissions_travel_as_they_are(tmp_path: Path) -> None:
    folder = write_submission(tmp_path / "bob", "y = 2")
    notebook = folder / "analysis.ipynb"
    bundle = tmp_path / "bob.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.write(notebook, "bob/analysis.ipynb")
    for path in (bundle, notebook):
        archive = pack_submission(path)
        back = unpack(archive, tmp_path / f"back-{path.suffix[1:]}", cap=10**7)
        assert back.name == path.name and back.read_bytes() == path.read_bytes()


def test_a_damaged_or_oversized_archive_is_refused(tmp_path: Path) -> None:
    archive = pack_submission(write_submission(tmp_path / "carol", "z = 3"))
    with pytest.raises(TransportError, match="digest"):
        unpack(archive.model_copy(update={"sha256": "0" * 64}), tmp_path / "a", cap=10**7)
    with pytest.raises(TransportError, match="at most 10 "):
        unpack(archive, tmp_path / "b", cap=10)
    with pytest.raises(TransportError, match="named"):
        unpack(
            archive.model_copy(update={"kind": "notebook", "filename": "../../etc/cron.d/x"}), tmp_path / "c", cap=10**7
        )


def test_a_hostile_folder_archive_is_refused(tmp_path: Path) -> None:
    import base64
    import hashlib

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../escape.txt", "x")
    data = buffer.getvalue()
    archive = Archive(
        kind="folder", filename="evil", sha256=hashlib.sha256(data).hexdigest(), data=base64.b64encode(data).decode()
    )
    with pytest.raises(SubmissionError, match="zip-slip"):
        unpack(archive, tmp_path / "evil", cap=10**7)
    assert not (tmp_path / "escape.txt").exists()


def test_the_assignment_travels_without_its_hidden_labels(tmp_path: Path) -> None:
    assignment = load_assignment(REPO / "sample_datasets" / "churn")
    archive = pack_assignment(assignment)
    with zipfile.ZipFile(io.BytesIO(base64_bytes(archive))) as zf:
        names = set(zf.namelist())
    assert names == {"assignment.yaml", *assignment.assignment.public_files}
    assert not any("hidden" in name or "label" in name for name in names)
    back = load_assignment(unpack(archive, tmp_path / "a", cap=10**8))
    assert back.assignment == assignment.assignment
    labels = back.holdout_labels()
    assert labels is not None and not labels.exists()


def test_the_rubric_travels_as_its_validated_model() -> None:
    loaded = load_rubric("ml-takehome.yaml")
    fields = rubric_fields(loaded)
    assert Rubric.model_validate(fields["rubric"]) == loaded.rubric
    assert fields["rubric_sha256"] == loaded.sha256 and fields["rubric_path"] == "ml-takehome.yaml"


def test_report_folders_travel_with_their_evidence(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "executed").mkdir(parents=True)
    (out / "outputs").mkdir()
    (out / "report.json").write_text("{}")
    (out / "executed" / "analysis.ipynb").write_text("{}")
    (out / "outputs" / "predictions.csv").write_text("id,y\n1,0\n")
    back = unpack(pack_report_folder(out), tmp_path / "back", cap=10**7)
    assert sorted(p.relative_to(back).as_posix() for p in back.rglob("*") if p.is_file()) == [
        "executed/analysis.ipynb",
        "outputs/predictions.csv",
        "report.json",
    ]


def test_broker_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(ConfigError, match="redis://"):
        BrokerSettings(url="http://example.org").validate()
    with pytest.raises(ConfigError, match="result store"):
        BrokerSettings(url="amqp://guest:secret@rabbit//").validate()
    assert BrokerSettings(url="amqp://guest:secret@rabbit//", result_backend="redis://r/1").validate()
    with pytest.raises(ConfigError) as refused:
        BrokerSettings(url="amqp://guest:secret@rabbit//").validate()
    assert "secret" not in str(refused.value)
    settings = BrokerSettings(url="redis://localhost/0", visibility_timeout=3600)
    assert settings.hard_time_limit < settings.visibility_timeout


def base64_bytes(archive: Archive) -> bytes:
    return archive.payload(10**9)
