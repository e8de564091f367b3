"""Results the candidate states in prose: markdown and code comments.

Four kinds of statement are read: a metric's value ("a ROC AUC of 0.87", "95 % accuracy",
"RMSE = 4,261", or a list under a lead naming the metric: "their R² values: KNN: 0.20, Tree: -0.63"),
a winner ("Random Forest performs best"), "no overfitting", and that a metric is measured on
held-out rows ("the accuracy on the test data"). What is
said about someone else's result, a baseline, a goal or a hypothetical ("a dummy model
scores 0.80", "we aim for 0.9", "an AUC above 0.95 would be suspicious") is not a claim
about the candidate's own result and is left out. Tables in markdown are left out too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from grader.evidence.ml.queries import comments
from grader.evidence.ml.vocabulary import Measure
from grader.evidence.narrative.metric_text import (
    NUMBER,
    Number,
    as_share,
    metric_mentions,
    models_in,
    parse_number,
    split_of,
)
from grader.models.notebook import NotebookView


class ClaimKind(StrEnum):
    value = "value"
    best = "best"
    no_overfitting = "no_overfitting"
    #: The sentence says a metric is measured on held-out rows ("accuracy on the set of test data").
    held_out = "held_out"


@dataclass(frozen=True)
class StatedResult:
    """One result the candidate states, and where."""

    kind: ClaimKind
    cell: int
    #: The sentence the statement is in (trimmed).
    text: str
    #: `markdown` or `comment`.
    source: str
    #: 1-based line in the cell for a comment.
    line: int | None = None
    measure: Measure | None = None
    #: The stated value as a metric value (a percentage of a ratio metric as 0-1).
    value: float | None = None
    number: Number | None = None
    #: Said with "about", "around", "~"...
    approximate: bool = False
    #: The model said to be best.
    model: str | None = None
    #: `train` or `test` when the sentence says which rows.
    split: str | None = None


#: Between a metric's name and its value: "ROC AUC of 0.87", "accuracy on the test set is ~95 %".
_CONNECTOR = (
    r"(?:\s|\*|_|`|:|=|≈|~|\(|\)|-|,|\([^()]{0,25}\)|"
    r"\b(?:score[sd]?|value|of|is|was|were|are|be|being|about|around|approx(?:imately|\.)?|roughly|nearly|almost|"
    r"reached|reaches|reach|achieved|achieves|achieve|gives|gave|give|got|gets|obtained|yields?|at|with|an?|the|"
    r"on|our|my|its|this|here|final|overall|mean|average|test|testing|validation|valid|hold[\s-]?out|cv|"
    r"cross[\s-]?validated|cross[\s-]?validation|set|data|model|for|of\s+around|close\s+to|"
    # "the accuracy of the network is quite low at 35 %"
    r"network|classifier|regressor|quite|very|rather|fairly|relatively|pretty|only|just|still|now|"
    r"low|high|good|decent|poor|excellent)\b)*"
)
_VALUE_AFTER = re.compile(_CONNECTOR + r"$", re.IGNORECASE)
_APPROXIMATE = re.compile(
    r"(?:~|≈|\babout\b|\baround\b|\bapprox|\broughly\b|\bnearly\b|\balmost\b|\bclose to\b|\bsome\b)", re.IGNORECASE
)
#: A bound or a comparison is not a stated value ("above 0.9", "less than 5 %").
_BOUND = re.compile(
    r"(?:>|<|≥|≤|\b(?:above|over|below|under|more than|less than|greater than|at least|at most|up to|exceed\w*|"
    r"beyond|higher than|lower than)\s*)$",
    re.IGNORECASE,
)
#: A number that is a difference or a spread, not a value.
_RELATIVE = re.compile(
    r"\b(?:within|by|differ\w*|difference|gap|improv\w*|increas\w*|decreas\w*|drop\w*|gain\w*|spread|std|"
    r"standard\s+deviation|margin|delta|lift|points?\s+(?:higher|lower))\b|±|\+/-|\+\s*$",
    re.IGNORECASE,
)
#: Words that make the statement about something other than the candidate's own result.
_NOT_OWN = re.compile(
    r"\b(?:baseline|dummy|majority|null[\s-]accuracy|naive|random[\s-]guess\w*|chance|prior|constant|"
    r"aim\w*|goal|target(?:ed|ing)?\s+(?:of|an?|score)|hope\w*|would|could|might|should|if|whether|suspicious|"
    r"paper|literature|article|stud(?:y|ies)|state[\s-]of[\s-]the[\s-]art|sota|other\s+(?:notebooks|kernels|people)|"
    r"threshold|cut-?off|expect\w*|typical\w*|usually|generally|e\.g\.|for example|such as)\b",
    re.IGNORECASE,
)
#: What follows a number that is not a metric value ("20 % of the data", "5 folds", "100 trees").
_NOT_A_VALUE_AFTER = re.compile(
    r"^\s*(?:%\s*)?(?:of\s+(?:the\s+)?(?:data|rows|samples|observations|dataset|records|customers|passengers|"
    r"patients|people|cases|variance|the\s+variance)|folds?|features?|columns?|samples|rows|trees|estimators|"
    r"epochs?|iterations?|seconds?|secs?|ms|minutes?|hours?|times|points?|percentile|th\b|st\b|nd\b|rd\b|"
    r"-fold|fold\b|x\b|×|class(?:es)?\b|and\s+\d|respectively|(?:is|are)\s+the\s+positive)",
    re.IGNORECASE,
)
#: What precedes a number that is not a metric value ("class 0 precision", "top 5", "k = 10").
_NOT_A_VALUE_BEFORE = re.compile(
    r"\b(?:class|label|for|top|k|n|fold|degree|version|step|epoch|cell|figure|table|section|round|seed)\s*=?\s*$",
    re.IGNORECASE,
)
_BEST = re.compile(
    r"\b(?:best|highest|top[\s-]performing|outperform\w*|winner|wins|most\s+accurate|lowest\s+(?:error|rmse|mae|mse)|"
    r"beats?\s+(?:all|every|the\s+other)|superior|better\s+than\s+(?:all|every|the\s+others?|any))\b"
    # "random forest has good results as compared to the other algorithms"
    r"|\b(?:good|better|great|higher|strong(?:er)?)\b[^.;:]{0,40}?\b(?:as\s+)?compar\w*\s+(?:to|with)\s+(?:all\s+)?"
    r"(?:the\s+)?other\s+(?:models?|algorithms?|classifiers?|regressors?|methods?)\b",
    re.IGNORECASE,
)
#: "Best" in a sense that picks no winner ("best parameters", "the best we can do").
_BEST_NOT_A_WINNER = re.compile(
    r"\bbest[\s_](?:param\w*|estimator\w*|score_|hyper\w*|features?|threshold|k\b|split|practice\w*|way|case)",
    re.IGNORECASE,
)
_NO_OVERFITTING = re.compile(
    r"\b(?:no|not|without|little|minimal|never|isn't|is\s+not|doesn't|does\s+not|didn't|did\s+not|aren't|"
    r"are\s+not|hardly|any)\b[^.;:]{0,25}\bover[\s-]?fit\w*|\bgenerali[sz]es?\s+well\b",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"\?\s*$")
#: A metric said to be measured on held-out rows: "on the test set", "on the set of test data", "on unseen data".
_ON_HELD_OUT = re.compile(
    r"\b(?:on|in|against|over|using)\s+(?:the\s+|a\s+|our\s+)?(?:(?:set|portion|part)\s+of\s+)?"
    r"(?:test(?:ing)?|hold[\s-]?out|held[\s-]out|unseen)\s+(?:set|data(?:set)?|split|rows|samples?|observations)\b"
    r"|\bon\s+(?:the\s+)?unseen\s+data\b",
    re.IGNORECASE,
)
#: The lead of a list of one metric's values: "Here are their r-squared values:" (the metric named just before).
_LIST_LEAD = re.compile(r"\s*(?:values?|scores?|results?)?\s*(?:are|were|is|as\s+follows)?\s*:\s*", re.IGNORECASE)
#: One labelled value of such a list: "Portuguese KNN: -0.21", "Tree = 0.63".
_LIST_LABEL = re.compile(r"\s*(?P<label>[A-Za-z][\w .&/()'+-]{0,40}?)\s*[:=]\s*")
_LIST_SEPARATOR = re.compile(r"\s*[,;]?\s*(?:and\s+)?")
#: A list needs this many labelled values to count as one.
_LIST_MIN = 2


def stated_results(view: NotebookView) -> list[StatedResult]:
    """Every result the markdown and the code comments state, in notebook order."""
    found: list[StatedResult] = []
    for cell in view.cells:
        if cell.is_markdown:
            sentences = _sentences(cell.source)
            for sentence in sentences:
                found.extend(_read_sentence(sentence, cell.index, "markdown", None))
            found.extend(_listed_under_lead(sentences, cell.index))
        elif cell.is_code:
            for line, comment in comments(cell.source):
                found.extend(_read_sentence(comment, cell.index, "comment", line))
    return found


def _read_sentence(sentence: str, cell: int, source: str, line: int | None) -> list[StatedResult]:
    text = " ".join(sentence.split())
    if len(text) < 6 or _QUESTION.search(text):
        return []
    text = text[:600]
    split = split_of(text)

    def stated(kind: ClaimKind, **facts: Any) -> StatedResult:
        return StatedResult(kind=kind, cell=cell, text=text[:300], source=source, line=line, **facts)

    found: list[StatedResult] = []
    mentions = metric_mentions(text)
    for mention in mentions:
        claim = _value_claim(text, mention.measure, mention.start, mention.end)
        # One value right by the metric's name, else the values of a list it leads.
        values = (
            [claim]
            if claim is not None
            else [(number, value, False) for number, value in _listed_values(text, mention.measure, mention.end)]
        )
        for number, value, approximate in values:
            found.append(
                stated(
                    ClaimKind.value,
                    measure=mention.measure,
                    value=value,
                    number=number,
                    approximate=approximate,
                    split=split,
                )
            )
    winner = _winner(text)
    if winner is not None:
        measure = mentions[0].measure if len({m.measure for m in mentions}) == 1 else None
        found.append(stated(ClaimKind.best, measure=measure, model=winner, split=split))
    held_out = _ON_HELD_OUT.search(text)
    if held_out is not None and mentions and not _NOT_OWN.search(_clause_of(text, held_out.start(), held_out.end())):
        found.append(stated(ClaimKind.held_out, measure=mentions[0].measure, split="test"))
    denial = _NO_OVERFITTING.search(text)
    if denial is not None and not _NOT_OWN.search(_clause_of(text, denial.start(), denial.end())):
        found.append(stated(ClaimKind.no_overfitting))
    return found


def _value_claim(text: str, measure: Measure, start: int, end: int) -> tuple[Number, float, bool] | None:
    """The number stated as this metric's value right after (or right before) its name."""
    number = None
    after = text[end : end + 70]
    for match in NUMBER.finditer(after):
        if not _VALUE_AFTER.match(after[: match.start()]):
            break
        parsed = parse_number(match)
        if parsed is not None and not _NOT_A_VALUE_AFTER.match(after[match.end() : match.end() + 25]):
            number = Number(parsed.value, parsed.decimals, parsed.percent, end + parsed.start, end + parsed.end)
            break
    if number is None:
        before = text[max(0, start - 20) : start]
        tail_match = re.search(
            NUMBER.pattern + r"\s*(?:\*|_)*\s*(?:mean|average|test|cv|validation|overall)?\s*$", before, re.IGNORECASE
        )
        if tail_match is not None:
            parsed = parse_number(tail_match)
            if parsed is not None:
                offset = max(0, start - 20)
                number = Number(
                    parsed.value, parsed.decimals, parsed.percent, offset + parsed.start, offset + parsed.end
                )
    if (
        number is None
        or _NOT_A_VALUE_AFTER.match(text[number.end : number.end + 25])
        or _NOT_A_VALUE_BEFORE.search(text[max(0, number.start - 12) : number.start])
    ):
        return None
    lead = text[max(0, min(start, number.start) - 60) : min(start, number.start)]
    clause = re.split(r"[.;:!?]\s|\s[-–—]\s|,\s+(?:while|whereas|but|and)\s", lead)[-1]
    between = text[min(end, number.start) : max(end, number.start)]
    tail = re.split(r"[,;(]|\s[-–—]\s", text[number.end : number.end + 40])[0]
    if _NOT_OWN.search(clause + " " + between) or _NOT_OWN.search(tail):
        return None
    if _BOUND.search(text[: number.start].rstrip("*_ `")) or _BOUND.search(between):
        return None
    if _RELATIVE.search(between + " " + text[max(0, number.start - 25) : number.start]):
        return None  # a difference or a spread, not a value: "within 0.005", "improved by 3 %"
    if re.match(r"\s*(?:-|–|to)\s*\d", text[number.end : number.end + 6]):
        return None  # a range: "0.5–0.6"
    value = as_share(measure, number)
    if value is None:
        return None
    approximate = bool(_APPROXIMATE.search(text[max(0, min(start, number.start) - 15) : number.start]))
    return number, value, approximate


def _listed_values(text: str, measure: Measure, end: int) -> list[tuple[Number, float]]:
    """The labelled values of a list right after a metric's name: "R² values: KNN: 0.20, Tree: -0.63"."""
    lead = _LIST_LEAD.match(text, end)
    if lead is None or ":" not in lead.group(0):
        return []
    return _labelled_values(text, lead.end(), measure, _LIST_MIN)


def _labelled_values(text: str, pos: int, measure: Measure, least: int) -> list[tuple[Number, float]]:
    """`label: number` pairs from `pos` on (the candidate's own: no baseline or goal among the labels)."""
    values: list[tuple[Number, float]] = []
    while pos < len(text):
        label = _LIST_LABEL.match(text, pos)
        if label is None or _NOT_OWN.search(label.group("label")):
            break
        match = NUMBER.match(text, label.end())
        number = parse_number(match) if match is not None else None
        value = as_share(measure, number) if number is not None else None
        if number is None or value is None:
            break
        values.append((number, value))
        separator = _LIST_SEPARATOR.match(text, number.end)
        pos = separator.end() if separator is not None else number.end
    return values if len(values) >= least else []


def _listed_under_lead(sentences: list[str], cell: int) -> list[StatedResult]:
    """Values listed under a lead sentence that names one metric and ends with a colon (one per item, or a run)."""
    found: list[StatedResult] = []
    measure: Measure | None = None
    items: list[tuple[str, Number, float]] = []
    for sentence in [*sentences, ""]:
        text = " ".join(sentence.split())
        pairs = _labelled_values(text, 0, measure, 1) if measure is not None else []
        if pairs and pairs[-1][0].end >= len(text.rstrip(" .;,")):
            items.extend((text[:300], *pair) for pair in pairs)  # one item, or a run of them in one paragraph
            continue
        if measure is not None and len(items) >= _LIST_MIN:
            found.extend(
                StatedResult(
                    kind=ClaimKind.value, cell=cell, text=item, source="markdown", measure=measure, value=v, number=n
                )
                for item, n, v in items
            )
        items = []
        kinds = {m.measure for m in metric_mentions(text)}
        lead = text.endswith(":") and len(kinds) == 1 and not _NOT_OWN.search(text)
        measure = next(iter(kinds)) if lead else None
    return found


def _clause_of(text: str, start: int, end: int) -> str:
    """The clause around a span: up to the nearest `.;:` or ", so/but/while" on either side."""
    cut = re.compile(r"[.;:!?](?:\s|$)|,\s+(?:so|but|while|whereas|and|which|because)\b")
    left = max((m.end() for m in cut.finditer(text[:start])), default=0)
    right = next((start + m.start() for m in cut.finditer(text[start:]) if start + m.start() >= end), len(text))
    return text[left:right]


def _winner(text: str) -> str | None:
    """The one model a sentence says is best, if it names exactly one next to a superlative."""
    best = _BEST.search(text)
    if best is None or _BEST_NOT_A_WINNER.search(text) or _NOT_OWN.search(_clause_of(text, best.start(), best.end())):
        return None
    models = models_in(text)
    if len(models) == 1:
        return models[0][0]
    return None


# --------------------------------------------------------------------------- text


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def own_statements(markdown: str) -> list[str]:
    """The sentences of a markdown cell that state something of the author's own.

    Questions, goals, hypotheticals and statements about a baseline or someone else's work
    ("we aim for 90 % accuracy", "a dummy model would be 80 % accurate") are left out.
    """
    return [s for s in _sentences(markdown) if not _NOT_OWN.search(s) and not _QUESTION.search(s)]


def _sentences(markdown: str) -> list[str]:
    """Sentences of a markdown cell: paragraphs and list items, code blocks, tables and HTML left out."""
    blocks: list[list[str]] = [[]]
    fenced = False
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            blocks.append([])
            continue
        stripped = line.strip()
        if fenced or stripped.startswith(("|", "<", "![")) or not stripped:
            blocks.append([])
            continue
        if stripped.startswith("#") or _LIST_ITEM.match(line):
            blocks.append([])
        blocks[-1].append(_LIST_ITEM.sub("", stripped.lstrip("#").strip()))
    sentences: list[str] = []
    for block in blocks:
        if not block:
            continue
        paragraph = _plain(" ".join(block))
        sentences.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*_(\"'])", paragraph) if s.strip())
    return sentences


def _plain(text: str) -> str:
    """Markdown emphasis, links and inline code reduced to their text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)[*_](\S[^*_]*?)[*_](?!\w)", r"\1", text)
    return text.replace("`", "").replace("$", " $").replace("\\", "")
