"""FEAT004: new features are built from the raw columns, and the reason for each is given."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from grader import pyast
from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import FEATURES
from grader.evidence.context import CheckContext
from grader.evidence.ml.queries import Source, code_sources, comments, evidence_for, gives_reasons, markdown_near
from grader.evidence.ml.vocabulary import FEATURE_BUILDERS, REASONING
from grader.models.findings import Confidence, Finding, Severity

_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_TRANSFORMS = frozenset(
    {
        "log",
        "log1p",
        "log2",
        "log10",
        "sqrt",
        "exp",
        "square",
        "cbrt",
        "cut",
        "qcut",
        "transform",
        "rolling",
        "expanding",
        "shift",
        "diff",
        "pct_change",
        "cumsum",
        "rank",
        "isna",
        "isnull",
        "notna",
        "notnull",
        "eq",
        "ne",
        "gt",
        "lt",
        "ge",
        "le",
        "isin",
        "between",
        "where",
        "select",
        "clip",
        "days",
    }
)
_TRANSFORMER_BASES = frozenset({"TransformerMixin", "BaseEstimator"})


@dataclass(frozen=True)
class _Feature:
    source: Source
    cell: int
    line: int
    name: str


@check(
    id="FEAT004",
    slug="features-engineered-with-reasons",
    category=Category.features,
    title="New features are built, and the reasoning is given",
    followup=FEATURES,
)
def features_engineered_with_reasons(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The candidate derives new features from existing columns and says why each should help.

    What it checks: new columns computed from others (ratios and differences, log
    transforms, date parts through `.dt`, group statistics with
    `groupby().transform`, bins with `pd.cut`, indicator flags), in the notebook or in
    the local modules it imports, and feature-building transformers
    (`PolynomialFeatures`, `FunctionTransformer`, a custom `TransformerMixin`). Each
    needs a reason: a markdown cell nearby that explains, a comment of a few words
    right above the line, or the narrative naming the new column. Clean-ups (type conversions, spelling
    fixes) are not counted as features. The score is half for building features,
    half for explaining them.

    Why it matters: feature engineering is where domain understanding shows; a
    feature without a hypothesis ("charges per line: business accounts pay per line,
    so this separates them") is a guess, and unexplained features are hard to
    review or trust in production.

    Example: ten new columns in one cell (`df["f1"] = df.a / df.b`, ...) with no
    word about why, or no new feature at all on data with obvious candidates
    (tenure from the signup date, charges per line).

    Do instead: build a few features from the EDA's findings and write one sentence
    each: what it captures and why it should predict the target.
    """
    del params
    sources = code_sources(ctx)
    target = ctx.assignment.target if ctx.assignment else None
    features: list[_Feature] = []
    for source in sources:
        features.extend(_features(source, target))
    if not features:
        return CheckOutcome(
            score=0.0,
            findings=[
                Finding(
                    message="No new features are derived from the raw columns (no ratios, date parts, aggregates or flags)",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[ctx.evidence(None, note="no derived column found")],
                )
            ],
        )
    prose = (
        "\n".join(c.source for c in ctx.notebook.markdown_cells()).lower()
        + "\n"
        + "\n".join(t for p, t in ctx.submission.texts.items() if p.lower().endswith(".md")).lower()
    )
    unexplained: dict[tuple[str, int], list[_Feature]] = {}
    explained = 0
    for feature in features:
        if _explained(ctx, feature, prose):
            explained += 1
        else:
            key = (feature.source.module.path if feature.source.module else "", feature.cell)
            unexplained.setdefault(key, []).append(feature)
    findings = []
    for group in unexplained.values():
        first = group[0]
        names = ", ".join(sorted({f.name for f in group})[:6])
        findings.append(
            Finding(
                message=f"New feature(s) {names} built without a stated reason (no nearby explanation, comment or "
                "mention in the narrative)",
                severity=Severity.low,
                confidence=Confidence.medium,
                evidence=[evidence_for(ctx, first.source, first.cell, first.line)],
                data={"features": sorted({f.name for f in group})[:20]},
            )
        )
    score = 0.5 + 0.5 * explained / len(features)
    return CheckOutcome(
        findings=findings, score=score, message=f"{len(features)} derived feature(s), {explained} explained"
    )


def _features(source: Source, target: str | None) -> list[_Feature]:
    facts = source.facts
    found: list[_Feature] = []
    for cell, stmt in facts.subscript_assigns:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        for target_node in targets:
            name = _column(target_node)
            if name is None or name == target or isinstance(stmt, ast.AugAssign):
                continue
            if _derives(stmt.value, name):
                found.append(_Feature(source, cell, stmt.lineno, name))
    for site in facts.code.calls:
        if site.name == "assign" and site.receiver:
            for keyword in site.node.keywords:
                if keyword.arg and keyword.arg != target and _derives(keyword.value, keyword.arg):
                    found.append(_Feature(source, site.cell, site.line, keyword.arg))
    for use in facts.named(FEATURE_BUILDERS):
        found.append(_Feature(source, use.cell, use.line, use.name))
    for cell, node, bases in facts.class_bases:
        if bases & _TRANSFORMER_BASES:
            found.append(_Feature(source, cell, node.lineno, node.name))
    return found


def _column(node: ast.expr) -> str | None:
    """`df["new"]` or `df.loc[:, "new"]` → "new"."""
    if not isinstance(node, ast.Subscript):
        return None
    key = node.slice
    if isinstance(key, ast.Tuple) and key.elts:
        key = key.elts[-1]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _derives(value: ast.expr, new: str) -> bool:
    """The value combines or transforms existing columns into something new (not a clean-up of `new` itself)."""
    columns = {n.value for n in ast.walk(value) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    attributes = {n.attr for n in ast.walk(value) if isinstance(n, ast.Attribute)}
    if new in columns:
        return False
    if not columns and not any(isinstance(n, ast.Subscript) for n in ast.walk(value)):
        return False
    for node in ast.walk(value):
        if isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC):
            return True
        if isinstance(node, ast.Compare):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "dt":
            return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _TRANSFORMS:
                return True
    return "dt" in attributes


def _explained(ctx: CheckContext, feature: _Feature, prose: str) -> bool:
    if len(feature.name) > 3 and feature.name.lower() in prose:
        return True
    code = feature.source.facts.code.cell(feature.cell)
    if code is not None:
        near = _comment_block(code.cell.lines, feature.line)
        # A comment right above a new column is an explanation unless it is a bare label ("# ratio").
        if len(near.split()) >= 5 or REASONING.search(near) or _mentions(near, feature.name):
            return True
        if any(_mentions(text, feature.name) for _, text in comments(code.source)):
            return True
        if feature.source.module is not None and _docstring_reasons(code.source):
            return True
    if feature.source.module is not None:
        return False
    return any(gives_reasons(cell.source) for cell in markdown_near(ctx.notebook, feature.cell, before=3, after=2))


def _comment_block(lines: list[str], line: int) -> str:
    """The comment on the feature's line and the block of comment lines right above it."""
    found = []
    if 0 < line <= len(lines) and "#" in lines[line - 1]:
        found.append(lines[line - 1].split("#", 1)[1])
    number = line - 2
    while number >= 0 and lines[number].strip().startswith("#"):
        found.append(lines[number].strip().lstrip("#"))
        number -= 1
    return " ".join(found)


def _mentions(text: str, name: str) -> bool:
    return len(name) > 3 and name.lower() in text.lower()


def _docstring_reasons(source: str) -> bool:
    try:
        tree = pyast.parse(source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node) or ""
            if REASONING.search(doc):
                return True
    return False
