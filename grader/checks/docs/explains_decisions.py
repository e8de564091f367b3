"""DOC003: modelling and feature decisions are explained, not only narrated."""

from __future__ import annotations

import ast
import re

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import COMMUNICATION
from grader.evidence.code import CallSite
from grader.evidence.context import CheckContext
from grader.evidence.ml.vocabulary import DECISION_CALLS
from grader.evidence.narrative.markdown import (
    REASONING,
    adjacent_markdown,
    comment_lines,
    excerpt,
    group_blocks,
    prose,
)
from grader.evidence.narrative.scopes import cells_of
from grader.models.findings import Confidence, Evidence, EvidenceSource, Finding, Severity

#: Cleaning calls that are a decision only when their result is kept (`df = df.dropna()`), not when they
#: only shape a display (`pd.crosstab(s.fillna("<NaN>"), t)`).
_KEPT_ONLY = {"fillna", "dropna", "get_dummies", "qcut", "cut", "log1p", "clip"}
_ESTIMATOR = re.compile(
    r"(?:Classifier|Regressor|Regression|SVC|SVR|NB|Boost\w*|^XGB\w+|^LGBM\w+|^CatBoost\w+|"
    r"KNeighbors\w+|Lasso|Ridge|ElasticNet)$"
)


class DecisionsParams(Params):
    #: Words of running text a markdown cell needs to count as an explanation.
    min_words: int = Field(default=8, ge=1, le=200)
    #: Cells after a block in which an explanation is looked for (the markdown run above always counts).
    after: int = Field(default=2, ge=0, le=10)


@check(
    id="DOC003",
    slug="explains-decisions",
    category=Category.docs,
    title="Explains the modelling and feature decisions",
    params=DecisionsParams,
    followup=COMMUNICATION,
)
def explains_decisions(ctx: CheckContext, params: DecisionsParams) -> CheckOutcome:
    """The markdown around modelling and feature code gives reasons, not only a description of the code.

    What it checks: the cells that take decisions (the split and cross-validation,
    imputation, encoding, scaling, resampling, feature construction, model choice,
    tuning, thresholds) are grouped into blocks of consecutive code cells. A block is
    explained when the markdown right above it or within `after` cells below it (at
    least `min_words` words), or a comment inside it, uses the language of reasons: because, since,
    so that, instead of, rather than, trade-off, chose, assumption, to avoid, leakage...
    The score is the share of explained blocks; each unexplained one is a finding.

    Why it matters: the reviewer grades judgement. `StratifiedKFold` with a one-line
    "because 20 % of customers churn" shows it; "Now we train a random forest" does not,
    and leaves the reviewer guessing whether the choice was deliberate.

    Example: "## Model" followed by "Here I train XGBoost." and a grid search, with no
    word on why this model, these parameters or this metric.

    Do instead: for each decision, say why in one sentence: the alternative considered,
    the property of the data that drove it, the risk it avoids.
    """
    view = ctx.notebook
    md = ctx.narrative.markdown
    cells = decision_cells(ctx)
    if not cells:
        return CheckOutcome(message="no modelling or feature code to explain", score=1.0)
    blocks = group_blocks(view, cells)
    explained: list[tuple[list[int], Evidence]] = []
    bare: list[list[int]] = []
    for block in blocks:
        above, _ = adjacent_markdown(view, block[0], block[-1])
        below = [
            view[i] for i in range(block[-1] + 1, min(len(view), block[-1] + 1 + params.after)) if view[i].is_markdown
        ]
        reason = next(
            (c for c in [*above, *below] if c.index in md.reasoning and md.words.get(c.index, 0) >= params.min_words),
            None,
        )
        if reason is not None:
            explained.append(
                (
                    block,
                    ctx.evidence(reason.index, source=EvidenceSource.markdown, snippet=_reason_excerpt(reason.source)),
                )
            )
            continue
        comment = next(
            (
                (cell, line, text)
                for cell in block
                for line, text in comment_lines(view[cell])
                if REASONING.search(text)
            ),
            None,
        )
        if comment is not None:
            explained.append((block, ctx.evidence(comment[0], comment[1], note="reason given in a code comment")))
        else:
            bare.append(block)
    findings = []
    if explained:
        findings.append(
            Finding(
                message=f"{len(explained)} of {len(blocks)} block(s) of decision code are explained",
                severity=Severity.info,
                evidence=[e for _, e in explained[:3]],
                data={"blocks": [b for b, _ in explained][:50]},
            )
        )
        for block in bare[:10]:
            findings.append(
                Finding(
                    message=f"The decisions in cell(s) {', '.join(map(str, block))} are not explained "
                    f"({_what(ctx, block)})",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[_block_evidence(ctx, block)],
                )
            )
    else:
        findings.append(
            Finding(
                message=f"None of the {len(blocks)} block(s) of modelling and feature code is explained: no markdown "
                "or comment gives a reason (because, instead of, trade-off, ...)",
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=[_block_evidence(ctx, b) for b in bare[:5]],
                data={"blocks": bare[:50]},
            )
        )
    return CheckOutcome(
        findings=findings,
        score=len(explained) / len(blocks),
        message=f"{len(explained)} of {len(blocks)} decision block(s) explained",
    )


def decision_sites(ctx: CheckContext) -> list[CallSite]:
    """Calls that embody a modelling or feature decision."""
    found = []
    index = ctx.narrative.scopes
    for site in ctx.code.calls:
        constructed = site.receiver is None or site.qualname is not None
        if site.name in _KEPT_ONLY and not _kept(site, index.statement_of.get(id(site.node))):
            continue
        if (
            site.name in DECISION_CALLS
            or (constructed and _ESTIMATOR.search(site.name))
            or any(kw.arg == "class_weight" for kw in site.node.keywords)
        ):
            found.append(site)
    return found


def _kept(site: CallSite, statement: ast.stmt | None) -> bool:
    """`df = df.fillna(0)`, `df.dropna(inplace=True)`, `return data.fillna(-1)`: the result is used as data."""
    if any(kw.arg == "inplace" for kw in site.node.keywords):
        return True
    return isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Return)


def decision_cells(ctx: CheckContext) -> set[int]:
    """Cells holding decision code, and the cells that run it through a helper function."""
    scope = ctx.narrative.scopes
    cells: set[int] = set()
    for site in decision_sites(ctx):
        cells |= cells_of(site, scope) | {site.cell}
    return {c for c in cells if ctx.notebook[c].is_code}


def _what(ctx: CheckContext, block: list[int]) -> str:
    names = []
    for site in decision_sites(ctx):
        if site.cell in block and site.name not in names:
            names.append(site.name)
    return ", ".join(names[:4]) or "model code"


def _block_evidence(ctx: CheckContext, block: list[int]) -> Evidence:
    for site in decision_sites(ctx):
        if site.cell in block:
            return ctx.evidence(site.cell, site.line, note="decision without a stated reason")
    return ctx.evidence(block[0], 1, note="decision without a stated reason")


def _reason_excerpt(source: str) -> str:
    text = prose(source)
    match = REASONING.search(text)
    start = max(0, match.start() - 100) if match else 0
    return excerpt(text[start:], 240)
