"""QUAL001: pylint's evaluation of the notebook's code, with findings mapped to cells."""

from __future__ import annotations

from collections import defaultdict

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Need, Params, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.evidence.pylint_runner import PylintMessage, PylintStatus
from grader.models.findings import CheckStatus, Confidence, Finding, Severity

_SEVERITY = {
    "fatal": Severity.high,
    "error": Severity.medium,
    "warning": Severity.low,
    "refactor": Severity.low,
    "convention": Severity.low,
    "info": Severity.info,
}


class PylintScoreParams(Params):
    #: Occurrences of one message shown as evidence (all are counted in the finding's data).
    max_evidence: int = Field(default=5, ge=1, le=50)


@check(
    id="QUAL001",
    slug="pylint-score",
    category=Category.quality,
    title="pylint's score of the notebook's code",
    params=PylintScoreParams,
    requires={Need.pylint},
    followup=CODE_QUALITY,
)
def pylint_score(ctx: CheckContext, params: PylintScoreParams) -> CheckOutcome:
    """pylint rates the notebook's code, with the noise every notebook makes turned off.

    What it checks: pylint's 0–10 score of all code cells assembled into one module
    (IPython magics neutralised), with notebook noise disabled: display expressions,
    `X_train`-style names, docstrings, imports in later cells, IPython names
    (`display`), and pandas/numpy inference false positives. The metric is the score;
    each kind of message is a finding with the cells and lines where it occurs
    (errors such as `undefined-variable` are medium, warnings and style low).

    Why it matters: a bare `except:`, a mutable default argument, a variable used before
    it is defined or a shadowed built-in are bugs waiting to happen, and they tell the
    reviewer how the candidate writes code outside a notebook too.

    Example: `def evaluate(model, X, y, metrics=[]): ... except: pass`, two warnings that
    hide real failures.

    Do instead: run `pylint` (or `ruff`) on `jupyter nbconvert --to script` output before
    submitting and fix what it reports; catch specific exceptions, avoid mutable defaults.
    """
    report = ctx.pylint
    assert report is not None, "requires Need.pylint: the runner skips this check when pylint did not run"
    if report.status is not PylintStatus.ok:
        if report.status is PylintStatus.empty:
            return CheckOutcome(message="no code to lint", score=1.0, metric=10.0)
        return CheckOutcome(
            status=CheckStatus.skipped, message=f"pylint {report.status.value}: {report.error or ''}".strip(": ")
        )
    by_symbol: dict[str, list[PylintMessage]] = defaultdict(list)
    for message in report.messages:
        by_symbol[message.symbol].append(message)
    ranked = sorted(
        by_symbol.items(), key=lambda kv: (-_SEVERITY.get(kv[1][0].category, Severity.low).rank, -len(kv[1]), kv[0])
    )
    findings = []
    for symbol, messages in ranked:
        first = messages[0]
        located = [m for m in messages if m.cell is not None]
        cells = sorted({m.cell for m in located if m.cell is not None})
        findings.append(
            Finding(
                message=f"pylint {first.message_id} {symbol} ({len(messages)}×"
                f"{', cells ' + ', '.join(map(str, cells[:8])) if cells else ''}): {first.message}",
                severity=_SEVERITY.get(first.category, Severity.low),
                confidence=Confidence.medium if first.category in ("convention", "refactor") else Confidence.high,
                evidence=[
                    ctx.evidence(m.cell, m.line, end_line=m.end_line, note=m.message)
                    for m in located[: params.max_evidence]
                ]
                or [ctx.evidence(None, note=first.message)],
                data={
                    "symbol": symbol,
                    "category": first.category,
                    "count": len(messages),
                    "places": [[m.cell, m.line] for m in located[:100]],
                },
            )
        )
    score = report.score if report.score is not None else 0.0
    skipped = f"; {len(report.skipped_cells)} cell(s) that do not parse were left out" if report.skipped_cells else ""
    return CheckOutcome(
        findings=findings,
        metric=score,
        score=score / 10,
        message=f"pylint {score:.2f}/10 with {len(report.messages)} message(s){skipped}",
    )
