"""EXE005: the numbers saved in the notebook are the numbers its code produces."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import NOT_REPRODUCED
from grader.evidence.context import CheckContext
from grader.models.execution import CellStatus, ErrorClass
from grader.models.findings import CheckStatus, Confidence, EvidenceSource, Finding, Severity
from grader.models.notebook import Cell

#: Words that make a printed number a headline result worth comparing.
_METRIC = re.compile(
    r"(accuracy|\bauc\b|roc|\bf1|f1[-_]score|precision|recall|score|\bmae\b|\bmse\b|rmse|\br2\b|r²|r\^2|"
    r"r-squared|\bloss\b|log[_ ]?loss|average[_ ]precision|\bap\b|brier|\bmcc\b|kappa|gini|\berror\b|mape)",
    re.IGNORECASE,
)
#: Lines about time, memory or progress: their numbers change on every run.
_VOLATILE = re.compile(
    r"(time|seconds|\bsec\b|elapsed|took|it/s|\bms\b|wall|cpu|memory|\bmb\b|\bgb\b|"
    r"epoch|iteration|progress|eta\b|%\|)",
    re.IGNORECASE,
)
#: Failures that say nothing about the candidate's saved outputs (limits, the sandbox itself).
_NOT_THE_CODE = frozenset({ErrorClass.resources, ErrorClass.sandbox})
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\d+|\.\d+)(?:[eE][-+]?\d+)?%?(?![\w.])")


class OutputsReproducedParams(Params):
    #: Absolute difference always tolerated (metric values are mostly in 0–1).
    abs_tolerance: float = Field(default=0.01, ge=0)
    #: Relative difference tolerated for larger numbers (MAE in minutes, counts).
    rel_tolerance: float = Field(default=0.02, ge=0)
    #: A difference this many times the tolerance is a high-severity finding.
    high_factor: float = Field(default=5.0, ge=1)


@dataclass(frozen=True)
class _Number:
    key: tuple[str, int, int]
    value: float
    line: str


@check(
    id="EXE005",
    slug="outputs-reproduced",
    category=Category.execution,
    title="Saved outputs are reproduced by a re-run",
    params=OutputsReproducedParams,
    requires={Need.execution},
    followup=NOT_REPRODUCED,
)
def outputs_reproduced(ctx: CheckContext, params: OutputsReproducedParams) -> CheckOutcome:
    """The metrics shown in the submitted notebook come out the same when the grader re-runs it.

    What it checks: for every cell that ran in the sandbox and has saved outputs,
    the headline numbers in its text outputs (lines naming a metric or a score:
    `ROC AUC: 0.871`, a results table under a `roc_auc  f1` header, a
    classification report) are compared with the same numbers in the re-run's
    output, within `abs_tolerance` / `rel_tolerance`. Timings, progress bars and
    plots are ignored. A cell whose saved output shows success but which fails when
    re-run is also a finding (unless it ran out of time or memory); cells after the
    first cell that now fails are not compared, since their differences follow from
    it. When unseeded randomness precedes a cell, a mismatch is reported with low
    confidence and severity.

    Why it matters: numbers that the code no longer produces were made by an older
    version of the notebook, a different data file, or were edited by hand; either
    way the write-up's claims cannot be trusted as they stand.

    Example: the saved output reads `Test accuracy: 0.991`, but the code as
    submitted gives 0.80 on a clean run (a later cell was changed after the run).

    Do instead: restart the kernel and run all cells before submitting, set seeds,
    and quote numbers from that final run.
    """
    if ctx.executed is None:
        return CheckOutcome(status=CheckStatus.skipped, message="the executed notebook is not available")
    randomness = [r for r in ctx.ml.randomness if not r.seeded]
    findings: list[Finding] = []
    compared_cells = 0
    reproduced_cells = 0
    broken_at: int | None = None
    for cell in ctx.notebook.code_cells():
        record = ctx.execution.cell(cell.index)
        if broken_at is not None or record is None:
            continue  # after the first new failure, later differences are its consequences
        saved_error = cell.saved_error is not None
        if record.status in (CellStatus.error, CellStatus.timeout) and not saved_error:
            broken_at = cell.index
            if record.status is CellStatus.error and cell.outputs and record.error_class not in _NOT_THE_CODE:
                findings.append(_now_fails(ctx, cell, record.error_name, record.error_value, record.error_class))
            continue
        if not cell.outputs or record.status is not CellStatus.ok:
            continue
        if cell.index >= len(ctx.executed):
            continue
        saved = _numbers(cell)
        if not saved:
            continue
        rerun = {n.key: n for n in _numbers(ctx.executed[cell.index])}
        pairs = [(s, rerun[s.key]) for s in saved if s.key in rerun]
        if not pairs:
            continue
        compared_cells += 1
        off = [(s, r) for s, r in pairs if abs(s.value - r.value) > _tolerance(s.value, params)]
        if not off:
            reproduced_cells += 1
            continue
        random_before = [r for r in randomness if r.site.cell <= cell.index]
        findings.append(_mismatch(ctx, cell, off, len(pairs), random_before[0].what if random_before else None, params))
    if not ctx.notebook.has_outputs:
        return CheckOutcome(score=1.0, message="the notebook was submitted without outputs; nothing to compare")
    checked = compared_cells + sum(1 for f in findings if f.data.get("kind") == "now_fails")
    score = (reproduced_cells / checked) if checked else 1.0
    stopped = f"; cells after cell {broken_at}, which now fails, are not compared" if broken_at is not None else ""
    message = f"{reproduced_cells} of {compared_cells} cell(s) with saved metrics reproduced{stopped}"
    return CheckOutcome(findings=findings, score=score, message=message)


def _tolerance(value: float, params: OutputsReproducedParams) -> float:
    return max(params.abs_tolerance, params.rel_tolerance * abs(value))


def _numbers(cell: Cell) -> list[_Number]:
    """Headline numbers of a cell's text outputs, keyed by line shape, occurrence and position."""
    found: list[_Number] = []
    seen: dict[str, int] = {}
    for output in cell.outputs:
        if output.output_type == "error" or (output.is_image and not output.text):
            continue
        for key, values, line in _scan(output.text):
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            found.extend(_Number((key, occurrence, position), value, line) for position, value in enumerate(values))
            if len(found) >= 400:
                return found
    return found


def _scan(text: str) -> Iterator[tuple[str, list[float], str]]:
    """(line shape, numbers, line) for lines that name a metric and rows of tables under a metric header."""
    header: str | None = None
    for raw in text.splitlines()[:2000]:
        line = raw.strip()
        if not line:
            header = None
            continue
        numbers = [float(m.group(0).rstrip("%")) for m in _NUMBER.finditer(line)]
        if _VOLATILE.search(line):
            if not numbers:
                header = None  # a table whose columns are timings
            continue
        named = _METRIC.search(line)
        if named and not numbers:
            header = _shape(line)
            continue
        if numbers and (named or header):
            yield (_shape(line) if named else f"{header}|{_shape(line)}"), numbers, line[:200]


def _shape(line: str) -> str:
    return re.sub(r"\s+", " ", _NUMBER.sub("#", line)).strip().lower()[:160]


def _mismatch(
    ctx: CheckContext,
    cell: Cell,
    off: list[tuple[_Number, _Number]],
    compared: int,
    random_source: str | None,
    params: OutputsReproducedParams,
) -> Finding:
    saved, rerun = off[0]
    worst = max(abs(s.value - r.value) / _tolerance(s.value, params) for s, r in off)
    if random_source is not None:
        severity, confidence = Severity.low, Confidence.low
        why = f" (unseeded randomness before it, e.g. {random_source}, may explain part of it)"
    else:
        severity = Severity.high if worst >= params.high_factor else Severity.medium
        confidence = Confidence.high
        why = ""
    return Finding(
        message=f"Cell {cell.index}: {len(off)} of {compared} saved number(s) are not reproduced; the saved output "
        f"shows '{saved.line}' but the re-run gives '{rerun.line}'{why}",
        severity=severity,
        confidence=confidence,
        evidence=[
            ctx.evidence(cell.index, source=EvidenceSource.saved_output, snippet=saved.line, note="as submitted"),
            ctx.evidence(cell.index, source=EvidenceSource.output, snippet=rerun.line, note="re-run in the sandbox"),
        ],
        data={"kind": "mismatch", "pairs": [[s.value, r.value] for s, r in off[:20]], "compared": compared},
    )


def _now_fails(
    ctx: CheckContext, cell: Cell, name: str | None, value: str | None, error_class: ErrorClass | None
) -> Finding:
    saved_text = cell.output_text.strip().splitlines()
    ours = error_class in (ErrorClass.candidate, ErrorClass.data, None)
    return Finding(
        message=f"Cell {cell.index} shows a successful output in the submitted notebook but raises "
        f"{name or 'an error'} when re-run" + (f": {(value or '').strip()[:160]}" if value else ""),
        severity=Severity.medium if ours else Severity.low,
        confidence=Confidence.high,
        evidence=[
            ctx.evidence(
                cell.index,
                source=EvidenceSource.saved_output,
                snippet="\n".join(saved_text[:4])[:300] or None,
                note="as submitted",
            ),
            ctx.evidence(cell.index, source=EvidenceSource.execution, note=f"re-run: {name}: {value}"[:300]),
        ],
        data={"kind": "now_fails", "error_class": error_class.value if error_class else None},
    )
