"""A batch killed with SIGKILL midway loses nothing: `--resume` grades the rest, each exactly once (issue 8)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adversarial.test_adversarial import _comparable
from tests.conftest import REPO, write_submission

pytestmark = [pytest.mark.docker, pytest.mark.slow]

ASSIGNMENT = REPO / "tests" / "adversarial" / "assignment"
GRADER = [sys.executable, "-m", "grader.cli"]


def _submissions(root: Path, count: int) -> Path:
    for n in range(count):
        write_submission(
            root / f"candidate-{n:02d}",
            ("md", f"# Candidate {n}\nA small model on the tiny data."),
            "import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
            "train = pd.read_csv('data/train.csv')\ntest = pd.read_csv('data/test_features.csv')",
            f"import time\ntime.sleep({1 + n % 3})  # some real work\n"
            "model = LogisticRegression(random_state=0).fit(train[['x']], train['y'])",
            "pd.DataFrame({'id': test['id'], 'y': model.predict(test[['x']]),"
            " 'p': model.predict_proba(test[['x']])[:, 1]}).to_csv('predictions.csv', index=False)",
        )
    return root


def _batch(submissions: Path, out: Path, *extra: str) -> list[str]:
    return [
        *GRADER,
        "batch",
        str(submissions),
        "--assignment",
        str(ASSIGNMENT),
        "--out",
        str(out),
        "--jobs",
        "2",
        "--no-cache",
        "--events",
        *extra,
    ]


def test_sigkill_then_resume_grades_every_submission_exactly_once(tmp_path: Path, runtime_image: str) -> None:
    submissions = _submissions(tmp_path / "subs", 8)
    out = tmp_path / "out"
    env = {**os.environ, "GRADER_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.Popen(
        _batch(submissions, out), env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and len(list(out.glob("*/report.json"))) < 3:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)  # the grader and everything it started
    process.wait()
    before = {p.parent.name: p.read_bytes() for p in out.glob("*/report.json")}
    assert 3 <= len(before) < 8, f"the kill came too late or too early: {sorted(before)}"
    for data in before.values():
        json.loads(data)  # every report written before the kill is complete

    resumed = subprocess.run(_batch(submissions, out, "--resume"), env=env, capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    events = [json.loads(line) for line in resumed.stdout.splitlines() if line.startswith("{")]
    skipped = {e["submission"] for e in events if e["event"] == "skipped"}
    graded = [e["submission"] for e in events if e["event"] == "done"]
    assert skipped == set(before), "submissions graded before the kill must not be graded again"
    assert sorted(graded) == sorted(set(f"candidate-{n:02d}" for n in range(8)) - set(before))
    assert len(graded) == len(set(graded)), "a submission was graded twice"
    for name, data in before.items():
        assert (out / name / "report.json").read_bytes() == data, f"{name} was re-graded"

    # The same results as an uninterrupted run.
    clean = tmp_path / "clean"
    uninterrupted = subprocess.run(_batch(submissions, clean), env=env, capture_output=True, text=True, timeout=900)
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-2000:]
    from grader.pipeline.files import load_report

    for n in range(8):
        name = f"candidate-{n:02d}"
        assert _comparable(load_report(out / name / "report.json")) == _comparable(
            load_report(clean / name / "report.json")
        ), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["count"] == 8 and summary["graded"] == 8
