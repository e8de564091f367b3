"""The report's lines about where the notebook ran: runtime profile, why, the other run, skipped notebooks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.models.report import Report
from grader.rendering.cells import NotebookSection

#: How each way of choosing a profile reads in the report.
CHOSEN_BY = {
    "assignment": "named by the assignment",
    "option": "chosen by the grader's options",
    "inferred": "inferred from the submission",
    "default": "the default",
    "retry": "re-run after environment failures",
}


@dataclass
class RuntimeView:
    """`Ran on profile 2022 (pandas 1.5.3, ...) — re-run after environment failures: ...`."""

    profile_line: str | None = None
    other_runs: list[str] = field(default_factory=list)
    not_graded: list[str] = field(default_factory=list)


def runtime_view(report: Report) -> RuntimeView:
    """What the summary says about the runtime profile and the notebooks left out."""
    view = RuntimeView()
    execution = report.execution
    choice = execution.profile_choice
    if choice is not None:
        versions = ", ".join(f"{name} {version}" for name, version in list(choice.versions.items())[:3])
        how = CHOSEN_BY.get(choice.how.value, choice.how.value)
        view.profile_line = f"Runtime profile {choice.profile}" + (f" ({versions})" if versions else "")
        view.profile_line += f" — {how}: {choice.reason}"
    for run in execution.profile_runs:
        if run.graded:
            continue
        text = (
            f"Other run, on profile {run.profile} (not graded): {run.status}, {run.cells_ok} cell(s) ok, "
            f"{run.cells_failed} failed, {run.cells_not_run} not run, {run.duration_s:.1f} s"
        )
        if run.first_failure:
            text += f"; first failure {run.first_failure}"
        view.other_runs.append(text)
    view.not_graded = [f"{n.path} — not graded: {n.reason}" for n in report.submission.not_graded]
    return view


def cell_labels(sections: Sequence[NotebookSection]) -> dict[int, str]:
    """Global cell index → how the reviewer finds it: `task2.ipynb cell 8` (`cell 8` for one notebook)."""
    several = len(sections) > 1
    return {
        cell.index: f"{section.path} cell {cell.local_index}" if several else f"cell {cell.index}"
        for section in sections
        for cell in section.cells
    }
