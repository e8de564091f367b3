"""A winner picked in prose right after test scores: "Random Forest gives the best results, so we keep it".

The choice is in the narrative, not in the code, but it is made on the same numbers: when
the code cells just above the sentence scored two or more candidates and at least one of
them only on the test set (no validation or cross-validation score of its own that the
sentence could be about), the test set chose the model. The dataflow says which rows each
score was computed on; the runtime trace, when the notebook ran, proves that several fitted
models were scored on the same test rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.evidence.dataflow.catalogue import Role
from grader.evidence.dataflow.values import DataflowResult, Est, Eval, Split
from grader.evidence.leakage.base import LeakBuilder, LeakKind
from grader.evidence.leakage.selection import held_out_role, models_on_test_rows, test_part
from grader.evidence.ml.vocabulary import EstKind
from grader.evidence.narrative.markdown import excerpt, prose, sentences
from grader.models.findings import Confidence, EvidenceSource, Finding, Severity

#: Code cells above a sentence that it may be talking about.
WINDOW = 6
#: ... and how far up, when only headings lie between, the candidates of a comparison may sit.
WIDE_WINDOW = 20

_WINNER = re.compile(
    r"\b(best|better|highest|lowest|outperform\w*|superior|beats?|wins?|winner|most accurate|"
    r"strongest|top[- ]performing)\b",
    re.IGNORECASE,
)
_SUPERLATIVE = re.compile(r"\b(best|highest|lowest|most accurate|top[- ]performing|winner)\b", re.IGNORECASE)
_CANDIDATE = re.compile(
    r"\b(models?|classifiers?|regressors?|algorithms?|estimators?|versions?|approach\w*|pipelines?|"
    r"logistic|linear regression|random forests?|forest|trees?|xgb\w*|lgbm|lightgbm|catboost|"
    r"gradient boost\w*|boosting|svm|svc|svr|knn|k-nn|neighbou?rs|naive bayes|ridge|lasso|elastic ?net|"
    r"mlp|neural|ensemble|undersampl\w*|oversampl\w*|smote|lr|rf|gb|dt)\b",
    re.IGNORECASE,
)
_CHOICE = re.compile(
    r"\b(choos\w*|chose|chosen|select\w*|pick\w*|go(?:ing)? (?:ahead )?with|opt(?:ed)? for|prefer\w*|"
    r"final model|keep|kept|proceed with|we (?:will |'ll )?use|deploy\w*)\b",
    re.IGNORECASE,
)
#: Sentences about a search's own result or a comparison with a floor are not a choice between candidates.
_NOT_A_PICK = re.compile(
    r"\b(best[_ ](?:params|parameters|hyper-?parameters|estimator|score_?)|baseline|dummy|random guess|"
    r"by chance|than chance)\b",
    re.IGNORECASE,
)
#: The sentence itself says the winner was judged on the test rows ("performed best on the test data").
_ON_TEST = re.compile(
    r"\b(?:on|in|for|of|from|using) the test(?:ing)?(?: data| ?set| split| rows)\b|"
    r"\btest(?:ing)?[- ](?:set |data )?(?:accuracy|score|f1|auc|r2|r\u00b2|rmse|mae|mse|error|results?|performance)\b",
    re.IGNORECASE,
)
#: ... unless it is about cross-validation or a validation set, or confirms a choice made there.
_NOT_ON_TEST = re.compile(r"\b(?:cross[- ]?validat\w*|cv|validation|confirm\w*|also|too)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """One model (estimator and fitted version) scored in the cells above the sentence."""

    key: tuple[int, int]
    roles: frozenset[str]
    evals: tuple[Eval, ...]
    #: Scored inside a loop over models or hyper-parameter values: several candidates in one.
    many: bool


#: A heading written as a sentence ("### We can see that SVM gives us the highest accuracy").
_SENTENCE_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(\S.*?)\s*#*\s*$", re.MULTILINE)
HEADING_SENTENCE_WORDS = 6


def winner_sentence(text: str) -> str | None:
    """The first sentence of a markdown text (or a heading written as one) that names a winner among candidates."""
    headings: list[str] = [h for h in _SENTENCE_HEADING.findall(text) if len(h.split()) >= HEADING_SENTENCE_WORDS]
    pieces: list[str] = [*sentences(prose(text)), *headings]
    for sentence in pieces:
        sentence = sentence.strip()
        if len(sentence) < 12 or not _WINNER.search(sentence) or _NOT_A_PICK.search(sentence):
            continue
        if _CANDIDATE.search(sentence) or _CHOICE.search(sentence):
            return sentence
    return None


def _leading_comment(source: str) -> str:
    """The comment lines a code cell opens with, as text (the note a candidate writes above the code)."""
    lines: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped and not lines:
            continue
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return " ".join(lines)


def _notes(b: LeakBuilder) -> list[tuple[int, str, str]]:
    """Each markdown cell's text, and each code cell's opening comment: (index, text, what it is)."""
    notes = []
    for cell in b.seen.notebook.cells:
        if cell.is_markdown:
            notes.append((cell.index, cell.source, "markdown"))
        elif cell.is_code and (comment := _leading_comment(cell.source)):
            notes.append((cell.index, comment, "comment"))
    return notes


def prose_selection_leaks(b: LeakBuilder) -> None:
    """Markdown (or a code cell's opening comment) that picks a winner right after test scores of two
    or more candidates ("# Based on the accuracies, XGBoost performs the best, let's use it")."""
    flow = b.flow
    for index, text, kind in _notes(b):
        sentence = winner_sentence(text)
        if sentence is None:
            continue
        cell = b.seen.notebook[index]
        said_on_test = bool(_ON_TEST.search(sentence)) and not _NOT_ON_TEST.search(sentence)
        window = _window_above(b, cell.index)
        candidates = _candidates(flow, window)
        split = _test_only_split(flow, candidates) if window else None
        if split is None and _SUPERLATIVE.search(sentence):
            # Cells that only display a frame or a prediction can push the other candidates out of
            # the window: for a sentence that names the best, look further up, as far as the last
            # note in prose.
            wider = _window_above(b, cell.index, limit=WIDE_WINDOW)
            if wider != window:
                window, candidates = wider, _candidates(flow, wider)
                split = _test_only_split(flow, candidates)
        if split is None and said_on_test:
            # The sentence names the test rows itself, so it may sum up results a few notes above.
            window = _window_above(b, cell.index, across_prose=True)
            candidates, split = _said_on_test(flow, window)
        if split is None or _already_reported(b, split, window):
            continue
        _report(b, cell.index, sentence, split, candidates, window, kind)


def _window_above(b: LeakBuilder, index: int, *, across_prose: bool = False, limit: int = WINDOW) -> list[int]:
    """The code cells just above a markdown cell, at most `limit` (headings-only markdown in between
    is skipped; with `across_prose`, any markdown is)."""
    view = b.seen.notebook
    found: list[int] = []
    position = index - 1
    while position >= 0 and len(found) < limit:
        cell = view[position]
        if cell.is_code:
            found.append(position)
        elif prose(cell.source).strip() and not across_prose:
            break
        position -= 1
    return sorted(found)


def _candidates(flow: DataflowResult, window: list[int]) -> list[Candidate]:
    cells = set(window)
    grouped: dict[tuple[int, int], list[Eval]] = {}
    for evaluation in flow.evals.values():
        if evaluation.est is None or evaluation.site.executed_cell not in cells:
            continue
        grouped.setdefault((id(evaluation.est), evaluation.version), []).append(evaluation)
    validated = {
        id(r.est)
        for r in flow.cv_runs.values()
        if r.est is not None and r.site.executed_cell in cells and _has_cv_score(flow, r.est)
    }
    for est in validated - {key[0] for key in grouped}:
        grouped[(est, -1)] = []
    out = []
    for key, evals in grouped.items():
        roles: set[str] = {"cv"} if key[0] in validated else set()
        for evaluation in evals:
            role = held_out_role(flow, evaluation.tags)
            roles.add(role.value if role is not None else "other")
        many = any(
            flow.loops[i].over_estimators or flow.loops[i].sweeps for e in evals for i in e.loops if i in flow.loops
        )
        out.append(Candidate(key, frozenset(roles), tuple(evals), many))
    return out


def _has_cv_score(flow: DataflowResult, est: Est) -> bool:
    """Whether a cross-validated estimator has a score of its own to be compared by.

    `cross_val_score` and the like return one; a search (`GridSearchCV`) uses its folds to pick
    hyper-parameters inside one model family, and has a comparable score only where the notebook
    reads it (`best_score_`, `cv_results_`). Searches of several families each scored on the test
    set and never on their folds are compared on the test set.
    """
    return est.kind is not EstKind.search or est.id in flow.cv_scores_read


def _test_only_split(flow: DataflowResult, candidates: list[Candidate]) -> Split | None:
    """The test split that alone scores some candidate, when two or more candidates are compared."""
    compared = [c for c in candidates if c.roles & {Role.test.value, Role.validation.value, "cv"}]
    # The sentence can only pick on test scores when two or more real candidates have nothing else
    # (a baseline scored on the test set next to models compared by cross-validation is no choice).
    test_only = [
        c for c in compared if c.roles in ({Role.test.value}, {Role.test.value, "other"}) and not _is_baseline(c)
    ]
    if len(test_only) < 2 and not any(c.many for c in test_only):
        return None
    for candidate in test_only:
        for evaluation in candidate.evals:
            split = test_part(flow, evaluation.tags)
            if split is not None:
                return split
    return None


def _said_on_test(flow: DataflowResult, window: list[int]) -> tuple[list[Candidate], Split | None]:
    """Test scores above a sentence that says it judged the winner on the test rows.

    The models may be ones the dataflow cannot tell apart (a tuple returned by a helper and
    indexed in a loop): the sentence names the comparison, so two or more test scores in the
    cells above, or one computed in a loop, are enough.
    """
    cells = set(window)
    scored = [
        e
        for e in flow.evals.values()
        if e.site.executed_cell in cells
        and test_part(flow, e.tags) is not None
        and not (e.est is not None and e.est.cls.startswith("Dummy"))
    ]
    if len({(e.site.executed_cell, e.site.executed_line) for e in scored}) < 2 and not any(e.loops for e in scored):
        return [], None
    first = min(scored, key=lambda e: (e.site.executed_cell, e.site.executed_line))
    return [Candidate((0, 0), frozenset({Role.test.value}), tuple(scored), True)], test_part(flow, first.tags)


def _is_baseline(candidate: Candidate) -> bool:
    """A dummy predictor: the floor the models are compared with, not a candidate."""
    return any(e.est is not None and e.est.cls.startswith("Dummy") for e in candidate.evals)


def _already_reported(b: LeakBuilder, split: Split, window: list[int]) -> bool:
    """A ranking in code of the same test scores is already reported (the prose adds nothing)."""
    for leak in b.out:
        data = leak.finding.data
        same_split = leak.kind is LeakKind.selection and data.get("split_cell") == split.site.cell
        if same_split and (set(data.get("eval_cells", [])) & set(window) or data.get("how") == "cv_over_test_rows"):
            return True
    return False


def _report(
    b: LeakBuilder,
    index: int,
    sentence: str,
    split: Split,
    candidates: list[Candidate],
    window: list[int],
    kind: str = "markdown",
) -> None:
    scored = [e for c in candidates for e in c.evals if test_part(b.flow, e.tags) is split]
    first = min(scored, key=lambda e: (e.site.executed_cell, e.site.executed_line))
    message = (
        f"The {kind} in cell {index} picks a winner (\u201c{excerpt(sentence, 140)}\u201d) right after "
        f"candidates were scored on the test set of the split in cell {split.site.cell}: the test set chose "
        "the model, so its test score is optimistic"
    )
    data_facts: dict[str, Any] = {
        "split_cell": split.site.cell,
        "eval_cells": sorted({e.site.executed_cell for e in scored}),
        "prose_cell": index,
        "how": "prose" if kind == "markdown" else "comment",
    }
    evidence = [
        b.seen.evidence(
            index,
            None,
            snippet=excerpt(sentence, 240),
            source=EvidenceSource.markdown if kind == "markdown" else EvidenceSource.code,
            note="the choice",
        ),
        b.evidence(first.site, note="scored on the test set"),
        b.evidence(split.site, note="the test set"),
    ]
    confidence, traced = Confidence.medium, False
    proof = models_on_test_rows(b, split, set(window))
    if proof is not None:
        side, versions = proof
        message = (
            f"The {kind} in cell {index} picks a winner (\u201c{excerpt(sentence, 140)}\u201d) right after "
            f"{versions} fitted models were scored on the same {side.n:,} test rows of the split in cell "
            f"{side.cell}: the test set chose the model"
        )
        data_facts.update(models_scored_on_test=versions, test_rows=side.n, traced=True)
        evidence.append(
            b.trace_evidence(first.site.executed_cell, first.site.executed_line, f"traced: {versions} models")
        )
        confidence, traced = Confidence.high, True
    b.add(
        LeakKind.selection,
        ("prose", split.id, index),
        Finding(message=message, severity=Severity.medium, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )
