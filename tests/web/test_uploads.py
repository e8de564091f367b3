"""Uploads are hostile input: limits while streaming, zip bombs, zip-slip, symlinks, non-notebooks."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import random
import stat
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from grader.web.settings import UploadLimits, WebSettings
from grader.web.uploads import UploadReceiver, UploadRefused
from tests.web.conftest import TEST_LIMITS, TestClient, notebook_bytes, wait_for_job

NOTEBOOK = notebook_bytes("print('hello')")


def _zip(entries: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            bundle.writestr(info, target)
    return buffer.getvalue()


def _upload(
    client: TestClient,
    csrf: str,
    *,
    files: list[tuple[str, tuple[str, bytes]]],
    assignment: str = "tiny",
    **fields: str,
) -> tuple[int, dict[str, object]]:
    response = client.post(
        "/api/uploads", headers={"X-CSRF-Token": csrf}, data={"assignment": assignment, **fields}, files=files
    )
    return response.status_code, response.json()


def _uploads_left(settings: WebSettings) -> list[Path]:
    return list((settings.data_dir / "uploads").iterdir())


# --------------------------------------------------------------------------- accepted


def test_folder_upload_is_graded(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    status, job = _upload(
        client,
        csrf,
        files=[
            ("files", ("alice-smith/analysis.ipynb", NOTEBOOK)),
            ("files", ("alice-smith/src/util.py", b"x = 1\n")),
            ("files", ("alice-smith/.ipynb_checkpoints/x.ipynb", b"junk")),
        ],
        candidate="Alice Smith",
    )
    assert status == 201, job
    assert job["candidate"] == "Alice Smith" and job["submission"] == "alice-smith" and job["state"] == "queued"
    done = wait_for_job(client, str(job["id"]))
    assert done["state"] == "done" and done["report_status"] == "graded", done
    root = settings.data_dir / "uploads" / str(job["id"]) / "files" / "alice-smith"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        "analysis.ipynb",
        "src/util.py",
    ]
    report = client.get(f"/api/jobs/{job['id']}/report").json()
    assert report["submission"]["candidate"] == "Alice Smith"
    assert report["submission"]["notebooks"] == ["analysis.ipynb"]


def test_zip_upload_and_anonymous_candidate(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    archive = _zip({"bob/analysis.ipynb": NOTEBOOK, "bob/README.md": b"# Bob\n"})
    status, job = _upload(
        client, csrf, files=[("archive", ("bob-jones.zip", archive))], candidate="Bob Jones", anonymous="on"
    )
    assert status == 201, job
    assert str(job["candidate"]).startswith("candidate-") and job["submission"] == job["candidate"]
    done = wait_for_job(client, str(job["id"]))
    assert done["report_status"] == "graded"
    report = client.get(f"/api/jobs/{job['id']}/report").text
    assert "Bob" not in report and "bob-jones" not in report


def test_html_upload_redirects_to_the_job_page(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    # The browser's order: token first, then the fields, then the files.
    response = client.post(
        "/upload",
        data={"csrf_token": csrf, "assignment": "tiny"},
        files=[("files", ("carol/analysis.ipynb", NOTEBOOK))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_id = response.headers["location"].rsplit("/", 1)[1]
    wait_for_job(client, job_id)
    page = client.get(f"/jobs/{job_id}")
    assert "Score:" in page.text and f"/jobs/{job_id}/report" in page.text
    report = client.get(f"/jobs/{job_id}/report")
    assert report.status_code == 200 and 'id="total-score"' in report.text and 'id="logout"' in report.text
    download = client.get(f"/jobs/{job_id}/report.json")
    assert download.headers["content-type"] == "application/json"
    assert "attachment" in download.headers["content-disposition"]


# --------------------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("entries", "symlinks", "message"),
    [
        ({"../evil.py": b"x", "sub/analysis.ipynb": NOTEBOOK}, None, "zip-slip"),
        ({"ok/../../evil.py": b"x", "sub/analysis.ipynb": NOTEBOOK}, None, "zip-slip"),
        ({"/etc/cron.d/evil": b"x", "analysis.ipynb": NOTEBOOK}, None, "absolute path"),
        ({"C:/Windows/evil": b"x", "analysis.ipynb": NOTEBOOK}, None, "absolute path"),
        ({"analysis.ipynb": NOTEBOOK}, {"data.csv": "/etc/passwd"}, "symbolic link"),
        ({"README.md": b"# no notebook here\n", "model.py": b"x = 1\n"}, None, "no Jupyter notebook"),
        ({"analysis.ipynb": b"{not json"}, None, "not valid JSON"),
        ({"analysis.ipynb": b'{"cells": 3}'}, None, "not a Jupyter notebook"),
    ],
)
def test_unsafe_or_unusable_zips_are_refused(
    authed: tuple[TestClient, str],
    settings: WebSettings,
    entries: dict[str, bytes],
    symlinks: dict[str, str] | None,
    message: str,
) -> None:
    client, csrf = authed
    status, body = _upload(client, csrf, files=[("archive", ("sub.zip", _zip(entries, symlinks=symlinks)))])
    assert status == 400, body
    assert message in str(body["detail"])
    assert _uploads_left(settings) == []
    assert client.get("/api/jobs").json() == []


@pytest.mark.parametrize(
    ("size", "message"),
    [
        # Under the per-file limit, so only the compression ratio (about 1000:1) gives it away while inflating.
        (TEST_LIMITS.max_file_bytes - 1024, "compresses more than 200:1 (zip bomb?)"),
        # 50 MB from a 50 kB upload: refused from its declared size before a byte is inflated.
        (50 * 1024 * 1024, "would inflate to 52,428,800 bytes"),
    ],
)
def test_zip_bombs_are_refused(authed: tuple[TestClient, str], settings: WebSettings, size: int, message: str) -> None:
    client, csrf = authed
    bomb = _zip({"analysis.ipynb": NOTEBOOK, "data.csv": b"0" * size})
    assert len(bomb) < size / 200
    status, body = _upload(client, csrf, files=[("archive", ("bomb.zip", bomb))])
    assert status == 400
    assert message in str(body["detail"])
    assert _uploads_left(settings) == []


def test_zip_bomb_by_total_size_is_refused(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    rng = random.Random(7)
    # Each entry compresses only ~7:1 (under the ratio limit) but together they inflate past the total limit.
    two_letters = bytes(b"ab"[i % 2] for i in range(256))
    entries = {f"part{i}.txt": rng.randbytes(1536 * 1024).translate(two_letters) for i in range(5)}
    archive = _zip({"analysis.ipynb": NOTEBOOK, **entries})
    assert len(archive) < TEST_LIMITS.max_request_bytes
    status, body = _upload(client, csrf, files=[("archive", ("big.zip", archive))])
    assert status == 400
    assert "in total (zip bomb?)" in str(body["detail"])
    assert _uploads_left(settings) == []


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("../analysis.ipynb", "zip-slip"),
        ("sub/../../analysis.ipynb", "zip-slip"),
        ("/etc/analysis.ipynb", "absolute path"),
        ("C:/x/analysis.ipynb", "absolute path"),
    ],
)
def test_unsafe_folder_paths_are_refused(
    authed: tuple[TestClient, str], settings: WebSettings, filename: str, message: str
) -> None:
    client, csrf = authed
    status, body = _upload(client, csrf, files=[("files", ("sub/ok.ipynb", NOTEBOOK)), ("files", (filename, NOTEBOOK))])
    assert status == 400
    assert message in str(body["detail"])
    assert _uploads_left(settings) == []


def test_folder_without_a_notebook_is_refused(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    status, body = _upload(client, csrf, files=[("files", ("sub/README.md", b"hi")), ("files", ("sub/a.py", b"1"))])
    assert status == 400
    assert "no Jupyter notebook (.ipynb)" in str(body["detail"])
    assert _uploads_left(settings) == []


def test_other_file_types_in_the_archive_field_are_refused(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    status, body = _upload(client, csrf, files=[("archive", ("report.pdf", b"%PDF-1.4"))])
    assert status == 400 and "not a .zip archive or a notebook" in str(body["detail"])
    status, body = _upload(client, csrf, files=[("archive", ("fake.zip", b"this is not a zip"))])
    assert status == 400 and "not a readable zip archive" in str(body["detail"])


def test_folder_and_zip_together_are_refused(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    status, body = _upload(
        client,
        csrf,
        files=[("files", ("a/analysis.ipynb", NOTEBOOK)), ("archive", ("a.zip", _zip({"analysis.ipynb": NOTEBOOK})))],
    )
    assert status == 400 and "not both" in str(body["detail"])


def test_unknown_assignment_and_rubric_are_refused(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    files = [("files", ("a/analysis.ipynb", NOTEBOOK))]
    status, body = _upload(client, csrf, files=files, assignment="../../etc")
    assert status == 400 and "no assignment called" in str(body["detail"])
    status, body = _upload(client, csrf, files=files, rubric="../../secret.yaml")
    assert status == 400 and "no rubric called" in str(body["detail"])
    # What a browser sends when neither file input was used.
    status, body = _upload(client, csrf, files=[("files", ("", b"")), ("archive", ("", b""))])
    assert status == 400 and "choose a submission folder" in str(body["detail"])
    status, body = _upload(client, csrf, files=[])
    assert status == 415 and "multipart/form-data" in str(body["detail"])
    assert _uploads_left(settings) == []


def test_too_many_files_is_refused(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    files = [("files", (f"a/f{i}.py", b"x = 1\n")) for i in range(TEST_LIMITS.max_files + 1)]
    status, body = _upload(client, csrf, files=[("files", ("a/analysis.ipynb", NOTEBOOK)), *files])
    assert status == 413
    assert f"more than {TEST_LIMITS.max_files}" in str(body["detail"])
    assert _uploads_left(settings) == []


def test_a_file_over_the_per_file_limit_is_refused(authed: tuple[TestClient, str], settings: WebSettings) -> None:
    client, csrf = authed
    big = b"x" * (TEST_LIMITS.max_file_bytes + 1)
    status, body = _upload(
        client, csrf, files=[("files", ("a/analysis.ipynb", NOTEBOOK)), ("files", ("a/big.csv", big))]
    )
    assert status == 413
    assert "a/big.csv is larger than the per-file limit of 2.0 MB" in str(body["detail"])
    assert _uploads_left(settings) == []


def test_a_body_over_the_total_limit_is_refused_from_its_length(
    authed: tuple[TestClient, str], settings: WebSettings
) -> None:
    client, csrf = authed
    files = [("files", (f"a/data{i}.csv", b"x" * (1024 * 1024))) for i in range(5)]
    status, body = _upload(client, csrf, files=[("files", ("a/analysis.ipynb", NOTEBOOK)), *files])
    assert status == 413
    assert "the limit is 4.0 MB in total" in str(body["detail"])
    assert _uploads_left(settings) == []


def test_html_upload_shows_the_refusal_on_the_page(authed: tuple[TestClient, str]) -> None:
    client, csrf = authed
    archive = _zip({"../evil.py": b"x", "analysis.ipynb": NOTEBOOK})
    response = client.post(
        "/upload",
        data={"csrf_token": csrf, "assignment": "tiny", "candidate": "Eve"},
        files=[("archive", ("evil.zip", archive))],
    )
    assert response.status_code == 400
    assert 'id="upload-error"' in response.text
    assert "zip-slip" in response.text and "evil.zip was refused" in response.text
    assert 'value="Eve"' in response.text  # the form keeps what the reviewer typed


# --------------------------------------------------------------------------- streaming


class _Body:
    """A multipart body served in small chunks, recording how much of it the receiver pulled."""

    def __init__(self, parts: list[tuple[str, str | None, bytes]], chunk: int = 16 * 1024) -> None:
        self.boundary = "----thgtestboundary"
        out = io.BytesIO()
        for name, filename, data in parts:
            disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
            out.write(f"--{self.boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
            out.write(data + b"\r\n")
        out.write(f"--{self.boundary}--\r\n".encode())
        self.data = out.getvalue()
        self.chunk = chunk
        self.pulled = 0
        self.largest_on_disk = 0

    async def stream(self, staging: Path) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            on_disk = [p.stat().st_size for p in staging.rglob("*") if p.is_file()]
            self.largest_on_disk = max([self.largest_on_disk, *on_disk])
            self.pulled = start + self.chunk
            yield self.data[start : start + self.chunk]


def _receive(
    tmp_path: Path, body: _Body, limits: UploadLimits, *, csrf_verified: bool = True, content_length: bool = False
) -> UploadReceiver:
    staging = tmp_path / "staging"
    staging.mkdir(parents=True)
    receiver = UploadReceiver(staging, limits, csrf_token="tok", csrf_verified=csrf_verified)
    coroutine = receiver.receive(
        f"multipart/form-data; boundary={body.boundary}",
        str(len(body.data)) if content_length else None,
        body.stream(staging),
    )
    # A fresh thread: a session-scoped Playwright (sync API) keeps an event loop running in the
    # main thread, where asyncio.run() would refuse to start.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()
    return receiver


def test_total_limit_stops_reading_the_stream(tmp_path: Path) -> None:
    limits = UploadLimits(max_request_bytes=256 * 1024, max_file_bytes=10 * 2**20)
    body = _Body([("csrf_token", None, b"tok"), ("files", "a/big.csv", b"x" * (5 * 2**20))])
    with pytest.raises(UploadRefused) as refused:
        _receive(tmp_path, body, limits)  # no Content-Length: only counting the stream can stop it
    assert refused.value.status == 413
    assert body.pulled <= limits.max_request_bytes + body.chunk  # stopped at the limit, not at the end (5 MB)


def test_per_file_limit_is_enforced_before_the_file_is_written(tmp_path: Path) -> None:
    limits = UploadLimits(max_request_bytes=8 * 2**20, max_file_bytes=256 * 1024)
    body = _Body([("csrf_token", None, b"tok"), ("files", "a/big.csv", b"x" * (4 * 2**20))])
    with pytest.raises(UploadRefused) as refused:
        _receive(tmp_path, body, limits)
    assert refused.value.status == 413 and "a/big.csv is larger than the per-file limit" in refused.value.message
    assert body.largest_on_disk <= limits.max_file_bytes  # never more than the limit was stored


def test_files_before_the_csrf_field_are_refused_unstored(tmp_path: Path) -> None:
    body = _Body([("files", "a/analysis.ipynb", NOTEBOOK), ("csrf_token", None, b"tok")])
    with pytest.raises(UploadRefused) as refused:
        _receive(tmp_path, body, UploadLimits(), csrf_verified=False)
    assert refused.value.status == 403
    assert not any(p.is_file() for p in (tmp_path / "staging").rglob("*"))
    wrong = _Body([("csrf_token", None, b"nope"), ("files", "a/analysis.ipynb", NOTEBOOK)])
    with pytest.raises(UploadRefused) as refused:
        _receive(tmp_path / "second", wrong, UploadLimits(), csrf_verified=False)
    assert refused.value.status == 403


def test_receiver_stores_a_valid_folder(tmp_path: Path) -> None:
    body = _Body(
        [
            ("csrf_token", None, b"tok"),
            ("assignment", None, b"tiny"),
            ("files", "a/analysis.ipynb", NOTEBOOK),
            ("files", "a/b/c.py", b"print(1)\n"),
        ]
    )
    receiver = _receive(tmp_path, body, UploadLimits(), csrf_verified=False, content_length=True)
    assert receiver.result.fields == {"csrf_token": "tok", "assignment": "tiny"}
    assert receiver.result.folder_files == ["a/analysis.ipynb", "a/b/c.py"]
    assert (tmp_path / "staging" / "files" / "a" / "b" / "c.py").read_bytes() == b"print(1)\n"
