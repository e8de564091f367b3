"""The closed set of scoring policies. Each returns points and the deductions behind them.

Every deduction points at the finding that caused it, so a reviewer can ask
"why did this candidate lose 6 points here?" and get an answer with evidence.
"""

from __future__ import annotations

from grader.models.findings import CheckResult, CheckStatus, Finding
from grader.models.report import Deduction
from grader.models.rubric import AllOrNothing, DeductPerSeverity, MetricToPoints, Proportional, ScoringPolicy


def _ranked(result: CheckResult) -> list[Finding]:
    return sorted(result.problems, key=lambda f: -f.severity.rank)


def _spread(result: CheckResult, lost: float, fallback: str) -> list[Deduction]:
    """Split `lost` points over the check's problem findings, most severe first."""
    if lost <= 1e-9:
        return []
    problems = _ranked(result)
    if not problems:
        return [Deduction(points=round(lost, 2), check_id=result.id, reason=fallback)]
    weights = [f.severity.rank for f in problems]
    total = sum(weights) or len(problems)
    deductions = []
    remaining = round(lost, 2)
    for n, finding in enumerate(problems):
        share = remaining if n == len(problems) - 1 else round(lost * (weights[n] or 1) / total, 2)
        share = min(share, remaining)
        remaining = round(remaining - share, 2)
        if share > 0:
            deductions.append(
                Deduction(points=share, check_id=result.id, reason=finding.message, finding_id=finding.id)
            )
    return deductions


def apply_policy(policy: ScoringPolicy, points: float, result: CheckResult) -> tuple[float, list[Deduction]]:
    """Points earned under `policy` for a passed or failed check, with its deductions."""
    if isinstance(policy, AllOrNothing):
        if result.status is CheckStatus.passed:
            return points, []
        problems = _ranked(result)
        first = problems[0] if problems else None
        return 0.0, [
            Deduction(
                points=points,
                check_id=result.id,
                reason=first.message if first else result.message or f"{result.title}: not met",
                finding_id=first.id if first else None,
            )
        ]
    if isinstance(policy, Proportional):
        fraction = result.score if result.score is not None else (1.0 if result.status is CheckStatus.passed else 0.0)
        earned = round(points * fraction, 2)
        return earned, _spread(result, points - earned, result.message or f"{result.title}: partly met")
    if isinstance(policy, DeductPerSeverity):
        remaining = points
        deductions = []
        for finding in _ranked(result):
            cost = min(policy.per_finding(finding.severity.value), remaining)
            if cost <= 0:
                continue
            remaining -= cost
            deductions.append(
                Deduction(points=round(cost, 2), check_id=result.id, reason=finding.message, finding_id=finding.id)
            )
        return round(remaining, 2), deductions
    if isinstance(policy, MetricToPoints):
        if result.metric is None:
            earned = 0.0
        else:
            fraction = (result.metric - policy.zero_at) / (policy.full_at - policy.zero_at)
            earned = round(points * max(0.0, min(1.0, fraction)), 2)
        reason = result.message or (
            f"{result.title}: {result.metric:.4g}" if result.metric is not None else f"{result.title}: no value"
        )
        return earned, _spread(result, points - earned, reason)
    raise TypeError(f"unknown scoring policy {policy!r}")  # pragma: no cover - the union is closed
