"""Benchmark the leakage detector on a labelled corpus: precision and recall per leak type.

    .venv/bin/python bench/leakage.py                 # static only (no Docker)
    .venv/bin/python bench/leakage.py --runtime       # static, then static + runtime (each notebook in the sandbox)
    .venv/bin/python bench/leakage.py --only p01_scaler_before_split --verbose

The corpus is `bench/leakage_corpus/`: the ground truth in `labels.yaml` (which leak types
each notebook contains), percent-format notebooks in `notebooks/`, and the `LEAK` checks'
own examples (`tests/check_examples/`), which the labels name instead of keeping copies. A notebook counts as
*detected* for a type when any `LEAK` check mapped to that type reports a problem finding.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.checks.base import Category  # noqa: E402
from grader.checks.registry import Registry, default_registry  # noqa: E402
from grader.checks.runner import run_check  # noqa: E402
from grader.evidence.build import context_of  # noqa: E402
from grader.evidence.context import SubmissionFacts  # noqa: E402
from grader.execution.record import not_run_record  # noqa: E402
from grader.models.findings import CheckResult  # noqa: E402
from grader.models.notebook import NotebookView  # noqa: E402
from grader.submission.assignment import LoadedAssignment, load_assignment  # noqa: E402
from grader.submission.pyscript import script_to_notebook  # noqa: E402

CORPUS = REPO / "bench" / "leakage_corpus"
EXAMPLES = REPO / "tests" / "check_examples"
TYPES = ("preprocessing", "overlap", "multi_test", "target", "temporal", "group")
CHECK_TYPE = {
    "LEAK001": "preprocessing",
    "LEAK002": "preprocessing",
    "LEAK003": "preprocessing",
    "LEAK004": "overlap",
    "LEAK005": "overlap",
    "LEAK006": "multi_test",
    "LEAK007": "target",
    "LEAK008": "target",
    "LEAK009": "target",
    "LEAK010": "temporal",
    "LEAK011": "group",
}


@dataclass
class Case:
    name: str
    path: Path
    assignment: LoadedAssignment
    truth: set[str]


@dataclass
class Outcome:
    detected: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)
    traced: int = 0
    error: str = ""
    seconds: float = 0.0


def load_cases(only: list[str] | None = None) -> list[Case]:
    labels = yaml.safe_load((CORPUS / "labels.yaml").read_text())["notebooks"]
    cases = []
    for name, spec in labels.items():
        if only and name not in only:
            continue
        folder = REPO / "sample_datasets" / spec["assignment"]
        if not folder.is_dir():
            folder = CORPUS / "assignments" / spec["assignment"]
        path = EXAMPLES / f"{spec['example']}.py" if "example" in spec else CORPUS / "notebooks" / f"{name}.py"
        if not path.is_file():
            path = path.with_suffix(".ipynb")
        cases.append(Case(name, path, load_assignment(folder), set(spec.get("leaks") or [])))
    return cases


def notebook_of(path: Path) -> nbformat.NotebookNode:
    if path.suffix == ".py":
        return script_to_notebook(path.read_text())
    return nbformat.read(str(path), as_version=4)


def leak_specs(registry: Registry) -> list:
    return [s for s in registry if s.category is Category.leakage]


def collect(results: list[CheckResult], outcome: Outcome) -> Outcome:
    for result in results:
        if result.id not in CHECK_TYPE:
            continue
        if result.status.value == "error":
            outcome.error += f"{result.id} crashed: {(result.error or '').splitlines()[-1:]}"
        for finding in result.problems:
            outcome.detected.add(CHECK_TYPE[result.id])
            outcome.traced += bool(finding.data.get("traced"))
            outcome.messages.append(f"{result.id} [{finding.confidence.value}] {finding.message}")
    return outcome


def run_static(case: Case, registry: Registry) -> Outcome:
    started = time.perf_counter()
    view = NotebookView.from_nodes([("analysis.ipynb", notebook_of(case.path))])
    ctx = context_of(
        submission=SubmissionFacts(name=case.name, files=("analysis.ipynb",), notebooks=("analysis.ipynb",)),
        notebook=view,
        execution=not_run_record(view, "benchmark"),
        assignment=case.assignment.assignment,
    )
    outcome = collect([run_check(spec, ctx) for spec in leak_specs(registry)], Outcome())
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_traced(case: Case, registry: Registry, sandbox: object, scratch: Path) -> Outcome:
    from grader.models.rubric import CheckRef, Criterion, Rubric
    from grader.pipeline.grading import Grader, GradingOptions
    from grader.scoring.rubric_file import LoadedRubric

    started = time.perf_counter()
    folder = scratch / case.name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook_of(case.path), str(folder / "analysis.ipynb"))
    specs = leak_specs(registry)
    rubric = Rubric(
        name="leakage-bench",
        criteria=[
            Criterion(
                id="leakage", title="leakage", points=len(specs), checks=[CheckRef(check=s.id, points=1) for s in specs]
            )
        ],
    )
    grader = Grader(
        rubric=LoadedRubric(rubric=rubric, path=folder / "rubric.yaml", sha256=""),
        registry=registry,
        assignment=case.assignment,
        sandbox=sandbox,
        options=GradingOptions(write_html=False),
    )  # type: ignore[arg-type]
    report = grader.grade(folder)
    outcome = collect(report.checks, Outcome())
    if report.execution.status.value not in ("ok",):
        outcome.error += f" run {report.execution.status.value}: {report.execution.reason[:200]}"
    if report.execution.tracing != "ok":
        outcome.error += f" tracing {report.execution.tracing}"
    outcome.seconds = time.perf_counter() - started
    return outcome


def _sandbox() -> object:
    """A sandbox runner on the current image (no reaping: other graders may share the engine)."""
    from grader.execution.docker_client import DockerClient
    from grader.execution.image import find_runtime_image
    from grader.execution.run import SandboxRunner
    from grader.execution.sandbox import SandboxSettings

    client = DockerClient.from_env()
    tag = find_runtime_image(client)
    if tag is None:
        raise SystemExit("the sandbox image is not built: run `.venv/bin/grader image build`")
    return SandboxRunner(client=client, settings=SandboxSettings(image=tag))


def scores(cases: list[Case], outcomes: dict[str, Outcome]) -> dict[str, dict[str, float | int]]:
    table: dict[str, dict[str, float | int]] = {}
    for kind in TYPES:
        tp = sum(1 for c in cases if kind in c.truth and kind in outcomes[c.name].detected)
        fp = sum(1 for c in cases if kind not in c.truth and kind in outcomes[c.name].detected)
        fn = sum(1 for c in cases if kind in c.truth and kind not in outcomes[c.name].detected)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        table[kind] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "positives": tp + fn,
            "precision": round(precision, 3),
            "recall": round(recall, 3),
        }
    return table


def print_table(title: str, table: dict[str, dict[str, float | int]]) -> None:
    print(f"\n{title}")
    print(f"  {'type':14} {'positives':>9} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>7}")
    for kind, row in table.items():
        print(
            f"  {kind:14} {row['positives']:>9} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
            f"{row['precision']:>10.3f} {row['recall']:>7.3f}"
        )


def print_mismatches(cases: list[Case], outcomes: dict[str, Outcome], verbose: bool) -> None:
    for case in cases:
        outcome = outcomes[case.name]
        missed = case.truth - outcome.detected
        extra = outcome.detected - case.truth
        if missed or extra or outcome.error or verbose:
            flag = "ok" if not (missed or extra) else "MISMATCH"
            print(
                f"  {case.name}: {flag} truth={sorted(case.truth)} detected={sorted(outcome.detected)}"
                + (f" missed={sorted(missed)}" if missed else "")
                + (f" extra={sorted(extra)}" if extra else "")
                + (f" error={outcome.error}" if outcome.error else "")
            )
            if verbose or extra or missed:
                for message in outcome.messages:
                    print(f"      {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", action="store_true", help="also run every notebook traced in the sandbox")
    parser.add_argument("--only", nargs="*", help="notebook names to run")
    parser.add_argument("--jobs", type=int, default=3, help="sandboxes at once for --runtime")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args(argv)

    registry = default_registry()
    cases = load_cases(args.only)
    print(
        f"{len(cases)} notebooks; {sum(1 for c in cases if c.truth)} with at least one leak; "
        f"{sum(1 for c in cases if not c.truth)} clean look-alikes"
    )
    static = {c.name: run_static(c, registry) for c in cases}
    static_table = scores(cases, static)
    print_table("static only", static_table)
    print_mismatches(cases, static, args.verbose)
    figures: dict[str, object] = {
        "notebooks": len(cases),
        "static": static_table,
        "static_seconds": round(sum(o.seconds for o in static.values()), 2),
    }
    if args.runtime:
        sandbox = _sandbox()
        with tempfile.TemporaryDirectory(prefix="leakage-bench-") as tmp, ThreadPoolExecutor(args.jobs) as pool:
            futures = {c.name: pool.submit(run_traced, c, registry, sandbox, Path(tmp)) for c in cases}
            traced = {name: future.result() for name, future in futures.items()}
        traced_table = scores(cases, traced)
        print_table("static + runtime (traced in the sandbox)", traced_table)
        print_mismatches(cases, traced, args.verbose)
        proven = sum(1 for o in traced.values() if o.traced)
        print(
            f"\n  {proven} notebooks have at least one finding proven by the trace; "
            f"sandbox time {sum(o.seconds for o in traced.values()):.0f} s"
        )
        figures["static_runtime"] = traced_table
        figures["traced_notebooks"] = proven
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
