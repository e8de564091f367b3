"""Features chosen by hand from what the labels of all rows said: correlation with the target, p-values, importances.

`SelectKBest` fitted before the split is a selector the dataflow sees. The same choice is often
made by hand: a correlation with the target printed over the whole frame, then "I will only
consider the top five features with high correlation to the target" and a column list typed out;
or an OLS fitted on all rows, then the columns with large p-values dropped. The choice is in the
narrative, the evidence it rests on in the code: a correlation (or a supervised model) computed
on rows that include the test rows of a split scored later. The test labels took part in
choosing the features, so the test score is somewhat optimistic (medium: the effect is usually
small, and the columns are typed by hand, so the dataflow cannot prove they are the ones chosen).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.evidence.dataflow.catalogue import Role
from grader.evidence.dataflow.values import DataflowResult, Fit, Split
from grader.evidence.leakage.base import LeakBuilder, LeakKind, ran_before
from grader.evidence.leakage.selection import test_part
from grader.evidence.ml.vocabulary import FitCategory
from grader.evidence.narrative.markdown import comment_lines, excerpt, prose, sentences
from grader.models.findings import EvidenceSource, Finding, Severity

#: A choice among columns ...
_CHOICE = re.compile(
    r"\b(?:select\w*|choos\w*|chose\w*|keep\w*|kept|retain\w*|consider\w*|pick\w*|drop\w*|remov\w*|"
    r"eliminat\w*|discard\w*|exclud\w*|filter\w*|only use|use only|top (?:\d+|two|three|four|five|six|ten))\b",
    re.IGNORECASE,
)
_COLUMNS = re.compile(r"\b(?:features?|columns?|variables?|predictors?|attributes?)\b", re.IGNORECASE)
#: ... made on their correlation with the target ...
_CORRELATION = re.compile(r"\bcorrelat\w*|\bcorr\b", re.IGNORECASE)
_TARGET_WORDS = re.compile(r"\b(?:target|label|output|dependent|response)\b", re.IGNORECASE)
#: ... or on what a model fitted to the labels said of them.
_MODEL_BASIS = re.compile(r"\bp[- ]?values?\b|\bimportan(?:ce|t)s?\b|\bsignifican\w*|\bcoefficients?\b", re.IGNORECASE)
#: Not a choice made on the target: collinearity between features, or a plan for later.
_NOT_THIS = re.compile(
    r"\b(?:multi-?collinear\w*|collinear\w*|each other|between (?:the )?(?:independent )?(?:features|variables|"
    r"predictors|columns)|among (?:the )?(?:features|variables)|vif|future|could|should|would|might|next steps?)\b",
    re.IGNORECASE,
)


_HYPOTHETICAL = re.compile(r"\b(?:future|could|should|would|might|next steps?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """A sentence that says how features were chosen."""

    cell: int
    line: int | None
    text: str
    source: EvidenceSource
    basis: str  # "correlation" or "model"


def chosen_features_leaks(b: LeakBuilder) -> None:
    """Features chosen from a correlation with the target (or a supervised model) over rows that include the test rows."""
    flow = b.flow
    scored = [s for s in flow.evaluation_splits() if s.role("test") is Role.test and _scored(flow, s)]
    if not scored:
        return
    statements = _statements(b, flow.target)
    if not statements:
        return
    for split in scored:
        test_tag = ("part", split.id, "test")
        for statement in statements:
            fit = _evidence_fit(flow, statement, test_tag, split)
            if fit is not None:
                _report(b, statement, fit, split)
                return


def _scored(flow: DataflowResult, split: Split) -> bool:
    return any(test_part(flow, e.tags) is split for e in flow.evals.values())


def _statements(b: LeakBuilder, target: str | None) -> list[Statement]:
    """Sentences in markdown and code comments that say features were chosen on correlation with the target or on p-values/importances."""
    target_words = re.compile(
        _TARGET_WORDS.pattern + (rf"|\b{re.escape(target).replace('_', '[ _]')}\b" if target else ""), re.IGNORECASE
    )
    found: list[Statement] = []
    for cell in b.seen.notebook.cells:
        pieces: list[tuple[int | None, str, EvidenceSource]]
        if cell.is_markdown:
            pieces = [(None, s, EvidenceSource.markdown) for s in sentences(prose(cell.source))]
        elif cell.is_code:
            pieces = [(line, text, EvidenceSource.code) for line, text in comment_lines(cell)]
        else:
            continue
        for line, text, source in pieces:
            text = text.strip()
            if not (_CHOICE.search(text) and _COLUMNS.search(text)) or _NOT_THIS.search(text):
                continue
            if _CORRELATION.search(text) and target_words.search(text):
                found.append(Statement(cell.index, line, text, source, "correlation"))
            elif _MODEL_BASIS.search(text):
                found.append(Statement(cell.index, line, text, source, "model"))
        if cell.is_markdown and not any(s.cell == cell.index for s in found):
            # "p_value of 'LengthDiag' is greater than 0.05 => not significant ... let's drop it": the
            # reason and the choice may sit in neighbouring sentences of one note.
            text = " ".join(prose(cell.source).split())
            basis = next((s for s in sentences(text) if _MODEL_BASIS.search(s) and not _NOT_THIS.search(s)), None)
            if basis is not None and _CHOICE.search(text) and not _HYPOTHETICAL.search(text):
                found.append(Statement(cell.index, None, text, EvidenceSource.markdown, "model"))
    return found


def _evidence_fit(
    flow: DataflowResult, statement: Statement, test_tag: tuple[str, int, str], split: Split
) -> Fit | None:
    """The computation over rows that include the test rows that the statement's choice rests on, before it."""
    for fit in sorted(flow.fits.values(), key=lambda f: (f.site.executed_cell, f.site.executed_line)):
        if (
            fit.site.cell > statement.cell
            or not flow.covers(fit.tags, test_tag)
            or not ran_before(fit.site, split.site)
        ):
            continue
        if statement.basis == "correlation" and fit.category in (
            FitCategory.statistic,
            FitCategory.target_statistic,
        ):
            if fit.method in ("corr", "corrwith"):
                return fit
        elif statement.basis == "model" and fit.category is FitCategory.model and fit.supervised:
            return fit
    return None


def _report(b: LeakBuilder, statement: Statement, fit: Fit, split: Split) -> None:
    what = (
        "their correlation with the target"
        if statement.basis == "correlation"
        else f"what a {fit.cls} fitted to the labels said of them"
    )
    message = (
        f"Features are chosen on {what} (cell {statement.cell}: \u201c{excerpt(statement.text, 120)}\u201d), "
        f"computed in cell {fit.site.cell} on rows that include the test rows of the split in cell "
        f"{split.site.cell}: the test labels took part in choosing the features, so the test score is somewhat "
        "optimistic. Choose them on the training rows only (or inside a pipeline)"
    )
    b.add(
        LeakKind.preprocessing,
        ("chosen_features", split.id, statement.cell),
        Finding(
            message=message,
            severity=Severity.medium,
            confidence=b.confidence(fit.uncertain, split.uncertain),
            evidence=[
                b.seen.evidence(
                    statement.cell,
                    statement.line,
                    snippet=excerpt(statement.text, 240),
                    source=statement.source,
                    note="the choice",
                ),
                b.evidence(fit.site, note="computed on all rows"),
                b.evidence(split.site, note="the split"),
            ],
            data={
                "fit_cell": fit.site.cell,
                "split_cell": split.site.cell,
                "choice_cell": statement.cell,
                "basis": statement.basis,
                "how": "chosen_features",
            },
        ),
    )
