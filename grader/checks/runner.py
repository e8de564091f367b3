"""Run checks on a context: a crash becomes `error` (kept for staff), never `failed`."""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from grader.checks.base import CheckOutcome, CheckSpec, Need, Params
from grader.checks.model_guard import no_model_fitted
from grader.evidence.context import CheckContext
from grader.models.findings import CheckResult, CheckStatus, Finding


def missing_needs(spec: CheckSpec, ctx: CheckContext) -> list[str]:
    """The inputs this check needs that this submission cannot provide."""
    missing = []
    for need in spec.requires:
        if need is Need.execution and not ctx.ran:
            missing.append("the notebook was not executed in the sandbox")
        elif need is Need.assignment and ctx.assignment is None:
            missing.append("no assignment was given")
        elif need is Need.trace and (ctx.trace is None or not getattr(ctx.trace, "usable", False)):
            missing.append("no runtime trace was recorded")
        elif need is Need.pylint and ctx.pylint is None:
            missing.append("pylint did not run")
        elif need is Need.holdout and ctx.holdout is None:
            missing.append("no hidden holdout is available")
    return missing


def run_check(spec: CheckSpec, ctx: CheckContext, params: Params | dict[str, Any] | None = None) -> CheckResult:
    """Run one check and wrap what it returns (or raises) in a `CheckResult`."""
    started = time.perf_counter()
    base: dict[str, Any] = {
        "id": spec.id,
        "slug": spec.slug,
        "category": spec.category.value,
        "version": spec.version,
        "title": spec.title,
    }
    try:
        typed = params if isinstance(params, Params) else spec.make_params(params or {})
    except ValidationError as exc:
        return CheckResult(**base, status=CheckStatus.error, error=str(exc), message="invalid parameters")
    base["params"] = typed.model_dump(mode="json")
    missing = missing_needs(spec, ctx)
    if missing:
        return CheckResult(**base, status=CheckStatus.skipped, message="; ".join(missing))
    try:
        guarded = no_model_fitted(ctx, spec.needs_fitted_model) if spec.needs_fitted_model else None
        raw = guarded if guarded is not None else spec.func(ctx, typed)
        outcome = raw if isinstance(raw, CheckOutcome) else CheckOutcome(findings=list(raw))
        findings = _number(spec.id, outcome.findings)
    except Exception:  # noqa: BLE001 - any crash in a check is reported, not propagated
        return CheckResult(
            **base,
            status=CheckStatus.error,
            error=traceback.format_exc(limit=12),
            message="the check crashed; this criterion needs a human reviewer",
            duration_ms=(time.perf_counter() - started) * 1000,
        )
    if outcome.status is not None:
        status = outcome.status
    else:
        status = CheckStatus.failed if any(f.is_problem for f in findings) else CheckStatus.passed
    score = outcome.score
    if score is None and status in (CheckStatus.passed, CheckStatus.failed):
        score = 1.0 if status is CheckStatus.passed else 0.0
    return CheckResult(
        **base,
        status=status,
        findings=findings,
        score=None if score is None else max(0.0, min(1.0, score)),
        metric=outcome.metric,
        message=outcome.message,
        duration_ms=(time.perf_counter() - started) * 1000,
    )


def _number(check_id: str, findings: Iterable[Finding]) -> list[Finding]:
    numbered = []
    for n, finding in enumerate(findings, start=1):
        numbered.append(finding.model_copy(update={"id": f"{check_id}#{n}", "check_id": check_id}))
    return numbered


def run_checks(ctx: CheckContext, selection: Sequence[tuple[CheckSpec, dict[str, Any]]]) -> list[CheckResult]:
    """Run each (check, params) pair once, in the given order."""
    results: dict[str, CheckResult] = {}
    for spec, params in selection:
        if spec.id not in results:
            results[spec.id] = run_check(spec, ctx, params)
    return list(results.values())
