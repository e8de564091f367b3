"""QUAL006: warnings are not silenced wholesale."""

from __future__ import annotations

import ast
import re

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.evidence.narrative.scopes import Scopes
from grader.models.findings import Finding, Severity

_ENV_MAGIC = re.compile(r"^\s*%env\s+PYTHONWARNINGS\s*=?\s*ignore", re.IGNORECASE | re.MULTILINE)


class WarningSuppressionParams(Params):
    #: A global `warnings.filterwarnings("ignore")` (no category, module or message).
    blanket: Severity = Severity.low
    #: `pd.options.mode.chained_assignment = None`: hides writes to copies, a real bug class.
    chained_assignment: Severity = Severity.medium
    #: `np.seterr(all="ignore")` and friends.
    numpy: Severity = Severity.low
    #: Only these many findings are reported; the rest are counted in the data of the last one.
    max_findings: int = Field(default=10, ge=1, le=100)


@check(
    id="QUAL006",
    slug="blanket-warning-suppression",
    category=Category.quality,
    title="Warnings are not silenced wholesale",
    params=WarningSuppressionParams,
    followup=CODE_QUALITY,
)
def blanket_warning_suppression(ctx: CheckContext, params: WarningSuppressionParams) -> CheckOutcome:
    """Warnings are not switched off for the whole notebook.

    What it checks: `warnings.filterwarnings("ignore")` and `warnings.simplefilter("ignore")`
    without a `category`, `module` or `message` (a filter for one warning class is
    fine, and so is one inside `with warnings.catch_warnings():`);
    `pd.options.mode.chained_assignment = None` or `pd.set_option("mode.chained_assignment", None)`;
    `np.seterr(all="ignore")`; `PYTHONWARNINGS=ignore`; replacing `warnings.warn`.
    Each is a finding at its line.

    Why it matters: warnings are how pandas and scikit-learn report silent bugs:
    `SettingWithCopyWarning` (a write that did not happen), `ConvergenceWarning` (a
    model that did not converge), `UndefinedMetricWarning` (a class never predicted).
    Silencing all of them hides exactly what a reviewer wants to see.

    Example: `import warnings; warnings.filterwarnings("ignore")` in the first cell,
    over a logistic regression that stops at `max_iter` without converging.

    Do instead: fix the cause (`df.loc[...] = ...`, `max_iter=2000`, scaling), or filter one
    warning class where it is understood, with a comment saying why.
    """
    findings: list[Finding] = []
    index = ctx.narrative.scopes
    for site in ctx.code.calls:
        qual = site.qualname or ""
        receiver = site.receiver or ""
        node = site.node
        if site.name in ("filterwarnings", "simplefilter") and (
            "warnings" in qual or "warnings" in receiver or site.receiver is None
        ):
            action = node.args[0] if node.args else _keyword(node, "action")
            narrowed = len(node.args) > 1 or any(kw.arg in ("category", "module", "message") for kw in node.keywords)
            if _constant(action) == "ignore" and not narrowed and not _scoped(index, node):
                findings.append(
                    _finding(
                        ctx,
                        site.cell,
                        site.line,
                        params.blanket,
                        "All warnings are silenced for the rest of the notebook",
                    )
                )
        elif (
            site.name == "set_option"
            and node.args
            and _constant(node.args[0]) in ("mode.chained_assignment", "chained_assignment")
            and len(node.args) > 1
            and _constant(node.args[1]) is None
            and isinstance(node.args[1], ast.Constant)
        ):
            findings.append(
                _finding(
                    ctx,
                    site.cell,
                    site.line,
                    params.chained_assignment,
                    "pandas' chained-assignment warning is switched off",
                )
            )
        elif (
            site.name == "seterr"
            and ("numpy" in qual or receiver in ("np", "numpy"))
            and any(_constant(kw.value) == "ignore" for kw in node.keywords)
        ):
            findings.append(
                _finding(ctx, site.cell, site.line, params.numpy, "numpy floating-point warnings are silenced")
            )
    for cell_index, assign in index.nodes(ast.Assign):
        assert isinstance(assign, ast.Assign)
        for target in assign.targets:
            if not isinstance(target, ast.Attribute | ast.Subscript):
                continue
            text = ast.unparse(target)
            if (
                text.endswith("mode.chained_assignment")
                and _constant(assign.value) is None
                and isinstance(assign.value, ast.Constant)
            ):
                findings.append(
                    _finding(
                        ctx,
                        cell_index,
                        assign.lineno,
                        params.chained_assignment,
                        "pandas' chained-assignment warning is switched off",
                    )
                )
            elif text.endswith("warnings.warn") or (
                text.startswith("os.environ[") and "PYTHONWARNINGS" in text and _constant(assign.value) == "ignore"
            ):
                findings.append(
                    _finding(
                        ctx,
                        cell_index,
                        assign.lineno,
                        params.blanket,
                        "All warnings are silenced for the rest of the notebook",
                    )
                )
    for cell in ctx.notebook.code_cells():
        match = _ENV_MAGIC.search(cell.source)
        if match:
            line = cell.source[: match.start()].count("\n") + 1
            findings.append(_finding(ctx, cell.index, line, params.blanket, "PYTHONWARNINGS=ignore"))
    findings.sort(key=lambda f: (f.evidence[0].cell or 0, f.evidence[0].line or 0))
    if len(findings) > params.max_findings:
        extra = len(findings) - params.max_findings
        findings = findings[: params.max_findings]
        findings[-1] = findings[-1].model_copy(update={"message": f"{findings[-1].message} ({extra} more)"})
    problems = [f for f in findings if f.is_problem]
    return CheckOutcome(
        findings=findings,
        score=0.0 if problems else 1.0,
        message=f"{len(problems)} place(s) silence warnings wholesale",
    )


def _finding(ctx: CheckContext, cell: int, line: int, severity: Severity, what: str) -> Finding:
    return Finding(message=f"{what} (cell {cell}, line {line})", severity=severity, evidence=[ctx.evidence(cell, line)])


def _constant(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else "<not a constant>"


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _scoped(index: Scopes, call: ast.Call) -> bool:
    """Inside `with warnings.catch_warnings():`, whose filters end with the block."""
    block = index.enclosing(call, ast.With, ast.AsyncWith)
    while block is not None:
        assert isinstance(block, ast.With | ast.AsyncWith)
        if any("catch_warnings" in ast.unparse(item.context_expr) for item in block.items):
            return True
        block = index.enclosing(block, ast.With, ast.AsyncWith)
    return False
