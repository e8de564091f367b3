"""Interview follow-up questions a check can declare (`check(..., followup=...)`).

A question is grounded in one finding (the most severe of its check): it names the cell
the evidence points at and the facts the check recorded. `grader.report.followups` picks
which findings get a question; the checks say what to ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.models.findings import CheckResult, Finding


@dataclass(frozen=True)
class FollowUpSubject:
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


def _has(subject: FollowUpSubject, *words: str) -> bool:
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


def _fit_cell(s: FollowUpSubject) -> str:
    cell = s.first("fit_cell")
    return f" in cell {cell}" if isinstance(cell, int) else s.in_cell()


def _split_cell(s: FollowUpSubject) -> str:
    cell = s.first("split_cell")
    return f" in cell {cell}" if isinstance(cell, int) else ""


def _fit_before_split(s: FollowUpSubject) -> str:
    thing = s.first("transformer", "estimator", "step")
    if thing is None:
        thing = "scaler" if _has(s, "scaler") else "preprocessing step"
    split = _split_cell(s) if _split_cell(s) != _fit_cell(s) else ""
    return (
        f"Your {thing} was fitted{_fit_cell(s)} before the train/test split{split} — what happens to "
        f"your test score, and how would you restructure it?"
    )


def _statistic_before_split(s: FollowUpSubject) -> str:
    thing = s.first("estimator", "statistic") or "a statistic"
    split = _split_cell(s) if _split_cell(s) != _fit_cell(s) else ""
    return (
        f"You computed {thing} over all rows{_fit_cell(s)}, before the split{split} — how does that "
        f"leak into your test score, and where should it be computed instead?"
    )


def _target_encoding(s: FollowUpSubject) -> str:
    return (
        f"Your target encoding{_fit_cell(s)} was computed with the test rows' own labels — what does that do to "
        f"your score, and how would you encode inside the training folds only?"
    )


def _oversampling(s: FollowUpSubject) -> str:
    what = s.first("resampler", "estimator") or "oversampling"
    return (
        f"You applied {what}{s.in_cell()} before splitting or cross-validating — why does that inflate your "
        f"score, and where in the workflow should resampling happen?"
    )


def _test_rows_in_training(s: FollowUpSubject) -> str:
    return (
        f"Some of your test rows also end up in the training data{s.in_cell()} — how does that inflate your "
        f"score, and how would you make sure the two sets are disjoint?"
    )


def _target_leak(s: FollowUpSubject) -> str:
    column = s.first("column", "feature")
    what = f"The feature `{column}`" if column else "A feature"
    return (
        f"{what} is derived from the target{_fit_cell(s)} — would it be available at prediction time, "
        f"and what does it do to your reported score?"
    )


def _leakage_column(s: FollowUpSubject) -> str:
    column = s.first("column")
    what = f"`{column}`" if column else "a column that is only known after the outcome"
    return (
        f"You used {what} as a feature{_fit_cell(s)} — would it be known when the prediction is made, and what "
        f"is your score without it?"
    )


def _suspect_column(s: FollowUpSubject) -> str:
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


def _perfect_predictor(s: FollowUpSubject) -> str:
    column = s.first("column")
    what = f"`{column}` predicts" if column else "A single feature predicts"
    return (
        f"{what} the target almost perfectly{_fit_cell(s)} — is that plausible, and how would you check whether "
        f"it leaks the answer?"
    )


def _test_set_reuse(s: FollowUpSubject) -> str:
    return (
        f"You used the test set to make modelling choices{s.in_cell()} — why does that make the final test "
        f"score optimistic, and how would you select the model instead?"
    )


def _time_split(s: FollowUpSubject) -> str:
    return (
        f"You split time-ordered data at random{s.in_cell()} — what does that do to your estimate of future "
        f"performance, and how would you split instead?"
    )


def _split_overlap(s: FollowUpSubject) -> str:
    return (
        f"The same records or groups end up on both sides of your split{s.in_cell()} — how does that inflate "
        f"your score, and which split would you use instead?"
    )


def _leakage(s: FollowUpSubject) -> str:
    return f"{s.message()} — how does this leak information into your evaluation, and how would you fix it?"


def _metric(s: FollowUpSubject) -> str:
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


def _stratify(s: FollowUpSubject) -> str:
    rate = _percent(s.first("positive_rate"))
    target = f"a {rate} positive class" if rate else "an imbalanced target"
    return (
        f"Your split{s.in_cell()} is not stratified on {target} — how different could the class balance be "
        f"between train and test, and what would you change?"
    )


def _no_held_out(s: FollowUpSubject) -> str:
    return f"{s.message()} — what score would you expect on new data, and how would you measure it honestly?"


def _no_baseline(s: FollowUpSubject) -> str:
    return (
        "You did not compare your model with a simple baseline (such as predicting the majority class or the "
        "mean) — how do you know the model adds value, and by how much?"
    )


def _no_cross_validation(s: FollowUpSubject) -> str:
    return (
        f"Your model was evaluated on a single train/test split{s.in_cell()} — how stable is that score, "
        f"and how would you check it?"
    )


def _tuning(s: FollowUpSubject) -> str:
    search = s.first("search")
    if search:
        return (
            f"Your {search} was fitted on data that includes the test split{s.in_cell()} — what does that do to "
            f"the reported score, and how would you tune without touching the test data?"
        )
    return f"{s.message()} — how would you tune the model, and how would you keep the test data out of it?"


def _error_analysis(s: FollowUpSubject) -> str:
    return (
        "You summarised the model with scores only — which cases does it get wrong, and what would you look at "
        "to find out why?"
    )


def _holdout_gap(s: FollowUpSubject) -> str:
    claimed, actual = _number(s.first("claimed")), _number(s.first("score", "holdout"))
    metric = s.first("metric")
    if claimed and actual:
        return (
            f"Your notebook reports {f'{metric} ' if metric else ''}{claimed}{s.in_cell()} but your predictions "
            f"score {actual} on data you had not seen — what could explain the gap?"
        )
    return f"{s.message()} — what could explain the difference between your reported and held-out scores?"


def _not_reproduced(s: FollowUpSubject) -> str:
    if s.first("kind") == "now_fails":
        return (
            f"Cell {s.cell} shows a result in your notebook but fails on a clean run — what changed between the "
            f"two, and which of your results can we trust?"
        )
    return (
        f"The numbers saved{s.in_cell()} are not what the notebook produces on a clean run — where did the saved "
        f"numbers come from?"
    )


def _seed(s: FollowUpSubject) -> str:
    what = s.first("call")
    subject = f"`{what}` runs" if what else "Your results depend on"
    rest = " without a fixed seed" if what else " unseeded randomness"
    return (
        f"{subject}{rest}{s.in_cell()} — how much would your score move between runs, and how would you make it "
        f"reproducible?"
    )


def _absolute_path(s: FollowUpSubject) -> str:
    return (
        f"Your notebook depends on a path that exists only on your machine{s.in_cell()} — how would a colleague "
        f"run it, and how would you organise the data access?"
    )


def _did_not_run(s: FollowUpSubject) -> str:
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


def _slow(s: FollowUpSubject) -> str:
    seconds = _number(s.first("duration_s", "seconds", "total_s"))
    took = f"took {seconds} s" if seconds else "was slow"
    what = "The notebook" if "budget_s" in s.data or s.cell is None else f"Cell {s.cell}"
    return f"{what} {took} to run — where does the time go, and what would you change to make it faster?"


def _out_of_order(s: FollowUpSubject) -> str:
    return f"{s.message()} — which of your reported results might change on a clean top-to-bottom run?"


def _prompt(prompt: str) -> Callable[[FollowUpSubject], str]:
    return lambda s: f"{s.message()} — {prompt}"


@dataclass(frozen=True)
class Question:
    """A follow-up question template: its topic and how to ask it about one finding."""

    topic: str
    ask: Callable[[FollowUpSubject], str]


# The questions, by topic. A check declares one of these (or its own `Question`).
TARGET_ENCODING = Question("leakage", _target_encoding)
STATISTIC_BEFORE_SPLIT = Question("leakage", _statistic_before_split)
OVERSAMPLING = Question("leakage", _oversampling)
FIT_BEFORE_SPLIT = Question("leakage", _fit_before_split)
TEST_ROWS_IN_TRAINING = Question("leakage", _test_rows_in_training)
TARGET_LEAK = Question("leakage", _target_leak)
LEAKAGE_COLUMN = Question("leakage", _leakage_column)
SUSPECT_COLUMN = Question("leakage", _suspect_column)
PERFECT_PREDICTOR = Question("leakage", _perfect_predictor)
TEST_SET_REUSE = Question("leakage", _test_set_reuse)
TIME_SPLIT = Question("leakage", _time_split)
SPLIT_OVERLAP = Question("leakage", _split_overlap)
LEAKAGE = Question("leakage", _leakage)
HOLDOUT_GAP = Question("holdout", _holdout_gap)
NOT_REPRODUCED = Question("reproducibility", _not_reproduced)
METRIC = Question("evaluation", _metric)
STRATIFY = Question("evaluation", _stratify)
NO_HELD_OUT = Question("evaluation", _no_held_out)
NO_BASELINE = Question("evaluation", _no_baseline)
TUNING = Question("modelling", _tuning)
NO_CROSS_VALIDATION = Question("evaluation", _no_cross_validation)
ERROR_ANALYSIS = Question("evaluation", _error_analysis)
SEED = Question("reproducibility", _seed)
ABSOLUTE_PATH = Question("reproducibility", _absolute_path)
DID_NOT_RUN = Question("reproducibility", _did_not_run)
SLOW = Question("performance", _slow)
OUT_OF_ORDER = Question("reproducibility", _out_of_order)
TARGET_DISTRIBUTION = Question(
    "data exploration",
    _prompt("what does the target's distribution look like, and how did it shape your metric and split?"),
)
MISSING_VALUES = Question(
    "features",
    _prompt("how are missing values handled, and what would change if they were not missing at random?"),
)
IN_PIPELINE = Question(
    "features",
    _prompt(
        "how would you put the preprocessing and the model into one pipeline, and why does that "
        "matter when the model is used on new data?"
    ),
)
DATA_EXPLORATION = Question(
    "data exploration",
    _prompt("what did you learn about the data here, and how did it shape your modelling choices?"),
)
FEATURES = Question("features", _prompt("how did you decide on this processing, and what would you try next?"))
MODELLING = Question("modelling", _prompt("why did you choose this approach, and which alternatives did you consider?"))
EVALUATION = Question(
    "evaluation",
    _prompt("how confident are you in the reported numbers, and what would make them more trustworthy?"),
)
REPRODUCIBILITY = Question(
    "reproducibility", _prompt("how would you make sure the notebook reproduces for someone else?")
)
CODE_QUALITY = Question("code quality", _prompt("how would you clean this up so a teammate could maintain it?"))
COMMUNICATION = Question(
    "communication", _prompt("how would you explain your approach and its limitations to a stakeholder?")
)
GENERAL = Question("general", _prompt("can you walk us through this part of your work?"))
