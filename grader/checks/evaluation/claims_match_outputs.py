"""EVAL009: what the prose says about the results agrees with what the notebook's own outputs show."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from grader import pyast
from grader.checks.base import Category, CheckOutcome, FlagRule, NoParams, check
from grader.checks.followups import FollowUpSubject, Question
from grader.evidence.context import CheckContext
from grader.evidence.ml.queries import resolve_measures, task_of
from grader.evidence.ml.vocabulary import LABEL_ONLY_MEASURES, Measure, Task
from grader.evidence.narrative.claims import ClaimKind, StatedResult, own_statements
from grader.evidence.narrative.markdown import excerpt, prose
from grader.evidence.narrative.metric_text import (
    LOWER_IS_BETTER,
    RATIO_MEASURES,
    measures_named,
    numbers_in,
    tolerance,
    written_as,
)
from grader.evidence.narrative.reported import ReportedValue
from grader.evidence.scored_rows import scored_models
from grader.models.findings import CheckStatus, Confidence, Evidence, EvidenceSource, Finding, Severity
from grader.models.notebook import Cell
from grader.models.report import FlagKind

#: An overclaim at least this far beyond every value shown is high severity (ratio metrics; errors: relative).
HIGH_GAP_RATIO = 0.03
HIGH_GAP_RELATIVE = 0.10
#: "No overfitting" is contradicted by a train-test gap this large (ratio metrics; errors: train/test ratio).
OVERFIT_GAP = 0.10
OVERFIT_ERROR_RATIO = 1.5
#: A value no output prints may have been read off a figure this many cells above the statement.
FIGURE_REACH = 3
#: Error metrics a notebook only shows when its code computes them (by name, a scorer string, or by hand).
_COMPUTED_ERRORS = frozenset({Measure.mae, Measure.mse, Measure.rmse, Measure.mape})


def _ask(s: FollowUpSubject) -> str:
    return f"{s.message()} — where does that figure come from, and which number should a reader trust?"


CLAIM = Question("evaluation", _ask)


@check(
    id="EVAL009",
    slug="claims-match-outputs",
    category=Category.evaluation,
    title="The stated results match the notebook's own outputs",
    followup=CLAIM,
    flag=FlagRule(FlagKind.claim_unsupported, min_severity=Severity.high),
)
def claims_match_outputs(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """The results the markdown and comments state are the ones the notebook's outputs show.

    What it checks: each metric value the prose states ("ROC AUC of 0.97", "95 % accuracy",
    "RMSE 0.45"), each "model X performs best" and each "no overfitting" is compared with the
    metric values the notebook's own outputs show (the outputs that count: the sandbox re-run
    where it ran, else the saved ones). A stated value better than every value the outputs show
    for that metric is a high-severity finding when the gap is large (an explicit contradiction,
    high confidence); a value the outputs never show, a winner the outputs rank below another
    model, "no overfitting" next to a large train-test gap, an error metric the code never
    computes (negative MSE from a scorer reported as "MAE"), and a metric said to be measured
    on test data when every score the notebook computes is on rows its model was fitted on
    are medium; so are stated results in a submitted notebook in which no cell that computes a
    score was ever run (no execution count, no output: the conclusion was not read from it), and
    markdown that reads a result off the code cell right above it ("this proves that region
    helps the model", "the residuals look normal") when that cell prints, plots or displays
    something but was never run in a notebook whose other cells ran; and, on a regression task,
    a result presented as accuracy ("the model is 79 % accurate" for an R², an output labelled
    "Accuracy:" for a regressor's score or for 100 − RMSE). Three or more values one cell
    states that no output shows are one finding: results of runs the notebook does not hold.
    Statements about a
    baseline, a goal or someone else's result are not claims; a figure within rounding (or
    within "about") of a shown value is supported, and so is a value read off a figure just
    above where it is first stated (a curve's legend), wherever it is restated. Where the
    metric's own values are shown, a number printed without a metric's name supports a stated
    value only if a cell that computes a score printed it (a `.score`, a metric, a function of
    the notebook's that computes one), not a data table, a probability array or a training log.

    Why it matters: the conclusion is what a hiring team reads first. A headline number the
    notebook never produced, or one better than anything it printed, is either stale or
    invented, and either way the reported performance cannot be trusted.

    Example: the conclusion says "the final model reaches a ROC AUC of 0.97" while the
    validation cell prints `ROC AUC: 0.861`.

    Prose that states no result is not applicable: the points leave the total.

    Do instead: quote the numbers the final run prints (or compute the summary table in code),
    and say which rows they were measured on.
    """
    del params
    narrative = ctx.narrative
    claims = narrative.claims
    never_run = _never_run_finding(ctx)
    unread = [] if never_run is not None else _read_off_unrun_cells(ctx)
    unread += _regression_called_accuracy(ctx)
    if not claims:
        if unread:
            return CheckOutcome(
                findings=unread, message=f"{len(unread)} statement(s) the notebook's outputs do not support"
            )
        return CheckOutcome(
            status=CheckStatus.not_applicable, message="not applicable: the prose states no results to compare"
        )
    shown = ctx.output_cells()
    if not any(cell.outputs for cell, _ in shown):
        return CheckOutcome(status=CheckStatus.skipped, message="no outputs to compare the stated results with")
    values = list(narrative.reported)
    numbers = _printed_numbers(shown, values, _scoring_functions(_code_sources(ctx)))
    figures = sorted(cell.index for cell, _ in shown if any(o.is_image for o in cell.outputs))
    # A value read off a figure just above it may be restated anywhere later (a summary).
    read_off_figures = {
        (c.measure, round(c.value, 6))
        for c in claims
        if c.kind is ClaimKind.value
        and c.value is not None
        and any(c.cell - FIGURE_REACH <= cell <= c.cell for cell in figures)
    }
    computed = measures_named(_code_text(ctx))
    findings = [*unread]
    if never_run is not None:
        findings.append(never_run)
    seen: set[tuple[int, str, float | None, str | None]] = set()
    held_out_said = False
    for claim in claims:
        key = (claim.cell, claim.kind.value, claim.value, claim.model)
        if key in seen or (claim.kind is ClaimKind.held_out and held_out_said):
            continue
        seen.add(key)
        if claim.kind is ClaimKind.held_out:
            held_out_said = True
            finding = _held_out_finding(ctx, claim)
        elif claim.kind is ClaimKind.value:
            finding = _value_finding(ctx, claim, values, numbers, read_off_figures, computed)
        elif claim.kind is ClaimKind.best:
            finding = _best_finding(ctx, claim, values)
        else:
            finding = _overfitting_finding(ctx, claim, values)
        if finding is not None:
            findings.append(finding)
    checked = len(seen)
    unsupported = len(findings) - len(unread) - (never_run is not None)
    findings = _merge_runs_not_held(findings)
    return CheckOutcome(
        findings=findings,
        message=f"{checked - unsupported} of {checked} stated result(s) supported by the outputs",
    )


@dataclass(frozen=True)
class _Printed:
    """The numbers the outputs print, split by whether some output line prints them without a metric's name."""

    #: Numbers printed somewhere without a metric's name (a bare result, a line a table reader did not read).
    unnamed: frozenset[float]
    #: Numbers printed only as the value of a named metric, with the metrics and the cell that shows them.
    named: dict[float, tuple[frozenset[Measure], int]]
    #: The bare numbers printed by cells whose code computes a score: where a metric's own values are
    #: shown, only these can stand for a stated value of it (not a data table, a probability array or a
    #: training log's loss that happens to equal it).
    scored: frozenset[float] = frozenset()


def _printed_numbers(
    shown: list[tuple[Cell, EvidenceSource]], values: list[ReportedValue], helpers: frozenset[str] = frozenset()
) -> _Printed:
    """Each number the outputs print, and whether some line prints it without a metric's name.

    A classification report prints a dozen numbers between 0.7 and 0.95: a claim of "AUC around 84 %"
    is not supported by a macro-averaged F1 of 0.84, but it is by a bare 0.84 the cell that computes
    the AUC printed.
    """
    on_line: dict[tuple[int, str], list[ReportedValue]] = {}
    for value in values:
        on_line.setdefault((value.cell, value.text), []).append(value)
    unnamed: set[float] = set()
    scored: set[float] = set()
    named: dict[float, tuple[set[Measure], int]] = {}
    for cell, _ in shown:
        scores = _computes_a_score(cell.source, helpers)
        for output in cell.outputs:
            for line in output.text[:20000].splitlines():
                read = on_line.get((cell.index, line.strip()[:200]), [])
                for number in numbers_in(line):
                    key = round(number.value, 6)
                    owners = {v.measure for v in read if round(v.value, 6) in (key, round(number.value / 100.0, 6))}
                    if not owners:
                        unnamed.add(key)
                        if scores:
                            scored.add(key)
                    else:
                        measures, _ = named.setdefault(key, (set(), cell.index))
                        measures |= owners
    return _Printed(
        frozenset(unnamed),
        {key: (frozenset(m), c) for key, (m, c) in named.items() if key not in unnamed},
        frozenset(scored),
    )


#: Code that computes a score without naming its metric: an estimator's or a search's own score,
#: cross-validation, a Keras evaluation.
_SCORES = re.compile(r"\.score\s*\(|\bcross_val\w*\s*\(|\bcross_validate\s*\(|\bbest_score_\b|\.evaluate\s*\(")


def _computes_a_score(source: str, helpers: frozenset[str] = frozenset()) -> bool:
    """The cell's code computes some score: a metric by name (`roc_auc_score`, `rmse = ...`), an unnamed
    one, or through one of the notebook's own functions that does (`evaluate(model, X_test, y_test)`)."""
    if measures_named(source) or _SCORES.search(source):
        return True
    return any(re.search(rf"\b{re.escape(name)}\s*\(", source) for name in helpers)


def _scoring_functions(sources: list[str]) -> frozenset[str]:
    """The functions the notebook's cells (or its modules) define whose body computes a score."""
    names: set[str] = set()
    for code in sources:
        try:
            tree = pyast.parse(code)
        except SyntaxError:
            continue
        names |= {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and _computes_a_score(ast.get_source_segment(code, node) or "")
        }
    return frozenset(names)


def _code_sources(ctx: CheckContext) -> list[str]:
    """The notebook's code cells and the submission's own modules, where the metrics it shows are computed."""
    cells = [cell.source for cell in ctx.notebook.cells if cell.is_code]
    modules = [text for name, text in ctx.submission.texts.items() if name.endswith(".py")]
    return [*cells, *modules]


def _code_text(ctx: CheckContext) -> str:
    """The notebook's code and the submission's own modules as one text."""
    return "\n".join(_code_sources(ctx))


def _never_run_finding(ctx: CheckContext) -> Finding | None:
    """Results stated in a submitted notebook in which no cell that computes a score was ever run."""
    stated = [c for c in ctx.narrative.claims if c.kind in (ClaimKind.value, ClaimKind.best)]
    cells = {cell.index: cell for cell in ctx.notebook.cells}
    scoring = sorted({use.site.cell for use in ctx.ml.metric_uses if use.site.cell in cells})
    if not stated or not scoring:
        return None
    if not ctx.notebook.ran_before_submission:
        return None  # cleared before submission as a whole: a habit, not results written without running

    if not all(cells[i].never_run for i in scoring):
        return None
    shown = ", ".join(str(i) for i in scoring[:6]) + ("…" if len(scoring) > 6 else "")
    first = stated[0]
    return Finding(
        message=f"The prose states results (cell {first.cell}), but in the submitted notebook none of the cells "
        f"that compute a score was run (cells {shown} have no execution count and no output): those results "
        "were not read from this notebook",
        severity=Severity.medium,
        confidence=Confidence.high,
        evidence=[
            _claim_evidence(ctx, first),
            *(ctx.evidence(i, source=EvidenceSource.code, note="never run before submission") for i in scoring[:3]),
        ],
        data={"kind": "never_run", "scoring_cells": scoring[:20]},
    )


#: Markdown that reads something off the cell above: a result, a comparison, a shape seen in a plot.
_READS_A_RESULT = re.compile(
    r"\b(?:shows?|showed|proves?|proved|(?:can )?see|seen|indicates?|suggests?|reveals?|confirms?|best|better|"
    r"worse|improv\w*|outperform\w*|accura\w*|scores?|perform\w*|higher|lower|normal(?:ly)?|distribut\w*|"
    r"significan\w*|correlat\w*|errors?|r2|r²|rmse|mae|auc|precision|recall|f1)\b",
    re.IGNORECASE,
)
#: A code cell that puts something on screen: a print, a plot, a display (or a bare expression at its end).
_SHOWS = re.compile(
    r"\b(?:print|display|show|classification_report|confusion_matrix|summary|describe|head|info)\s*\(|"
    r"\bplt\.|\bsns\.|\bpx\.|\.plot\b|\w+plot\s*\("
)
#: Prose this short is a caption or a heading, not a reading of results.
_MIN_WORDS = 8


#: A score as people write one: a percentage, a fraction between 0 and 1, or a 0-100 score with
#: decimals ("79.26 %", "0.81", ".8", "99.93").
_SCORE = r"(?:\d{1,3}(?:\.\d+)?\s*%|(?<![\d.])0?\.\d+|(?<![\d.])1\.0+\b|(?<![\d.])\d{1,2}\.\d+)"
#: What may stand between the word and the figure: no other number, but digits inside a name (`model_3`).
_BETWEEN = r"(?:[^\n\d]|(?<=[A-Za-z_])\d)"
#: "accuracy" or "accurate" with a score in the same sentence or output line ("79.26% accurate",
#: "Accuracy: 0.79", "the accuracy of the model is 0.85"); not a list of metric names.
_ACCURACY_FIGURE = re.compile(
    rf"\baccura(?:cy|te)\b(?!\s*,){_BETWEEN}{{0,40}}?{_SCORE}|{_SCORE}{_BETWEEN}{{0,25}}?\baccura(?:cy|te)\b",
    re.IGNORECASE,
)
#: A heading's section number ("10.3: Checking the accuracy ..."), not a figure.
_SECTION_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\s*[:.)]\s*")
#: The repr of a plot element a cell returns (`Text(0, 0.5, 'Accuracy')`): an axis label, not a result.
_PLOT_REPR = re.compile(r"\s*\[?<?(?:Text|matplotlib|Axes|Line2D)\b")
#: A sentence about classification itself (a list of metrics per task), not about this model.
_ABOUT_CLASSIFICATION = re.compile(r"\bclassif\w*", re.IGNORECASE)


def _regression_called_accuracy(ctx: CheckContext) -> list[Finding]:
    """A regression result presented as "accuracy" in the prose or the printed labels.

    Accuracy is the share of correct class predictions; a continuous target has none. The figure
    is R² (`model.score`, `cross_val_score` without `scoring=`) or an error turned into a
    percentage (100 − RMSE), and "the model is 79 % accurate" tells a reader something false.
    A notebook that computes classification metrics on the target is EVAL004's high finding instead.
    """
    if task_of(ctx.assignment, ctx.ml) is not Task.regression:
        return []
    if resolve_measures((x for m in ctx.ml.metric_uses for x in m.measures), Task.regression) & LABEL_ONLY_MEASURES:
        return []
    places: list[Evidence] = []
    for cell in ctx.notebook.cells:
        if cell.is_markdown:
            said = next(
                (
                    sentence
                    for sentence in own_statements(cell.source)
                    if _ACCURACY_FIGURE.search(_SECTION_NUMBER.sub("", sentence))
                    and not _ABOUT_CLASSIFICATION.search(sentence)
                ),
                None,
            )
            if said is not None:
                places.append(ctx.evidence(cell.index, source=EvidenceSource.markdown, snippet=excerpt(said, 240)))
    for cell, source in ctx.output_cells():
        for output in cell.outputs:
            line = next(
                (
                    ln
                    for ln in output.text[:20000].splitlines()
                    if _ACCURACY_FIGURE.search(ln) and not _PLOT_REPR.match(ln)
                ),
                None,
            )
            if line is not None:
                places.append(ctx.evidence(cell.index, source=source, snippet=excerpt(line.strip(), 160)))
                break
    if not places:
        return []
    places.sort(key=lambda e: e.cell if e.cell is not None else -1)
    return [
        Finding(
            message="A regression result is presented as accuracy (cell "
            + ", ".join(str(e.cell) for e in places[:3])
            + "): a continuous target has no correct predictions to count, so the figure is R² or a transformed "
            "error, and a reader takes it for a share of correct answers",
            severity=Severity.medium,
            confidence=Confidence.medium,
            evidence=places[:3],
            data={"kind": "regression_called_accuracy", "cells": [e.cell for e in places]},
        )
    ]


def _read_off_unrun_cells(ctx: CheckContext) -> list[Finding]:
    """Markdown that interprets the output of the code cell right above it, which was never run.

    In a submitted notebook whose other cells ran, a cell with no execution count and no output
    followed by "This proves that region helps the model" or "the residuals look normal": the
    statement was not read from this notebook (written before running, or kept from another run).
    """
    if not ctx.notebook.ran_before_submission:
        return []  # cleared as a whole: a habit, not statements without results
    found: list[Finding] = []
    for above, below in pairwise(ctx.notebook.cells):
        if not (above.never_run and above.code_lines and below.is_markdown and above.notebook == below.notebook):
            continue
        if not _shows(above.source):
            continue
        text = " ".join(prose(below.source).split())
        if len(text.split()) < _MIN_WORDS or not _READS_A_RESULT.search(text):
            continue
        found.append(
            Finding(
                message=f"The markdown in cell {below.index} reads a result off cell {above.index}, which was never "
                "run in the submitted notebook (no execution count, no output): what it states was not read from "
                "this notebook",
                severity=Severity.medium,
                confidence=Confidence.medium,
                evidence=[
                    ctx.evidence(below.index, source=EvidenceSource.markdown, snippet=excerpt(text, 240)),
                    ctx.evidence(above.index, source=EvidenceSource.code, snippet="In [ ]", note="never run"),
                ],
                data={"kind": "read_off_unrun_cell", "cell": above.index},
            )
        )
    return found


def _shows(source: str) -> bool:
    """The cell prints, plots or displays something (Jupyter displays a bare expression at the end)."""
    if _SHOWS.search(source):
        return True
    try:
        body = pyast.parse(source).body
    except SyntaxError:
        return False
    return bool(body) and isinstance(body[-1], ast.Expr) and not isinstance(body[-1].value, ast.Constant)


def _held_out_finding(ctx: CheckContext, claim: StatedResult) -> Finding | None:
    """ "Measured on the test data" where every score the notebook computes is on its model's training rows."""
    models = scored_models(ctx.dataflow, ctx.trace_facts)
    if not models or any(m.held_out for m in models) or ctx.dataflow.cv_runs:
        return None
    trained = models[0].training[0].eval.site
    return Finding(
        message=f"The prose says the {claim.measure.value.replace('_', ' ') if claim.measure else 'score'} is "
        f"measured on held-out data (cell {claim.cell}), but every score the notebook computes is on rows its "
        f"model was fitted on (first: cell {trained.cell})",
        severity=Severity.medium,
        confidence=Confidence.high,
        evidence=[
            _claim_evidence(ctx, claim),
            ctx.evidence(trained.cell, trained.line, note="scored on the rows the model was fitted on"),
        ],
        data={"kind": "held_out_not_used", "scored_models": len(models)},
    )


def _claim_evidence(ctx: CheckContext, claim: StatedResult) -> Evidence:
    if claim.source == "comment":
        return ctx.evidence(claim.cell, claim.line, note="stated in a comment")
    return ctx.evidence(claim.cell, source=EvidenceSource.markdown, snippet=claim.text)


def _shown_evidence(ctx: CheckContext, values: list[ReportedValue], note: str) -> list[Evidence]:
    out = []
    for value in values[:3]:
        out.append(ctx.evidence(value.cell, source=value.source, snippet=value.text, note=note))
    return out


def _fmt(measure: Measure, value: float) -> str:
    return f"{value:.4g}" if measure not in RATIO_MEASURES else f"{value:.3f}".rstrip("0").rstrip(".")


def _value_finding(
    ctx: CheckContext,
    claim: StatedResult,
    values: list[ReportedValue],
    numbers: _Printed,
    read_off_figures: set[tuple[Measure | None, float]],
    computed: frozenset[Measure],
) -> Finding | None:
    assert claim.measure is not None and claim.value is not None and claim.number is not None
    measure, stated = claim.measure, claim.value
    tol = tolerance(measure, claim.number, claim.approximate)
    same = [v for v in values if v.measure is measure]
    if claim.split is not None and any(v.split == claim.split for v in same):
        same = [v for v in same if v.split in (claim.split, None)]
    number, approximate = claim.number, claim.approximate
    if any(written_as(v.value, stated, measure, number, approximate) for v in same):
        return None
    scale = 100.0 if number.percent or (measure in RATIO_MEASURES and number.value > 1) else 1.0

    def written(n: float) -> bool:
        return written_as(n, stated, measure, number, approximate) or written_as(
            n / scale, stated, measure, number, approximate
        )

    # Where the metric's own values are shown, a bare number stands for the stated value only if a cell
    # that computes a score printed it; elsewhere any bare number may be the result, printed unlabelled.
    unnamed = any(written(n) for n in (numbers.scored if same else numbers.unnamed))
    # Where the metric's own values are shown, a figure printed only as another metric's value (an F1 in a
    # classification report, not the AUC said) does not support it.
    printed = unnamed or (not same and any(written(n) for n in numbers.named))
    as_other = (
        [(n, owners, cell) for n, (owners, cell) in numbers.named.items() if measure not in owners and written(n)]
        if same and not unnamed
        else []
    )
    shown = sorted({round(v.value, 6) for v in same})[:12]
    data: dict[str, object] = {"metric": measure.value, "stated": stated, "shown": shown}
    name = measure.value.replace("_", " ")
    said = f"The prose states {name} {_fmt(measure, stated)} (cell {claim.cell})"
    if not same and measure in _COMPUTED_ERRORS and measure not in computed:
        also = (
            "; the figure it quotes is printed, so it is another metric's value"
            if printed
            else ", and no output shows that figure"
        )
        others = sorted(m.value.replace("_", " ") for m in computed & _COMPUTED_ERRORS)
        return Finding(
            message=f"{said}, but the code never computes a {name}"
            + (f" (it computes {', '.join(others)})" if others else "")
            + also,
            severity=Severity.medium,
            confidence=Confidence.medium,
            evidence=[_claim_evidence(ctx, claim)],
            data={**data, "kind": "metric_not_computed", "computed": others},
        )
    if printed:
        return None  # the figure is printed, if not next to the metric's name
    if not same:
        if (measure, round(stated, 6)) in read_off_figures:
            return None  # read off a figure (a ROC curve's legend), here or where first stated: nothing to compare
        return Finding(
            message=f"{said}, but no output of the notebook shows any {name} value",
            severity=Severity.medium,
            confidence=Confidence.low,
            evidence=[_claim_evidence(ctx, claim)],
            data={**data, "kind": "not_shown"},
        )
    lower_better = measure in LOWER_IS_BETTER
    best = min(v.value for v in same) if lower_better else max(v.value for v in same)
    worst = max(v.value for v in same) if lower_better else min(v.value for v in same)
    over = (best - stated) if lower_better else (stated - best)
    under = (stated - worst) if lower_better else (worst - stated)
    closest = sorted(same, key=lambda v: abs(v.value - stated))
    other = ""
    if as_other:
        # The figure is on screen, under another metric's name: a mix-up more than an invention, so medium.
        owners = frozenset().union(*(o for _, o, _ in as_other))
        cell = min(c for _, _, c in as_other)
        names = ", ".join(sorted(m.value.replace("_", " ") for m in owners))
        other = f"; the figure it quotes is printed only as {names} (cell {cell})"
        data["printed_as"] = sorted(m.value for m in owners)
    if over > tol:
        large = not other and over >= (HIGH_GAP_RATIO if measure in RATIO_MEASURES else HIGH_GAP_RELATIVE * abs(best))
        return Finding(
            message=f"{said}, better than every {name} its outputs show (best {_fmt(measure, best)}, "
            f"cell {closest[0].cell}){other}",
            severity=Severity.high if large else Severity.medium,
            confidence=Confidence.high if large else Confidence.medium,
            evidence=[_claim_evidence(ctx, claim), *_shown_evidence(ctx, closest, f"{name} shown")],
            data={**data, "kind": "better_than_shown", "best_shown": best},
        )
    kind, severity = ("worse_than_shown", Severity.low) if under > tol else ("not_shown_exactly", Severity.medium)
    return Finding(
        message=f"{said}, but its outputs show {name} "
        + ", ".join(_fmt(measure, v) for v in shown[:5])
        + (" (nothing that close)" if kind == "not_shown_exactly" else ", all better than stated")
        + other,
        severity=severity,
        confidence=Confidence.low,
        evidence=[_claim_evidence(ctx, claim), *_shown_evidence(ctx, closest, f"{name} shown")],
        data={**data, "kind": kind},
    )


#: Kinds of a stated value no output shows (as against one better than every output shows).
_UNSHOWN = frozenset({"not_shown", "not_shown_exactly", "worse_than_shown"})
#: This many unshown values stated in one cell are one finding: results of runs the notebook does not hold.
_MERGE_AT = 3


def _merge_runs_not_held(findings: list[Finding]) -> list[Finding]:
    """Many values one cell states that no output shows become one finding for that cell.

    A markdown table of nine train/test splits tried in earlier sessions is one problem (the
    notebook does not hold those runs), not 27 separate claims.
    """
    by_cell: dict[int | None, list[Finding]] = {}
    for finding in findings:
        if finding.data.get("kind") in _UNSHOWN and finding.evidence:
            by_cell.setdefault(finding.evidence[0].cell, []).append(finding)
    replaced: dict[int, Finding] = {}
    dropped: set[int] = set()
    rank = {Severity.low: 0, Severity.medium: 1, Severity.high: 2}
    for cell, group in by_cell.items():
        if len(group) < _MERGE_AT:
            continue
        stated = [
            f"{f.data['metric']} {_fmt(Measure(str(f.data['metric'])), float(str(f.data['stated'])))}" for f in group
        ]
        first = group[0]
        replaced[id(first)] = Finding(
            message=f"The prose in cell {cell} states {len(group)} results that no output of the notebook shows ("
            + ", ".join(stated[:6])
            + (", ..." if len(stated) > 6 else "")
            + "): they come from runs the notebook does not hold",
            severity=max((f.severity for f in group), key=lambda sev: rank.get(sev, 0)),
            confidence=Confidence.low,
            evidence=first.evidence[:3],
            data={"kind": "results_not_shown", "count": len(group), "stated": stated[:50]},
        )
        dropped |= {id(f) for f in group[1:]}
    return [replaced.get(id(f), f) for f in findings if id(f) not in dropped]


def _comparisons(values: list[ReportedValue]) -> Iterator[tuple[Measure, dict[str, ReportedValue]]]:
    """Per cell and metric, the best value shown for each model, when at least two models are compared."""
    groups: dict[tuple[int, Measure], dict[str, ReportedValue]] = {}
    for value in values:
        if value.model is None or value.split == "train":
            continue
        group = groups.setdefault((value.cell, value.measure), {})
        kept = group.get(value.model)
        better = value.measure in LOWER_IS_BETTER
        if kept is None or (value.value < kept.value if better else value.value > kept.value):
            group[value.model] = value
    for (_, measure), group in groups.items():
        if len(group) >= 2:
            yield measure, group


def _best_finding(ctx: CheckContext, claim: StatedResult, values: list[ReportedValue]) -> Finding | None:
    assert claim.model is not None
    relevant = [
        (measure, group)
        for measure, group in _comparisons(values)
        if claim.model in group and (claim.measure is None or claim.measure is measure)
    ]
    if not relevant:
        return None
    beaten = []
    for measure, group in relevant:
        lower_better = measure in LOWER_IS_BETTER
        winner = (min if lower_better else max)(group.values(), key=lambda v: v.value)
        mine = group[claim.model]
        if abs(winner.value - mine.value) <= 5e-4 or winner.model == claim.model:
            return None  # one comparison the claim holds in is enough
        beaten.append((measure, winner, mine))
    measure, winner, mine = beaten[0]
    name = measure.value.replace("_", " ")
    if measure is Measure.default:
        name = "test score" if winner.split == "test" else "score"
    return Finding(
        message=f"The prose says {claim.model} is best (cell {claim.cell}), but its outputs rank {winner.model} "
        f"higher on {name} ({_fmt(measure, winner.value)} against {_fmt(measure, mine.value)}, cell {winner.cell})",
        severity=Severity.medium,
        confidence=Confidence.high if claim.measure is not None else Confidence.medium,
        evidence=[_claim_evidence(ctx, claim), *_shown_evidence(ctx, [winner, mine], f"{name} shown")],
        data={
            "kind": "not_best",
            "claimed": claim.model,
            "best_shown": winner.model,
            "metric": measure.value,
            "values": {winner.model or "": winner.value, claim.model: mine.value},
        },
    )


def _overfitting_finding(ctx: CheckContext, claim: StatedResult, values: list[ReportedValue]) -> Finding | None:
    """ "No overfitting" next to a training score far above the held-out one, printed together."""
    worst: tuple[float, ReportedValue, ReportedValue] | None = None
    by_cell: dict[tuple[int, Measure], list[ReportedValue]] = {}
    for value in values:
        by_cell.setdefault((value.cell, value.measure), []).append(value)
    for (_, measure), group in by_cell.items():
        trains = [v for v in group if v.split == "train"]
        tests = [v for v in group if v.split == "test"]
        for train in trains:
            for test in tests:
                if measure in RATIO_MEASURES:
                    gap = train.value - test.value
                    over = gap >= OVERFIT_GAP
                elif measure in LOWER_IS_BETTER and train.value > 0:
                    gap = test.value / train.value
                    over = gap >= OVERFIT_ERROR_RATIO
                else:
                    continue
                if over and (worst is None or gap > worst[0]):
                    worst = (gap, train, test)
    if worst is None:
        return None
    gap, train, test = worst
    name = train.measure.value.replace("_", " ")
    return Finding(
        message=f"The prose says the model does not overfit (cell {claim.cell}), but its outputs show {name} "
        f"{_fmt(train.measure, train.value)} on the training rows against {_fmt(test.measure, test.value)} "
        f"held out (cell {test.cell})",
        severity=Severity.medium,
        confidence=Confidence.high,
        evidence=[_claim_evidence(ctx, claim), *_shown_evidence(ctx, [train, test], f"{name}: train vs held out")],
        data={"kind": "overfitting_denied", "metric": train.measure.value, "train": train.value, "test": test.value},
    )
