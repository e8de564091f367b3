"""EXE007: every package the submission needs could be provided in the sandbox."""

from __future__ import annotations

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import REPRODUCIBILITY
from grader.evidence.context import CheckContext
from grader.models.execution import PackageRequest, PackageStatus, RunStatus
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity

_PROBLEMS = {PackageStatus.not_allowed, PackageStatus.no_wheel, PackageStatus.conflict, PackageStatus.failed}


@check(
    id="EXE007",
    slug="packages-available",
    category=Category.execution,
    title="The packages the work needs are allowed and available",
    followup=REPRODUCIBILITY,
)
def packages_available(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Every package the notebook imports or its requirements list is allowed by the brief and installable.

    What it checks: the imports of every cell and `.py` file, `requirements.txt` and
    `environment.yml`, against the sandbox image and the assignment's package policy
    (`base_only`, `allow_list` with `allowed_packages`, or `any`). Allowed packages the
    image lacks are installed from binary wheels into a derived image; a package the
    policy does not allow is a finding (medium when the code imports it), and so is one
    that could not be installed (no wheel for Python 3.11 on Linux, a version conflict
    with the image, a failed download; low: the environment's problem). Packages that
    were installed, and version pins that differ from the sandbox's, are noted as info.

    Why it matters: the brief's package list is part of the assignment; work that needs
    something else cannot be re-run by the team, and a reviewer needs to know which
    failures come from a missing package rather than from the code.

    Example: `import shap` for a summary plot when the brief allows only the base set.

    Do instead: stay within the packages the brief allows, or ask; list what you use in
    `requirements.txt` with versions.
    """
    del params
    requests = list(ctx.execution.requested_packages)
    if not requests and ctx.execution.status in (RunStatus.not_run, RunStatus.sandbox_error):
        requests = list(ctx.packages.requests)
    findings = [finding for request in requests if (finding := _finding(ctx, request)) is not None]
    missing = [r.name for r in requests if r.status in _PROBLEMS]
    installed = [r.name for r in requests if r.status is PackageStatus.installed]
    message = f"{len(requests)} package(s) needed"
    if installed:
        message += f"; installed: {', '.join(installed)}"
    if missing:
        message += f"; not provided: {', '.join(missing)}"
    return CheckOutcome(
        findings=findings, score=1.0 - len(missing) / len(requests) if requests else 1.0, message=message
    )


def _finding(ctx: CheckContext, request: PackageRequest) -> Finding | None:
    where = ", ".join(request.sources[:3])
    imported = request.cell is not None or any(s.endswith(".py") for s in request.sources)
    evidence = [
        ctx.evidence(request.cell, _import_line(ctx, request), note=request.detail or None)
        if request.cell is not None
        else ctx.evidence(None, source=EvidenceSource.file, note=f"{where}: {request.name}{request.specifier}")
    ]
    data = {
        "package": request.name,
        "status": request.status.value,
        "sources": request.sources,
        "specifier": request.specifier,
        "version": request.version,
    }
    if request.status is PackageStatus.not_allowed:
        return Finding(
            message=f"{request.name} ({where}) is not allowed by the assignment: {request.detail}",
            severity=Severity.medium if imported else Severity.low,
            confidence=Confidence.high,
            evidence=evidence,
            data=data,
        )
    if request.status in _PROBLEMS:
        return Finding(
            message=f"{request.name} ({where}) could not be provided ({request.status.value}): {request.detail}"[:500],
            severity=Severity.low,
            confidence=Confidence.medium,
            evidence=evidence,
            data=data,
        )
    if request.status is PackageStatus.installed:
        return Finding(
            message=f"{request.name} {request.version or ''} ({where}) was installed into a derived "
            "sandbox image (allowed by the assignment)",
            severity=Severity.info,
            confidence=Confidence.high,
            evidence=evidence,
            data=data,
        )
    if request.status is PackageStatus.not_attempted:
        return Finding(
            message=f"{request.name} ({where}) is allowed and would be installed when the notebook runs",
            severity=Severity.info,
            confidence=Confidence.medium,
            evidence=evidence,
            data=data,
        )
    if request.detail:
        return Finding(
            message=f"{request.name}: {request.detail}",
            severity=Severity.info,
            confidence=Confidence.high,
            evidence=evidence,
            data=data,
        )
    return None


def _import_line(ctx: CheckContext, request: PackageRequest) -> int | None:
    if request.cell is None or not 0 <= request.cell < len(ctx.notebook):
        return None
    for number, text in enumerate(ctx.notebook[request.cell].lines, start=1):
        if any(name in text for name in request.imports) and ("import" in text):
            return number
    return None
