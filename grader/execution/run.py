"""Run one submission in the sandbox and take back what it produced, checked.

The packages the assignment allows are provided first (a derived image of the runtime
profile's image), then the notebooks run; the executed copies must have the submitted cells in order, the trace
is parsed, and every outcome, including a sandbox that failed, is an `ExecutionRecord`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import ConfigError, SandboxError, SubmissionError, UntrustedOutputError
from grader.execution.docker_client import DockerClient
from grader.execution.image import find_runtime_image
from grader.execution.image.derived import provide_packages
from grader.execution.live_progress import CellListener
from grader.execution.packages import PackagePlan
from grader.execution.record import build_record, not_run_record
from grader.execution.sandbox import SandboxInput, SandboxResult, SandboxSettings, reap_leftovers, run_in_sandbox
from grader.execution.seccomp import profile_json
from grader.execution.trace import parse_trace
from grader.execution.triage import MalformedFile
from grader.models.assignment import RunLimits
from grader.models.execution import ExecutionRecord, RunStatus
from grader.models.notebook import NotebookView
from grader.models.trace import RuntimeTrace
from grader.submission.assignment import LoadedAssignment
from grader.submission.loader import Submission, SubmissionLimits, parse_notebook

#: Executed notebooks can be larger than submitted ones (outputs); still bounded.
MAX_EXECUTED_BYTES = 64 * 1024 * 1024


@dataclass
class SandboxRunner:
    """The sandbox side of grading: a Docker client and how to run containers."""

    client: DockerClient
    settings: SandboxSettings

    def run(self, job: SandboxInput, *, on_cell: CellListener | None = None) -> SandboxResult:
        """Run one job in a fresh container; `on_cell` hears each code cell as it starts."""
        return run_in_sandbox(self.client, self.settings, job, on_cell=on_cell)


def seccomp_profile(choice: str) -> str | None:
    """`grader` (the current allow-list profile), `engine` (the engine's built-in) or a JSON file path."""
    if choice == "grader":
        return profile_json()
    if choice == "engine":
        return None
    path = Path(choice)
    if not path.is_file():
        raise ConfigError(f"seccomp profile {choice!r} is neither 'grader', 'engine' nor a JSON file")
    return path.read_text(encoding="utf-8")


def sandbox_runner(
    *, image: str | None = None, runtime: str | None = None, seccomp: str = "grader", trace: bool = True
) -> SandboxRunner:
    """Connect to Docker, reap leftovers of crashed runs, and pick the runtime image."""
    client = DockerClient.from_env()
    reap_leftovers(client)
    tag = image or find_runtime_image(client)
    if tag is None:
        raise ConfigError("the sandbox image is not built for this version of the grader: run `grader image build`")
    if not client.image_exists(tag):
        raise ConfigError(f"image {tag} does not exist; run `grader image build`")
    return SandboxRunner(
        client=client,
        settings=SandboxSettings(image=tag, runtime=runtime, seccomp_profile=seccomp_profile(seccomp), trace=trace),
    )


@dataclass(frozen=True)
class RunOutcome:
    """What one run left behind: its record, the notebooks as executed, the files it wrote, its trace."""

    record: ExecutionRecord
    executed: NotebookView | None = None
    #: The executed notebooks (nbformat nodes) and their bytes, by relative path.
    executed_nodes: dict[str, Any] = field(default_factory=dict)
    executed_files: dict[str, bytes] = field(default_factory=dict)
    collected: dict[str, bytes] = field(default_factory=dict)
    trace: RuntimeTrace | None = None


def not_executed(view: NotebookView, why: str) -> RunOutcome:
    """The outcome when the notebook is not run at all."""
    return RunOutcome(record=not_run_record(view, why))


def run_submission(
    runner: SandboxRunner,
    submission: Submission,
    view: NotebookView,
    plan: PackagePlan,
    *,
    assignment: LoadedAssignment | None,
    limits: RunLimits,
    image: str | None = None,
    profile: str | None = None,
    malformed: Sequence[MalformedFile] = (),
    on_cell: CellListener | None = None,
) -> RunOutcome:
    """Provide the planned packages, run the notebooks, and check what comes back.

    `image` is the image of runtime profile `profile` (the runner's image, the current
    profile, by default); `malformed` lists the data files that cannot be parsed as intended;
    `on_cell` hears each code cell as it starts.
    """
    collect = [assignment.assignment.prediction_contract.file] if assignment else ["predictions.csv"]
    environment = provide_packages(runner.client, image or runner.settings.image, list(plan.requests), profile=profile)
    job = SandboxInput(
        submission_files=dict(submission.files),
        data_files=assignment.data_files() if assignment else {},
        notebooks=[nb.path for nb in submission.notebooks],
        collect=collect,
        limits=limits,
        image=environment.image,
        group_patterns=assignment.assignment.structure.group_patterns if assignment else {},
    )
    limits_used = limits.model_dump()
    try:
        result = runner.run(job, on_cell=on_cell)
    except SandboxError as exc:
        record = not_run_record(view, f"the sandbox failed: {exc}")
        update = {"status": RunStatus.sandbox_error, "limits": limits_used, "requested_packages": environment.requests}
        return RunOutcome(record=record.model_copy(update=update), trace=RuntimeTrace.unusable("the sandbox failed"))
    record = build_record(
        view,
        result,
        image=environment.image,
        runtime=runner.settings.runtime,
        limits=limits_used,
        malformed=malformed,
    ).model_copy(update={"requested_packages": environment.requests})
    if result.results is None:
        return RunOutcome(record=record, trace=parse_trace(b"", record))
    try:
        executed, nodes, files = executed_notebooks(submission, result)
    except UntrustedOutputError as exc:
        record = record.model_copy(update={"status": RunStatus.sandbox_error, "reason": str(exc)})
        return RunOutcome(record=record, trace=RuntimeTrace.unusable("the sandbox's results were not trusted"))
    if executed is None:
        record = record.model_copy(
            update={"reason": (record.reason + "; the executed notebook was invalid and is ignored").strip("; ")}
        )
    return RunOutcome(
        record=record,
        executed=executed,
        executed_nodes=nodes,
        executed_files=files,
        collected=dict(result.results.collected),
        trace=parse_trace(result.results.trace, record),
    )


def executed_notebooks(
    submission: Submission, result: SandboxResult
) -> tuple[NotebookView | None, dict[str, Any], dict[str, bytes]]:
    """Re-validate the executed notebooks; they must have the submitted cells, in order.

    Returns the view over every notebook (a notebook that did not run keeps its submitted
    cells), and the executed ones as nodes and bytes; a view of None when one is unreadable.
    """
    assert result.results is not None
    by_path = {nb.path: nb.executed for nb in result.results.output.notebooks}
    nodes = []
    executed: dict[str, Any] = {}
    files = {}
    for nb in submission.notebooks:
        key = by_path.get(nb.path)
        data = result.results.executed.get(key or "")
        if data is None:
            nodes.append((nb.path, nb.node))  # not executed: same cells, saved outputs ignored via records
            continue
        try:
            node = parse_notebook(nb.path, data, SubmissionLimits(max_notebook_bytes=MAX_EXECUTED_BYTES))
        except SubmissionError:
            return None, {}, {}
        if len(node.cells) != len(nb.node.cells) or any(
            a.get("source") != b.get("source") for a, b in zip(node.cells, nb.node.cells)
        ):
            raise UntrustedOutputError(f"the executed copy of {nb.path} does not match the submitted notebook")
        nodes.append((nb.path, node))
        executed[nb.path] = node
        files[nb.path] = data
    return NotebookView.from_nodes(nodes), executed, files
