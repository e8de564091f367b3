"""Calibration to the team's own judgement: how well the grader agrees with people, and bands that agree better.

The team's scores come from a CSV (`candidate,total`, optionally one column per criterion
id, a `band` and a `decision` column such as advance / reject) or from the overrides
reviewers recorded with `grader review`. `calibrate` pairs them with the automatic scores
and measures agreement: Spearman's ρ for the total and each criterion, quadratic-weighted
κ for bands, the mean absolute difference per criterion. It then proposes band thresholds
on the automatic percentage that reproduce the team's bands best and, with decisions, the
threshold that best separates them; `overlay_yaml` writes them as a rubric overlay that
`extends:` the rubric in use, for the team to review and adopt.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.errors import ReviewError
from grader.models.report import GradingStatus, Report
from grader.models.rubric import Band, band_for
from grader.review.stats import mean_absolute_difference, quadratic_weighted_kappa, spearman

#: Fewer pairs than this and ρ says little; calibration refuses.
MIN_PAIRS = 3
#: Exhaustive threshold search up to this many thresholds; coordinate ascent beyond.
EXHAUSTIVE_THRESHOLDS = 2
RESERVED = ("candidate", "total", "band", "decision")


@dataclass
class HumanRow:
    candidate: str
    total: float
    criteria: dict[str, float] = field(default_factory=dict)
    band: str | None = None
    decision: str | None = None


@dataclass
class HumanScores:
    """The team's scores, by candidate, and which optional columns were given."""

    rows: dict[str, HumanRow]
    criteria: list[str]
    source: str
    has_band: bool = False
    has_decision: bool = False


def _number(value: str, where: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise ReviewError(f"{where}: {value.strip()[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise ReviewError(f"{where}: {value.strip()!r} is not a finite number")
    return number


def read_human_csv(text: str, *, source: str = "the CSV", criteria: Sequence[str] = ()) -> HumanScores:
    """Parse the team's scores; every problem is a `ReviewError` that names the row and column.

    `criteria` are the rubric's criterion ids: other columns (besides candidate, total, band,
    decision) are refused, so a misspelt criterion is not silently ignored.
    """
    if not text.strip():
        raise ReviewError(f"{source} is empty: it needs a header `candidate,total` and one row per candidate")
    try:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), strict=True)
        table = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ReviewError(f"{source} is not valid CSV: {exc}") from None
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in ("candidate", "total") if c not in header]
    if missing:
        raise ReviewError(
            f"{source} has no {' and no '.join(repr(m) for m in missing)} column; its header is "
            f"{','.join(table[0])!r} (it needs candidate,total and optionally criterion ids, band, decision)"
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise ReviewError(f"{source}: column(s) {', '.join(duplicated)} appear more than once")
    extra = [h for h in header if h not in RESERVED]
    unknown = [h for h in extra if criteria and h not in criteria]
    if unknown:
        raise ReviewError(
            f"{source}: column(s) {', '.join(unknown)} are neither criteria of the rubric "
            f"({', '.join(criteria)}) nor candidate, total, band or decision"
        )
    rows: dict[str, HumanRow] = {}
    for number, raw in enumerate(table[1:], start=2):
        if len(raw) != len(header):
            raise ReviewError(f"{source}, line {number}: {len(raw)} fields where the header has {len(header)}")
        cells = dict(zip(header, raw, strict=True))
        name = cells["candidate"].strip()
        if not name:
            raise ReviewError(f"{source}, line {number}: the candidate is empty")
        if name in rows:
            raise ReviewError(f"{source}, line {number}: {name!r} appears twice")
        row = HumanRow(candidate=name, total=_number(cells["total"], f"{source}, line {number}, total"))
        for column in extra:
            if cells[column].strip():
                row.criteria[column] = _number(cells[column], f"{source}, line {number}, {column}")
        row.band = cells.get("band", "").strip() or None
        row.decision = cells.get("decision", "").strip().lower() or None
        rows[name] = row
    if not rows:
        raise ReviewError(f"{source} has a header but no candidate rows")
    return HumanScores(
        rows=rows, criteria=extra, source=source, has_band="band" in header, has_decision="decision" in header
    )


def human_from_overrides(reports: Mapping[str, Report]) -> HumanScores:
    """Reviewers' finals (`grader review`) as the team's scores, for every report a reviewer changed."""
    rows = {}
    criteria: list[str] = []
    for name, report in reports.items():
        if report.total.final is None:
            continue
        scores = {c.id: c.final if c.final is not None else c.score for c in report.criteria}
        criteria += [c for c in scores if c not in criteria]
        rows[name] = HumanRow(candidate=name, total=report.total.final, criteria=scores)
    if not rows:
        raise ReviewError(
            "no report in this batch has a reviewer's override; record some with `grader review` "
            "or give the team's scores with --human FILE.csv"
        )
    return HumanScores(rows=rows, criteria=criteria, source="the reviewers' overrides")


def match_candidates(reports: Mapping[str, Report], human: HumanScores) -> tuple[dict[str, str], list[str]]:
    """Human row → report key (by folder id, candidate name or submission name), and reports not in the file.

    Unknown candidates are an error that lists them with the batch's names.
    """
    index: dict[str, str] = {}
    for key, report in reports.items():
        for alias in (key, report.submission.candidate, report.submission.name):
            index.setdefault(alias.casefold(), key)
    pairs: dict[str, str] = {}
    unknown: list[str] = []
    for name in human.rows:
        found = index.get(name.casefold())
        if found is None:
            unknown.append(name)
        else:
            pairs[name] = found
    if unknown:
        known = ", ".join(sorted(reports)[:20]) + (" …" if len(reports) > 20 else "")
        raise ReviewError(
            f"{human.source} names candidate(s) not in this batch: {', '.join(unknown[:20])}; the batch has {known}"
        )
    taken = set(pairs.values())
    return pairs, sorted(k for k in reports if k not in taken)


@dataclass
class Decision:
    """The automatic-percentage threshold that best separates the team's two decisions."""

    threshold: float
    positive: str
    negative: str
    accuracy: float
    balanced_accuracy: float
    counts: dict[str, int]


@dataclass
class Calibration:
    candidates: int
    unmatched: list[str]
    spearman_total: float | None
    spearman_criteria: dict[str, float | None]
    mean_abs_diff_total: float | None
    mean_abs_diff_criteria: dict[str, float | None]
    bands: list[str]
    current_thresholds: dict[str, float]
    kappa_bands: float | None
    proposed_thresholds: dict[str, float]
    kappa_proposed: float | None
    decision: Decision | None
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The calibration as JSON-ready data (`--json`)."""
        return asdict(self)


def _bands_of(percents: Sequence[float], bands: Sequence[Band]) -> list[int]:
    order = [b.name for b in sorted(bands, key=lambda b: -b.min_percent)]
    return [order.index(band_for(list(bands), p)) for p in percents]


def _propose(
    auto: Sequence[float], human: Sequence[int], bands: Sequence[Band]
) -> tuple[dict[str, float], float | None]:
    """Thresholds on the automatic percentage that reproduce the team's bands best (κ), closest to today's on ties."""
    ordered = sorted(bands, key=lambda b: -b.min_percent)
    k = len(ordered)
    current = [b.min_percent for b in ordered[:-1]]
    values = sorted(set(auto))
    cuts = sorted({round((a + b) / 2, 1) for a, b in itertools.pairwise(values)} | set(current) | {0.0, 100.0})

    def score(thresholds: Sequence[float]) -> tuple[float, float]:
        trial = [Band(name=b.name, min_percent=t) for b, t in zip(ordered, [*thresholds, 0.0], strict=True)]
        kappa = quadratic_weighted_kappa(_bands_of(auto, trial), list(human), k)
        moved = sum(abs(a - b) for a, b in zip(thresholds, current, strict=True))
        return (kappa if kappa is not None else -2.0, -moved)

    best = list(current)
    if k - 1 <= EXHAUSTIVE_THRESHOLDS:
        for combo in itertools.combinations(sorted(cuts, reverse=True), k - 1):
            if score(combo) > score(best):
                best = list(combo)
    else:  # coordinate ascent from today's thresholds
        improved = True
        while improved:
            improved = False
            for position in range(k - 1):
                upper = best[position - 1] if position else 101.0
                lower = best[position + 1] if position + 1 < k - 1 else -1.0
                for cut in cuts:
                    if lower < cut < upper:
                        trial = [*best[:position], cut, *best[position + 1 :]]
                        if score(trial) > score(best):
                            best, improved = trial, True
    kappa = score(best)[0]
    return {b.name: t for b, t in zip(ordered, [*best, 0.0], strict=True)}, (kappa if kappa > -2 else None)


def _decision(auto: Sequence[float], decisions: Sequence[str]) -> Decision:
    kinds = sorted(set(decisions))
    if len(kinds) != 2:
        raise ReviewError(f"the decision column must hold exactly two values (e.g. advance, reject), not {kinds}")
    mean = {d: sum(p for p, x in zip(auto, decisions, strict=True) if x == d) / decisions.count(d) for d in kinds}
    positive, negative = sorted(kinds, key=lambda d: -mean[d])
    best: tuple[float, float, float] | None = None
    for t in sorted({0.0, *auto}):
        predicted = [p >= t for p in auto]
        actual = [d == positive for d in decisions]
        tp = sum(1 for a, b in zip(predicted, actual, strict=True) if a and b)
        tn = sum(1 for a, b in zip(predicted, actual, strict=True) if not a and not b)
        pos, neg = actual.count(True), actual.count(False)
        balanced = (tp / pos + tn / neg) / 2
        accuracy = (tp + tn) / len(actual)
        if best is None or (balanced, accuracy) > (best[1], best[2]):
            best = (t, balanced, accuracy)
    assert best is not None
    below = [p for p in auto if p < best[0]]
    threshold = round((max(below) + best[0]) / 2, 1) if below else best[0]
    return Decision(
        threshold=threshold,
        positive=positive,
        negative=negative,
        accuracy=round(best[2], 3),
        balanced_accuracy=round(best[1], 3),
        counts={d: decisions.count(d) for d in kinds},
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def calibrate(reports: Mapping[str, Report], human: HumanScores, *, bands: Sequence[Band]) -> Calibration:
    """Agreement between the automatic scores and the team's, and bands (and a decision threshold) that fit them."""
    graded = {k: r for k, r in reports.items() if r.status in (GradingStatus.graded, GradingStatus.needs_review)}
    pairs, unmatched = match_candidates(reports, human)
    skipped = [name for name, key in pairs.items() if key not in graded]
    pairs = {name: key for name, key in pairs.items() if key in graded}
    notes = [f"{name} was not graded, so it is left out" for name in skipped]
    if len(pairs) < MIN_PAIRS:
        raise ReviewError(f"calibration needs at least {MIN_PAIRS} graded candidates in both; {len(pairs)} match")
    names = list(pairs)
    reps = [graded[pairs[n]] for n in names]
    people = [human.rows[n] for n in names]
    maximum = reps[0].total.max
    too_high = [p.candidate for p in people if p.total > maximum + 1e-9]
    if too_high and not human.has_band:
        raise ReviewError(
            f"{human.source}: totals above the rubric's {maximum:g} points ({', '.join(too_high[:5])}); "
            f"give totals on the rubric's scale, or a band column"
        )
    auto_total = [r.total.score for r in reps]
    auto_percent = [r.total.percent for r in reps]
    human_total = [p.total for p in people]
    by_criterion: dict[str, float | None] = {}
    mad: dict[str, float | None] = {}
    for cid in human.criteria:
        both = [
            (c.score, p.criteria[cid])
            for r, p in zip(reps, people, strict=True)
            for c in r.criteria
            if c.id == cid and cid in p.criteria
        ]
        if not both:
            notes.append(f"criterion {cid}: no candidate has both scores")
        by_criterion[cid] = _rounded(spearman([a for a, _ in both], [b for _, b in both])) if both else None
        mad[cid] = _rounded(mean_absolute_difference([a for a, _ in both], [b for _, b in both])) if both else None
    ordered = sorted(bands, key=lambda b: -b.min_percent)
    order = [b.name for b in ordered]
    if human.has_band:
        unknown = sorted({p.band or "" for p in people if p.band not in order})
        if unknown:
            raise ReviewError(f"{human.source}: band(s) {', '.join(unknown)} are not the rubric's ({', '.join(order)})")
        human_bands = [order.index(p.band or "") for p in people]
    else:
        human_bands = _bands_of([100.0 * t / maximum for t in human_total], bands)
    kappa = quadratic_weighted_kappa(_bands_of(auto_percent, bands), human_bands, len(order))
    proposed, kappa_proposed = _propose(auto_percent, human_bands, bands)
    decision = None
    if human.has_decision:
        decided = [(p, h.decision) for p, h in zip(auto_percent, people, strict=True) if h.decision]
        if len(decided) < MIN_PAIRS:
            notes.append("too few decisions to propose a threshold")
        else:
            decision = _decision([p for p, _ in decided], [d for _, d in decided if d])
    if spearman(auto_total, human_total) is None:
        notes.append("Spearman's ρ is undefined: one side gives every candidate the same total")
    return Calibration(
        candidates=len(names),
        unmatched=unmatched,
        spearman_total=_rounded(spearman(auto_total, human_total)),
        spearman_criteria=by_criterion,
        mean_abs_diff_total=_rounded(mean_absolute_difference(auto_total, human_total)),
        mean_abs_diff_criteria=mad,
        bands=order,
        current_thresholds={b.name: b.min_percent for b in ordered},
        kappa_bands=_rounded(kappa),
        proposed_thresholds=proposed,
        kappa_proposed=_rounded(kappa_proposed),
        decision=decision,
        notes=notes,
    )


def _fmt(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def overlay_yaml(calibration: Calibration, *, extends: str, batch: str, source: str) -> str:
    """The proposed bands as a rubric overlay that `extends:` the rubric in use (bands only)."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    lines = [
        f"# Proposed by `grader calibrate` on {today}: {calibration.candidates} candidates of {batch},",
        f"# scored by the team in {source}.",
        f"# Spearman's rho (total): {_fmt(calibration.spearman_total)}; quadratic-weighted kappa for bands:",
        f"# {_fmt(calibration.kappa_bands)} with today's thresholds, {_fmt(calibration.kappa_proposed)} with these.",
    ]
    if calibration.decision is not None:
        d = calibration.decision
        lines += [
            f"# The team's decisions ({d.positive} / {d.negative}) are best separated at {d.threshold:g} % of the",
            f"# automatic total (balanced accuracy {d.balanced_accuracy:g}); a rubric has no decision field, so it is",
            "# noted here for the team to use.",
        ]
    lines += [
        "# Review these bands, then grade with `--rubric` pointing at this file, or copy them into the rubric.",
        f"extends: {json.dumps(extends)}",
        "bands:",
    ]
    for name, threshold in calibration.proposed_thresholds.items():
        lines.append(f"  - {{name: {json.dumps(name)}, min_percent: {threshold:g}}}")
    return "\n".join(lines) + "\n"
