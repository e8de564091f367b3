"""Interview follow-up questions generated from a report's findings and the candidate's own choices.

Deterministic and grounded: each problem question comes from one finding (the most severe
of its check) and is the question its check declares (`check(..., followup=...)`, see
`grader.checks.followups`). A check that declares none (a plugin's) gets the question of
the first keyword its slug shares with the built-in ones, else its category's. Questions
about choices (`grader.report.choices`) name the models, validation, metrics and tuning
the notebook used. At most `MAX_FOLLOWUPS`; positive observations (`info`) ask nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from grader.checks import followups as q
from grader.checks.followups import FollowUpSubject, Question
from grader.checks.registry import Registry, default_registry
from grader.models.findings import CheckStatus, Confidence, Severity
from grader.models.report import FollowUp, Report

MAX_FOLLOWUPS = 8
_CONFIDENCE_RANK = {Confidence.high: 0, Confidence.medium: 1, Confidence.low: 2}

Applies = Callable[[FollowUpSubject], bool]


def _slug(*words: str) -> Applies:
    return lambda s: any(word in s.slug for word in words)


def _leak_slug(*words: str) -> Applies:
    return lambda s: s.result.category == "leakage" and any(word in s.slug for word in words)


def _category(name: str) -> Applies:
    return lambda s: s.result.category == name


#: For checks that declare no question: keywords a plugin's slug may share with the built-in
#: checks' slugs, then the check's category. The first rule that applies wins.
FALLBACKS: list[tuple[Applies, Question]] = [
    (_leak_slug("target-encoding"), q.TARGET_ENCODING),
    (_leak_slug("statistic"), q.STATISTIC_BEFORE_SPLIT),
    (_leak_slug("oversampling", "resampl", "smote"), q.OVERSAMPLING),
    (_slug("fit-before-split", "preprocessing-fit", "scaler-fit", "fit-on-full", "fit-on-all"), q.FIT_BEFORE_SPLIT),
    (_leak_slug("test-rows"), q.TEST_ROWS_IN_TRAINING),
    (_slug("target-derived", "target-leak", "target-in-features"), q.TARGET_LEAK),
    (_leak_slug("leakage-column", "leaky-column", "future-column"), q.LEAKAGE_COLUMN),
    (_leak_slug("predicts-target", "perfect"), q.PERFECT_PREDICTOR),
    (_slug("test-set-used", "tuned-on-test", "select-on-test"), q.TEST_SET_REUSE),
    (_leak_slug("time-series", "temporal"), q.TIME_SPLIT),
    (_leak_slug("group", "duplicate", "overlap"), q.SPLIT_OVERLAP),
    (_category("leakage"), q.LEAKAGE),
    (_slug("holdout", "claimed-score", "score-gap"), q.HOLDOUT_GAP),
    (_slug("outputs-reproduced", "not-reproduced"), q.NOT_REPRODUCED),
    (_slug("metrics-fit", "accuracy", "imbalanc", "metric"), q.METRIC),
    (_slug("stratif"), q.STRATIFY),
    (_slug("held-out", "holds-out", "train-score"), q.NO_HELD_OUT),
    (_slug("baseline"), q.NO_BASELINE),
    (_slug("tuned", "tuning", "hyper"), q.TUNING),
    (_slug("cross-val", "single-split", "-cv", "cv-"), q.NO_CROSS_VALIDATION),
    (_slug("error-analysis", "residual"), q.ERROR_ANALYSIS),
    (_slug("seed", "random-state"), q.SEED),
    (_slug("absolute-path", "hard-coded-path", "machine-specific"), q.ABSOLUTE_PATH),
    (_slug("runs-cleanly", "did-not-run", "runs-top-to-bottom"), q.DID_NOT_RUN),
    (_slug("runtime", "budget", "slow"), q.SLOW),
    (_slug("in-order", "out-of-order"), q.OUT_OF_ORDER),
    (_slug("target-distribution", "class-balance"), q.TARGET_DISTRIBUTION),
    (_slug("missing-values"), q.MISSING_VALUES),
    (_slug("in-pipeline"), q.IN_PIPELINE),
    (_category("eda"), q.DATA_EXPLORATION),
    (_category("features"), q.FEATURES),
    (_category("modeling"), q.MODELLING),
    (_category("evaluation"), q.EVALUATION),
    (_category("execution"), q.REPRODUCIBILITY),
    (_category("quality"), q.CODE_QUALITY),
    (_category("docs"), q.COMMUNICATION),
]


def question_for(subject: FollowUpSubject, registry: Registry) -> Question:
    """The question the subject's check declares, else the first fallback that applies."""
    ref = subject.result.id
    if ref in registry:
        spec = registry.get(ref)
        if spec.slug == subject.result.slug and spec.followup is not None:
            return spec.followup
    return next((question for applies, question in FALLBACKS if applies(subject)), q.GENERAL)


def followups_for(
    report: Report,
    registry: Registry | None = None,
    *,
    choices: Sequence[FollowUp] = (),
    limit: int = MAX_FOLLOWUPS,
) -> list[FollowUp]:
    """Interview questions: serious problems first, then the candidate's own choices, then minor problems.

    One question per check (its most severe, most certain finding) and per question template,
    so no question repeats; a choice is skipped when a problem question already covers its
    topic and cell. Low-severity findings ask only when fewer than `limit` questions remain.
    """
    registry = registry if registry is not None else default_registry()
    candidates: list[tuple[tuple[int, int, int, int], FollowUpSubject]] = []
    for order, result in enumerate(report.checks):
        if result.status in (CheckStatus.error, CheckStatus.skipped, CheckStatus.not_applicable):
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
        candidates.append((rank, FollowUpSubject(result=result, finding=worst)))
    candidates.sort(key=lambda item: item[0])
    serious: list[FollowUp] = []
    minor: list[FollowUp] = []
    templates: set[int] = set()
    texts: set[str] = set()
    for _, subject in candidates:
        question = question_for(subject, registry)
        text = question.ask(subject)
        if id(question) in templates or text in texts:
            continue
        templates.add(id(question))
        texts.add(text)
        item = FollowUp(question=text, topic=question.topic, finding_id=subject.finding.id or None)
        (serious if subject.finding.severity.rank >= Severity.medium.rank else minor).append(item)
    covered = {(f.topic, _cell_of(report, f)) for f in serious} | {
        (f.topic, None) for f in serious if f.topic == "holdout"
    }
    mine = [c for c in choices if (c.topic, c.cell) not in covered]
    return [*serious, *mine, *minor][:limit]


def _cell_of(report: Report, item: FollowUp) -> int | None:
    finding = report.finding(item.finding_id) if item.finding_id else None
    if finding is None:
        return item.cell
    return next((ev.cell for ev in finding.evidence if ev.cell is not None), None)
