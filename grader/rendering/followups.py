"""Interview follow-up questions generated from a report's findings.

Deterministic and grounded: each question comes from one finding (the most
severe of its check), names the cell its evidence points at and the facts the
check recorded, and is chosen by the check's slug, category and the finding's
data. At most `MAX_FOLLOWUPS`, most severe first. Positive observations (`info`)
ask nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.models.findings import CheckResult, CheckStatus, Confidence, Finding
from grader.models.report import FollowUp, Report

MAX_FOLLOWUPS = 8
_CONFIDENCE_RANK = {Confidence.high: 0, Confidence.medium: 1, Confidence.low: 2}


@dataclass(frozen=True)
class _Subject:
    """What a rule may read: the check, the finding and a few derived facts."""

    result: CheckResult
    finding: Finding

    @property
    def slug(self) -> str:
        return self.result.slug.lower()

    @property
    def data(self) -> dict[str, Any]:
        return self.finding.data

    @property
    def cell(self) -> int | None:
        return next((ev.cell for ev in self.finding.evidence if ev.cell is not None), None)

    def in_cell(self) -> str:
        """` in cell N` when the evidence points at a cell, else nothing."""
        return f" in cell {self.cell}" if self.cell is not None else ""

    def message(self) -> str:
        """The finding's message, without a trailing full stop, and with its cell if it does not name it."""
        text = " ".join(self.finding.message.split()).rstrip(".")
        if len(text) > 220:
            text = text[:219] + "…"
        if self.cell is not None and not re.search(rf"\bcell {self.cell}\b", text, re.IGNORECASE):
            text += f" (cell {self.cell})"
        return text

    def first(self, *keys: str) -> Any:
        for key in keys:
            value = self.data.get(key)
            if value not in (None, "", [], {}):
                return value
        return None


def _has(subject: _Subject, *words: str) -> bool:
    return any(word in subject.slug for word in words)


def _percent(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    pct = value * 100 if value <= 1 else value
    return f"{pct:.0f} %" if pct >= 1 else f"{pct:.1f} %"


def _number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return f"{value:.3g}"


# --------------------------------------------------------------------------- the questions


def _fit_cell(s: _Subject) -> str:
    cell = s.first("fit_cell")
    return f" in cell {cell}" if isinstance(cell, int) else s.in_cell()


def _split_cell(s: _Subject) -> str:
    cell = s.first("split_cell")
    return f" in cell {cell}" if isinstance(cell, int) else ""


def _fit_before_split(s: _Subject) -> str:
    thing = s.first("transformer", "estimator", "step")
    if thing is None:
        thing = "scaler" if _has(s, "scaler") else "preprocessing step"
    split = _split_cell(s) if _split_cell(s) != _fit_cell(s) else ""
    return (
        f"Your {thing} was fitted{_fit_cell(s)} before the train/test split{split} — what happens to "
        f"your test score, and how would you restructure it?"
    )


def _statistic_before_split(s: _Subject) -> str:
    thing = s.first("estimator", "statistic") or "a statistic"
    split = _split_cell(s) if _split_cell(s) != _fit_cell(s) else ""
    return (
        f"You computed {thing} over all rows{_fit_cell(s)}, before the split{split} — how does that "
        f"leak into your test score, and where should it be computed instead?"
    )


def _target_encoding(s: _Subject) -> str:
    return (
        f"Your target encoding{_fit_cell(s)} was computed with the test rows' own labels — what does that do to "
        f"your score, and how would you encode inside the training folds only?"
    )


def _oversampling(s: _Subject) -> str:
    what = s.first("resampler", "estimator") or "oversampling"
    return (
        f"You applied {what}{s.in_cell()} before splitting or cross-validating — why does that inflate your "
        f"score, and where in the workflow should resampling happen?"
    )


def _test_rows_in_training(s: _Subject) -> str:
    return (
        f"Some of your test rows also end up in the training data{s.in_cell()} — how does that inflate your "
        f"score, and how would you make sure the two sets are disjoint?"
    )


def _target_leak(s: _Subject) -> str:
    column = s.first("column", "feature")
    what = f"The feature `{column}`" if column else "A feature"
    return (
        f"{what} is derived from the target{_fit_cell(s)} — would it be available at prediction time, "
        f"and what does it do to your reported score?"
    )


def _leakage_column(s: _Subject) -> str:
    column = s.first("column")
    what = f"`{column}`" if column else "a column that is only known after the outcome"
    return (
        f"You used {what} as a feature{_fit_cell(s)} — would it be known when the prediction is made, and what "
        f"is your score without it?"
    )


def _suspect_column(s: _Subject) -> str:
    """A column the assignment flags as partly post-outcome, used without a word (EVAL007)."""
    column = s.first("column")
    if column is None:
        return f"{s.message()} — when is this value recorded, and would it be known when the prediction is made?"
    if s.first("part") == "missingness":
        return (
            f"Your model{_fit_cell(s)} learns from whether `{column}` is missing — when does that value go missing, "
            f"would it already be missing on the day the prediction is made, and what is your score without that "
            f"signal?"
        )
    return (
        f"Your model{_fit_cell(s)} uses `{column}` — when is it recorded relative to the outcome, would it be known "
        f"when the prediction is made, and what is your score without it?"
    )


def _perfect_predictor(s: _Subject) -> str:
    column = s.first("column")
    what = f"`{column}` predicts" if column else "A single feature predicts"
    return (
        f"{what} the target almost perfectly{_fit_cell(s)} — is that plausible, and how would you check whether "
        f"it leaks the answer?"
    )


def _test_set_reuse(s: _Subject) -> str:
    return (
        f"You used the test set to make modelling choices{s.in_cell()} — why does that make the final test "
        f"score optimistic, and how would you select the model instead?"
    )


def _time_split(s: _Subject) -> str:
    return (
        f"You split time-ordered data at random{s.in_cell()} — what does that do to your estimate of future "
        f"performance, and how would you split instead?"
    )


def _split_overlap(s: _Subject) -> str:
    return (
        f"The same records or groups end up on both sides of your split{s.in_cell()} — how does that inflate "
        f"your score, and which split would you use instead?"
    )


def _leakage(s: _Subject) -> str:
    return f"{s.message()} — how does this leak information into your evaluation, and how would you fix it?"


def _metric(s: _Subject) -> str:
    rate = _percent(
        s.first("positive_rate", "minority_rate", "minority_share", "positive_fraction", "minority_fraction")
    )
    if rate is not None or "accuracy" in s.finding.message.lower() or _has(s, "accuracy", "imbalanc"):
        metric = s.first("metric") or "accuracy"
        on = f"a {rate} positive class" if rate else "a heavily imbalanced target"
        return f"You reported {metric} on {on}{s.in_cell()} — what would you report instead, and why?"
    primary = s.first("primary_metric")
    if primary:
        return (
            f"The assignment asks for {primary}, which the notebook never computes — how would you report it, "
            f"and does it change your conclusions?"
        )
    return f"{s.message()} — which metric matches the business question, and why?"


def _stratify(s: _Subject) -> str:
    rate = _percent(s.first("positive_rate"))
    target = f"a {rate} positive class" if rate else "an imbalanced target"
    return (
        f"Your split{s.in_cell()} is not stratified on {target} — how different could the class balance be "
        f"between train and test, and what would you change?"
    )


def _no_held_out(s: _Subject) -> str:
    return f"{s.message()} — what score would you expect on new data, and how would you measure it honestly?"


def _no_baseline(s: _Subject) -> str:
    return (
        "You did not compare your model with a simple baseline (such as predicting the majority class or the "
        "mean) — how do you know the model adds value, and by how much?"
    )


def _no_cross_validation(s: _Subject) -> str:
    return (
        f"Your model was evaluated on a single train/test split{s.in_cell()} — how stable is that score, "
        f"and how would you check it?"
    )


def _tuning(s: _Subject) -> str:
    search = s.first("search")
    if search:
        return (
            f"Your {search} was fitted on data that includes the test split{s.in_cell()} — what does that do to "
            f"the reported score, and how would you tune without touching the test data?"
        )
    return f"{s.message()} — how would you tune the model, and how would you keep the test data out of it?"


def _error_analysis(s: _Subject) -> str:
    return (
        "You summarised the model with scores only — which cases does it get wrong, and what would you look at "
        "to find out why?"
    )


def _holdout_gap(s: _Subject) -> str:
    claimed, actual = _number(s.first("claimed")), _number(s.first("score", "holdout"))
    metric = s.first("metric")
    if claimed and actual:
        return (
            f"Your notebook reports {f'{metric} ' if metric else ''}{claimed}{s.in_cell()} but your predictions "
            f"score {actual} on data you had not seen — what could explain the gap?"
        )
    return f"{s.message()} — what could explain the difference between your reported and held-out scores?"


def _not_reproduced(s: _Subject) -> str:
    if s.first("kind") == "now_fails":
        return (
            f"Cell {s.cell} shows a result in your notebook but fails on a clean run — what changed between the "
            f"two, and which of your results can we trust?"
        )
    return (
        f"The numbers saved{s.in_cell()} are not what the notebook produces on a clean run — where did the saved "
        f"numbers come from?"
    )


def _seed(s: _Subject) -> str:
    what = s.first("call")
    subject = f"`{what}` runs" if what else "Your results depend on"
    rest = " without a fixed seed" if what else " unseeded randomness"
    return (
        f"{subject}{rest}{s.in_cell()} — how much would your score move between runs, and how would you make it "
        f"reproducible?"
    )


def _absolute_path(s: _Subject) -> str:
    return (
        f"Your notebook depends on a path that exists only on your machine{s.in_cell()} — how would a colleague "
        f"run it, and how would you organise the data access?"
    )


def _did_not_run(s: _Subject) -> str:
    status = s.first("run_status")
    if status in ("oom", "timeout", "output_limit", "disk_limit"):
        what = {"oom": "out of memory", "timeout": "out of time"}.get(status, f"into a limit ({status})")
        return (
            f"The notebook ran {what} when re-run in a clean environment{s.in_cell()} — where do the resources "
            f"go, and how would you make it fit?"
        )
    error = s.first("error_name")
    if s.first("error_class") == "environment":
        return (
            f"Cell {s.cell} failed with {error or 'an error'} because of the environment when re-run from "
            f"scratch — how would you pin your dependencies so that someone else can run it?"
        )
    if error and s.cell is not None:
        return (
            f"Cell {s.cell} raised {error} when the notebook was re-run from scratch — what was different in "
            f"your session, and how do you check that a notebook reproduces before you share it?"
        )
    return f"{s.message()} — how do you check that a notebook runs top to bottom before you share it?"


def _slow(s: _Subject) -> str:
    seconds = _number(s.first("duration_s", "seconds", "total_s"))
    took = f"took {seconds} s" if seconds else "was slow"
    what = "The notebook" if "budget_s" in s.data or s.cell is None else f"Cell {s.cell}"
    return f"{what} {took} to run — where does the time go, and what would you change to make it faster?"


def _out_of_order(s: _Subject) -> str:
    return f"{s.message()} — which of your reported results might change on a clean top-to-bottom run?"


def _category_prompt(prompt: str) -> Callable[[_Subject], str]:
    return lambda s: f"{s.message()} — {prompt}"


Rule = tuple[str, Callable[[_Subject], bool], Callable[[_Subject], str]]


def _slug(*words: str) -> Callable[[_Subject], bool]:
    return lambda s: _has(s, *words)


def _leak_slug(*words: str) -> Callable[[_Subject], bool]:
    return lambda s: s.result.category == "leakage" and _has(s, *words)


#: (topic, does this rule apply, the question). The first rule that applies to a finding wins: the built-in
#: checks' slugs first, then keywords a plugin's slug may share, then the check's category.
RULES: list[Rule] = [
    ("leakage", _leak_slug("target-encoding"), _target_encoding),
    ("leakage", _leak_slug("statistic"), _statistic_before_split),
    ("leakage", _leak_slug("oversampling", "resampl", "smote"), _oversampling),
    (
        "leakage",
        _slug("fit-before-split", "preprocessing-fit", "scaler-fit", "fit-on-full", "fit-on-all"),
        _fit_before_split,
    ),
    ("leakage", _leak_slug("test-rows"), _test_rows_in_training),
    ("leakage", _slug("target-derived", "target-leak", "target-in-features"), _target_leak),
    ("leakage", _leak_slug("leakage-column", "leaky-column", "future-column"), _leakage_column),
    ("leakage", _leak_slug("predicts-target", "perfect"), _perfect_predictor),
    ("leakage", _slug("suspect-column"), _suspect_column),
    ("leakage", _slug("test-set-used", "tuned-on-test", "select-on-test"), _test_set_reuse),
    ("leakage", _leak_slug("time-series", "temporal"), _time_split),
    ("leakage", _leak_slug("group", "duplicate", "overlap"), _split_overlap),
    ("leakage", lambda s: s.result.category == "leakage", _leakage),
    ("holdout", _slug("holdout", "claimed-score", "score-gap"), _holdout_gap),
    ("reproducibility", _slug("outputs-reproduced", "not-reproduced"), _not_reproduced),
    ("evaluation", _slug("metrics-fit", "accuracy", "imbalanc", "metric"), _metric),
    ("evaluation", _slug("stratif"), _stratify),
    ("evaluation", _slug("held-out", "holds-out", "train-score"), _no_held_out),
    ("evaluation", _slug("baseline"), _no_baseline),
    ("modelling", _slug("tuned", "tuning", "hyper"), _tuning),
    ("evaluation", _slug("cross-val", "single-split", "-cv", "cv-"), _no_cross_validation),
    ("evaluation", _slug("error-analysis", "residual"), _error_analysis),
    ("reproducibility", _slug("seed", "random-state"), _seed),
    ("reproducibility", _slug("absolute-path", "hard-coded-path", "machine-specific"), _absolute_path),
    ("reproducibility", _slug("runs-cleanly", "did-not-run", "runs-top-to-bottom"), _did_not_run),
    ("performance", _slug("runtime", "budget", "slow"), _slow),
    ("reproducibility", _slug("in-order", "out-of-order"), _out_of_order),
    (
        "data exploration",
        _slug("target-distribution", "class-balance"),
        _category_prompt("what does the target's distribution look like, and how did it shape your metric and split?"),
    ),
    (
        "features",
        _slug("missing-values"),
        _category_prompt("how are missing values handled, and what would change if they were not missing at random?"),
    ),
    (
        "features",
        _slug("in-pipeline"),
        _category_prompt(
            "how would you put the preprocessing and the model into one pipeline, and why does that "
            "matter when the model is used on new data?"
        ),
    ),
    (
        "data exploration",
        lambda s: s.result.category == "eda",
        _category_prompt("what did you learn about the data here, and how did it shape your modelling choices?"),
    ),
    (
        "features",
        lambda s: s.result.category == "features",
        _category_prompt("how did you decide on this processing, and what would you try next?"),
    ),
    (
        "modelling",
        lambda s: s.result.category == "modeling",
        _category_prompt("why did you choose this approach, and which alternatives did you consider?"),
    ),
    (
        "evaluation",
        lambda s: s.result.category == "evaluation",
        _category_prompt("how confident are you in the reported numbers, and what would make them more trustworthy?"),
    ),
    (
        "reproducibility",
        lambda s: s.result.category == "execution",
        _category_prompt("how would you make sure the notebook reproduces for someone else?"),
    ),
    (
        "code quality",
        lambda s: s.result.category == "quality",
        _category_prompt("how would you clean this up so a teammate could maintain it?"),
    ),
    (
        "communication",
        lambda s: s.result.category == "docs",
        _category_prompt("how would you explain your approach and its limitations to a stakeholder?"),
    ),
    ("general", lambda s: True, _category_prompt("can you walk us through this part of your work?")),
]


def followups_for(report: Report, *, limit: int = MAX_FOLLOWUPS) -> list[FollowUp]:
    """Interview questions from the report's problem findings: one per check, most severe first."""
    candidates: list[tuple[tuple[int, int, int, int], _Subject]] = []
    for order, result in enumerate(report.checks):
        if result.status in (CheckStatus.error, CheckStatus.skipped):
            continue
        problems = [f for f in result.findings if f.is_problem]
        if not problems:
            continue
        # The most severe, most certain finding speaks for its check; ties keep the check's own order.
        position = {id(f): n for n, f in enumerate(problems)}
        worst = min(problems, key=lambda f: (-f.severity.rank, _CONFIDENCE_RANK[f.confidence], position[id(f)]))
        rank = (
            -worst.severity.rank,
            _CONFIDENCE_RANK[worst.confidence],
            0 if result.category == "leakage" else 1,
            order,
        )
        candidates.append((rank, _Subject(result=result, finding=worst)))
    candidates.sort(key=lambda item: item[0])
    questions = []
    for _, subject in candidates[:limit]:
        topic, question = next((topic, ask(subject)) for topic, applies, ask in RULES if applies(subject))
        questions.append(FollowUp(question=question, topic=topic, finding_id=subject.finding.id or None))
    return questions
