"""FEAT001: missing values are handled deliberately, not dropped wholesale or ignored."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import MISSING_VALUES
from grader.evidence.code import CallSite
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, is_true, kw
from grader.evidence.ml.queries import (
    Source,
    code_sources,
    comments,
    evidence_for,
    has_model,
    markdown_near,
    model_places,
)
from grader.evidence.ml.vocabulary import IMPUTERS, PANDAS_MISSING, REASONING
from grader.models.findings import CheckStatus, Confidence, Finding, Severity

_MISSING_PROSE = re.compile(r"\b(missing|nan|nans|null|nulls|imput\w*|na values|empty values|blank)\b", re.IGNORECASE)
_DROP_PROSE = re.compile(r"\b(drop\w*|remov\w*|discard\w*|exclud\w*)\b", re.IGNORECASE)
_FLAGS = frozenset({"isna", "isnull", "notna", "notnull"})

#: Methods chained after `dropna()` that keep its rows (`df.dropna().reset_index(drop=True)`).
_ROW_PRESERVING = frozenset(
    {"reset_index", "copy", "astype", "drop", "rename", "sort_values", "sort_index", "set_index", "drop_duplicates"}
)


@check(
    id="FEAT001",
    slug="missing-values-handled",
    category=Category.features,
    title="Missing values are handled deliberately",
    followup=MISSING_VALUES,
)
def missing_values_handled(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Missing values are imputed, flagged or dropped on purpose, with the reason stated.

    What it checks: the notebook (and the local modules it imports) handles missing
    values with an imputer (`SimpleImputer`, `KNNImputer`), `fillna` /
    `interpolate`, targeted `dropna(subset=...)`, missing-indicator columns, or a
    model that takes NaN natively (`HistGradientBoosting*`, xgboost, lightgbm). A
    `df.dropna()` over every column, assigned back, without a reason nearby is a
    medium finding (it can silently drop most rows: one sparse column is enough); no
    handling at all is a medium finding; handling that the narrative never mentions
    is low.

    Why it matters: real exports are full of gaps, and they are rarely random:
    customers without an app account churn more, and their `last_login_days` is
    empty. Dropping those rows biases the training data; ignoring them crashes or
    silently mis-handles the model.

    Example: `df = df.dropna()` on the churn data, which keeps 28 % of the rows
    because `satisfaction_score` is empty for most customers.

    Do instead: look at `df.isna().mean()` first, impute inside the pipeline
    (`SimpleImputer(strategy="median", add_indicator=True)`), drop only rows whose
    target is missing (`dropna(subset=["churned"])`), and say why in a sentence.
    """
    del params
    sources = code_sources(ctx)
    findings: list[Finding] = []
    handled: list[str] = []
    target = ctx.assignment.target if ctx.assignment else None
    for source in sources:
        facts = source.facts
        handled += [f"{u.name} ({source.where(u.cell)})" for u in facts.named(IMPUTERS)]
        for site in facts.code.calls:
            if site.name in PANDAS_MISSING and site.receiver:
                if site.name == "dropna" and _drops_whole_rows(facts, site, target):
                    findings.append(_dropna_finding(ctx, source, site))
                else:
                    handled.append(f"{site.name} ({source.where(site.cell)})")
            elif site.name in _FLAGS and site.receiver and _builds_column(facts, site.node):
                handled.append(f"missing flag ({source.where(site.cell)})")
    notebook = ctx.ml
    native = [u for u, k in notebook.estimators if k.handles_missing]
    discussed = _discussed(ctx, sources)
    problems = [f for f in findings if f.is_problem]
    if findings or handled:
        if handled and not problems and not discussed:
            first = handled[0]
            findings.append(
                Finding(
                    message=f"Missing values are handled ({first}) but the narrative never says how or why",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(c, ln) for c, ln in _first_place(sources)],
                )
            )
        return CheckOutcome(
            findings=findings,
            message=f"missing values handled by: {', '.join(handled[:6])}"
            if handled
            else "missing values are dropped wholesale",
        )
    if not has_model(notebook):
        return CheckOutcome(status=CheckStatus.not_applicable, message="no model is fitted; nothing to check")
    places = model_places(notebook)
    if native and not discussed:
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"No explicit missing-value handling: the notebook relies on {native[0].name} accepting NaN, "
                    "without saying so",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(native[0].cell, native[0].line)],
                )
            ]
        )
    if native:
        return CheckOutcome(score=1.0, message=f"NaN left to {native[0].name}, as the narrative explains")
    return CheckOutcome(
        findings=[
            Finding(
                message="No missing-value handling found (no imputer, fillna, dropna or missing flags) before fitting",
                severity=Severity.medium,
                confidence=Confidence.low,
                evidence=[ctx.evidence(cell, line) for cell, line in places],
            )
        ]
    )


def _drops_whole_rows(facts: MLFacts, site: CallSite, target: str | None) -> bool:
    """`df.dropna()` over every column, kept (assigned or in place): not a targeted or exploratory drop."""
    call = site.node
    if kw(call, "subset", "thresh") is not None or call.args:
        return False
    how = kw(call, "how")
    axis = kw(call, "axis")
    if isinstance(how, ast.Constant) and how.value == "all":
        return False
    if isinstance(axis, ast.Constant) and axis.value in (1, "columns"):
        return False
    receiver = site.receiver or ""
    if re.fullmatch(r"[\w.]+\[\s*['\"][^'\"]+['\"]\s*\]", receiver):
        return False  # one column: a Series, usually for a plot or a statistic
    if receiver.split("[")[0].split(".")[0].lower().startswith("y") or (target and target in receiver):
        return False
    return _kept_as_data(facts, call)


def _kept_as_data(facts: MLFacts, call: ast.Call) -> bool:
    """The dropped frame itself is kept: `df = df.dropna().reset_index()`, `dropna(inplace=True)`, returned.

    Not when the result is only looked at or reduced (`s.dropna().iloc[0]` inside an `apply`,
    `len(df.dropna())`, `df.dropna().shape`): no row leaves the data then.
    """
    node: ast.expr = call
    parent = facts.parent(node)
    while isinstance(parent, ast.Attribute) and parent.value is node:
        method = facts.parent(parent)
        if not (isinstance(method, ast.Call) and method.func is parent and parent.attr in _ROW_PRESERVING):
            return False
        node, parent = method, facts.parent(method)
    if is_true(kw(call, "inplace")):
        return node is call and isinstance(parent, ast.Expr)
    if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.Return)):
        return parent.value is node
    return False


def _dropna_finding(ctx: CheckContext, source: Source, site: CallSite) -> Finding:
    reasoned = _reason_near(ctx, source, site)
    return Finding(
        message=f"{site.receiver}.dropna() drops every row with a missing value in any column"
        + (
            ", with a stated reason"
            if reasoned
            else ", without saying how many rows go or why: one sparse column can remove most of the data"
        ),
        severity=Severity.info if reasoned else Severity.medium,
        confidence=Confidence.medium,
        evidence=[evidence_for(ctx, source, site.cell, site.line)],
    )


def _reason_near(ctx: CheckContext, source: Source, site: CallSite) -> bool:
    code = source.facts.code.cell(site.cell)
    if code is not None and any(
        REASONING.search(text) or _DROP_PROSE.search(text) for _, text in comments(code.source)
    ):
        return True
    if source.module is not None:
        return False
    return any(
        _DROP_PROSE.search(c.source) and _MISSING_PROSE.search(c.source) and REASONING.search(c.source)
        for c in markdown_near(ctx.notebook, site.cell, before=2, after=2)
    )


def _builds_column(facts: MLFacts, node: ast.Call) -> bool:
    stmt = facts.statement(node)
    return isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Subscript) for t in stmt.targets)


def _discussed(ctx: CheckContext, sources: list[Source]) -> bool:
    if any(_MISSING_PROSE.search(c.source) for c in ctx.notebook.markdown_cells()):
        return True
    for source in sources:
        for code in source.facts.code.cells:
            if any(_MISSING_PROSE.search(text) for _, text in comments(code.source)):
                return True
    return any(_MISSING_PROSE.search(t) for p, t in ctx.submission.texts.items() if p.lower().endswith(".md"))


def _first_place(sources: list[Source]) -> list[tuple[int, int]]:
    facts = sources[0].facts
    for site in facts.code.calls:
        if site.name in PANDAS_MISSING or site.name in IMPUTERS:
            return [(site.cell, site.line)]
    return [(c, ln) for c, ln in model_places(facts, limit=1)]
