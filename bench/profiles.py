"""Runtime profiles: image size per profile, and what an automatic retry costs (issue 15).

    .venv/bin/python bench/profiles.py [--repeat 3] [--build]

For each profile, the image's size (and, with `--build`, the time `grader image build --profile
NAME --force` takes). Then a notebook written for pandas 2.x (a chained `inplace=True`,
`np.sum(df == ...)[0]`, positional `series[0]`: it breaks on pandas 3) is graded, in the same
process and one at a time:

  A  with the profile fixed to `2024`: one sandbox run, `ok` (the baseline);
  B  with `runtime: auto`: a run on `current` that fails, then the retry on `2024`.

It ends with `B/A=<ratio>` and `retry_extra_s=<seconds>` on lines of their own.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.api import load_assignment  # noqa: E402
from grader.checks.registry import default_registry  # noqa: E402
from grader.execution.docker_client import DockerClient  # noqa: E402
from grader.execution.image import build_image, find_runtime_image  # noqa: E402
from grader.execution.profiles import load_profiles  # noqa: E402
from grader.execution.run import SandboxRunner  # noqa: E402
from grader.execution.sandbox import SandboxSettings  # noqa: E402
from grader.pipeline.grading import Grader, GradingOptions  # noqa: E402
from grader.scoring.rubric_file import load_rubric_file  # noqa: E402

CELLS = [
    "import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression",
    'df = pd.read_csv("customers.csv")\ndf["Churn"].replace({"Yes": 1, "No": 0}, inplace=True)',
    'churners = df[df["Churn"] == 1]\nprint(churners.iloc[0]["tenure"])',
    'yes = np.sum(df[["contract"]] == "One year")[0]\nprint(yes)',
    'counts = df["contract"].value_counts()\nprint(counts[0])',
    'X = df[["tenure", "monthly"]]\nmodel = LogisticRegression(max_iter=500).fit(X, df["Churn"])\n'
    'print(round(model.score(X, df["Churn"]), 2))',
]


def submission(folder: Path) -> Path:
    import nbformat

    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in CELLS]
    nbformat.write(nb, str(folder / "analysis.ipynb"))
    rows = ["tenure,monthly,contract,Churn"]
    for i in range(2000):
        contract = ("Month-to-month", "One year", "Two year")[i % 3]
        rows.append(f"{1 + (i * 13) % 70},{20 + (i * 37) % 90}.5,{contract},{'Yes' if (i * 7) % 10 < 3 else 'No'}")
    (folder / "customers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", action="store_true", help="also time a forced rebuild of every profile")
    args = parser.parse_args()
    client = DockerClient.from_env()
    for profile in load_profiles():
        if args.build:
            report = build_image(client, force=True, log=lambda line: None, profile=profile)
            print(f"profile {profile.name}: build {report.total_s:.1f} s, {(report.size_bytes or 0) / 1e6:,.0f} MB")
        else:
            tag = find_runtime_image(client, profile) or build_image(client, log=print, profile=profile).tag
            print(f"profile {profile.name}: {tag}, {(client.image_size(tag) or 0) / 1e6:,.0f} MB")
    registry = default_registry()
    # The sample brief names its environment (`runtime: current`); this hiring team leaves it to the grader.
    folder = Path(tempfile.mkdtemp(prefix="thg-bench-assignment-"))
    shutil.copytree(REPO / "sample_datasets" / "churn", folder, dirs_exist_ok=True)
    spec = yaml.safe_load((folder / "assignment.yaml").read_text())
    (folder / "assignment.yaml").write_text(yaml.safe_dump({**spec, "runtime": "auto"}, sort_keys=False))
    assignment = load_assignment(folder)
    current = find_runtime_image(client)
    assert current is not None
    sandbox = SandboxRunner(client=client, settings=SandboxSettings(image=current))

    def grader(profile: str | None) -> Grader:
        return Grader(
            rubric=load_rubric_file(assignment.rubric_path(), registry),
            registry=registry,
            assignment=assignment,
            sandbox=sandbox,
            options=GradingOptions(write_html=False, profile=profile),
        )

    fixed, auto = grader("2024"), grader(None)
    timings: dict[str, list[float]] = {"A": [], "B": []}
    with tempfile.TemporaryDirectory(prefix="thg-bench-profiles-") as tmp:
        folder = submission(Path(tmp) / "era2024")
        for _ in range(args.repeat):
            for label, g in (("A", fixed), ("B", auto)):
                started = time.perf_counter()
                report = g.grade(folder)
                timings[label].append(time.perf_counter() - started)
                runs = ", ".join(f"{r.profile}:{r.status}:{r.duration_s:.1f}s" for r in report.execution.profile_runs)
                print(f"{label}  graded on {report.execution.profile} ({report.execution.status.value}); runs {runs}")
    a, b = statistics.median(timings["A"]), statistics.median(timings["B"])
    print(f"A  profile fixed to 2024 (one run), median of {args.repeat}: {a:6.1f} s")
    print(f"B  auto: current fails, retry on 2024, median of {args.repeat}: {b:6.1f} s")
    print(f"B/A={b / a:.2f}")
    print(f"retry_extra_s={b - a:.1f}")
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
