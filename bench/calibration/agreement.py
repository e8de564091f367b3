"""Agreement between the grader's reports and the raters' labels (used by `bench/calibration.py`).

Pure functions over `report.json` data (read as JSON, so they survive report-model changes) and
the raters' label files; no grading happens here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from bench.calibration.labels import Flag, NotebookLabel, RaterLabels

BANDS = {"weak": 0, "average": 1, "strong": 2}
_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}

#: Which grader evidence answers each kind of serious problem a rater can flag. A kind counts as
#: found when a failed check named here (slug or id; `category:` for a whole category) has a problem
#: finding of at least medium severity (or the family's `floor`), or the report carries one of the named flags.
FAMILIES: dict[str, dict[str, tuple[str, ...]]] = {
    Flag.leakage.value: {
        "checks": ("category:leakage",),
        "exclude": ("test-set-used-for-selection", "suspect-column-questioned"),
        "flags": ("leakage",),
    },
    Flag.test_set_selection.value: {
        "checks": ("test-set-used-for-selection", "tuned-inside-cv"),
        "flags": ("test_set_selection",),
    },
    # Test rows in the training data (LEAK005) are also a model scored on rows it was fitted on:
    # a rater may call it either.
    Flag.evaluation_on_training.value: {
        "checks": ("evaluates-on-held-out-data", "evaluated-on-training-rows", "test-rows-in-training"),
        "flags": ("evaluation_on_training",),
    },
    # Results typed in by hand (EVAL012) are results no output of the code supports.
    Flag.claim_unsupported.value: {
        "checks": (
            "claimed-score-matches-holdout",
            "claims-match-outputs",
            "scored-against-true-labels",
            "results-computed-not-typed",
        ),
        "flags": ("holdout_gap", "claim_unsupported"),
    },
    # EXE003's high finding is hidden state in the saved notebook, and EXE011's a saved error or
    # unrun modelling cells in it, which the raters judge too; EXE010 (the sandbox's re-run failed)
    # is not: the raters cannot see a re-run. Only high findings count (cells out of order or a
    # stray unrun cell alone are not unverifiable results).
    Flag.unverified.value: {
        "checks": ("executed-in-order", "submitted-run-complete"),
        "floor": ("high",),
        "flags": ("unverified", "did_not_run", "resource_limit"),
    },
    Flag.did_not_run.value: {
        "checks": ("submitted-run-complete",),
        "floor": ("high",),
        "flags": ("did_not_run", "resource_limit"),
    },
}

_CATEGORY_OF_PREFIX = {
    "LEAK": "leakage",
    "EVAL": "evaluation",
    "HOLD": "evaluation",
    "EXE": "execution",
    "MOD": "modeling",
    "FEAT": "features",
    "EDA": "eda",
    "DOC": "docs",
    "QUAL": "quality",
}


@dataclass(frozen=True)
class Graded:
    """What the comparison needs from one report."""

    id: str
    percent: float
    band: str
    #: Share of each criterion's points earned, 0-1.
    criteria: dict[str, float]
    #: Rater flag kinds the grader's evidence answers.
    found: frozenset[str]
    #: (check id, slug, category, message) of each high-severity problem finding.
    highs: tuple[tuple[str, str, str, str], ...]


def _named(result: dict[str, Any], refs: Iterable[str]) -> bool:
    for ref in refs:
        if ref.startswith("category:"):
            if result.get("category") == ref.split(":", 1)[1]:
                return True
        elif ref in (result.get("slug"), result.get("id")):
            return True
    return False


def problems(result: dict[str, Any], floor: str) -> list[dict[str, Any]]:
    """A failed check result's findings of at least `floor` severity."""
    if result.get("status") != "failed":
        return []
    return [f for f in result.get("findings", []) if _RANK.get(f.get("severity", "info"), 0) >= _RANK[floor]]


def kinds_of(result: dict[str, Any], floor: str = "medium") -> set[str]:
    """Rater flag kinds that a check result's problem findings (at `floor` or the family's own floor) stand for."""
    return {
        kind
        for kind, family in FAMILIES.items()
        if _named(result, family["checks"])
        and not _named(result, family.get("exclude", ()))
        and problems(result, max((floor, *family.get("floor", ())), key=_RANK.__getitem__))
    }


def graded_from_report(notebook_id: str, report: dict[str, Any]) -> Graded:
    """The parts of one `report.json` the comparison uses."""
    criteria = {
        c["id"]: (float(c["score"]) / c["points_possible"] if c["points_possible"] else 0.0)
        for c in report.get("criteria", [])
    }
    found: set[str] = set()
    highs = []
    for result in report.get("checks", []):
        found |= kinds_of(result)
        for finding in problems(result, "high"):
            highs.append((result["id"], result["slug"], result.get("category", ""), finding.get("message", "")[:160]))
    flag_kinds = {f["kind"] for f in report.get("flags", [])}
    found |= {kind for kind, family in FAMILIES.items() if flag_kinds & set(family["flags"])}
    total = report["total"]
    return Graded(
        id=notebook_id,
        percent=float(total["percent"]),
        band=str(total.get("band", "")),
        criteria=criteria,
        found=frozenset(found),
        highs=tuple(highs),
    )


def read_graded(notebook_id: str, path: Path) -> Graded:
    return graded_from_report(notebook_id, json.loads(path.read_text("utf-8")))


def spearman(a: list[float], b: list[float]) -> float:
    """Spearman's ρ (NaN when either side is constant or there are fewer than 3 pairs)."""
    from scipy.stats import spearmanr

    if len(a) < 3 or len(set(a)) < 2 or len(set(b)) < 2:
        return math.nan
    return float(spearmanr(a, b).statistic)


def kappa(a: list[str], b: list[str]) -> float:
    """Quadratic-weighted Cohen's κ over the ordered bands weak < average < strong."""
    from sklearn.metrics import cohen_kappa_score

    if len(set(a) | set(b)) < 2:
        return math.nan  # one band on both sides: κ is undefined
    return float(cohen_kappa_score([BANDS[x] for x in a], [BANDS[x] for x in b], labels=[0, 1, 2], weights="quadratic"))


def _flags(label: NotebookLabel) -> set[str]:
    return {str(flag) for flag in label.flags}


def _ratio(hits: int, total: int) -> str:
    return f"{hits / total:.2f}" if total else "n/a"


def _as_result(check_id: str, slug: str, category: str) -> dict[str, Any]:
    return {
        "status": "failed",
        "id": check_id,
        "slug": slug,
        "category": category or _CATEGORY_OF_PREFIX.get(check_id.rstrip("0123456789"), ""),
        "findings": [{"severity": "high"}],
    }


def unconfirmed_highs(
    ids: list[str], graded: dict[str, Graded], by_rater: list[dict[str, NotebookLabel]]
) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str, str]]]:
    """High-severity findings that raters can confirm, split in two lists.

    The first holds findings of a kind the raters flag (leakage, test-set selection, evaluation on
    training rows, unsupported claims) on a notebook where no rater flagged that kind: false alarms
    by the raters' judgement. The second holds high findings of other kinds (a timeout, a metric
    that does not fit the task), which the raters' flags do not speak to: listed for a human.
    """
    false, unmapped = [], []
    for notebook_id in ids:
        flagged = set().union(*(_flags(labels[notebook_id]) for labels in by_rater))
        for check_id, slug, category, message in graded[notebook_id].highs:
            kinds = kinds_of(_as_result(check_id, slug, category))
            if not kinds:
                unmapped.append((notebook_id, check_id, slug, message))
            elif not kinds & flagged:
                false.append((notebook_id, check_id, slug, message))
    return false, unmapped


def compare(split: str, graded: dict[str, Graded], raters: list[RaterLabels]) -> list[str]:
    """The lines the benchmark prints, over the notebooks every rater labelled."""
    by_rater = [r.by_id() for r in raters]
    ids = sorted(i for i in graded if all(i in labels for labels in by_rater))
    n = len(ids)
    lines = []
    ours = [graded[i].percent for i in ids]
    theirs = [[labels[i].total for i in ids] for labels in by_rater]
    mean_totals = [mean(values) for values in zip(*theirs)] if theirs else []
    lines.append(f"rho={spearman(ours, mean_totals):.2f} ({split}, n={n})")
    if len(raters) >= 2:
        lines.append(
            f"rater_rho={spearman(theirs[0], theirs[1]):.2f} ({raters[0].rater} vs {raters[1].rater}, {split}, n={n})"
        )
    for rater, totals in zip(raters, theirs):
        lines.append(f"rho_vs_{rater.rater}={spearman(ours, totals):.2f} ({split}, n={n})")
    for criterion in sorted({c for i in ids for c in graded[i].criteria}):
        if not all(hasattr(labels[i].criteria, criterion) for labels in by_rater for i in ids):
            continue
        per_rater = [[float(getattr(labels[i].criteria, criterion)) for i in ids] for labels in by_rater]
        mine = [graded[i].criteria[criterion] for i in ids]
        pair = f", raters {spearman(per_rater[0], per_rater[1]):.2f}" if len(per_rater) >= 2 else ""
        lines.append(
            f"rho[{criterion}]={spearman(mine, [mean(v) for v in zip(*per_rater)]):.2f} ({split}, n={n}{pair})"
        )
    grader_bands = [graded[i].band for i in ids]
    rater_bands = [[labels[i].band for i in ids] for labels in by_rater]
    for rater, bands in zip(raters, rater_bands):
        agree = sum(x == y for x, y in zip(grader_bands, bands))
        lines.append(
            f"band_agreement_{rater.rater}={_ratio(agree, n)} kappa={kappa(grader_bands, bands):.2f} ({split}, n={n})"
        )
    if len(rater_bands) >= 2:
        agree = sum(x == y for x, y in zip(rater_bands[0], rater_bands[1]))
        lines.append(
            f"rater_band_agreement={_ratio(agree, n)} kappa={kappa(rater_bands[0], rater_bands[1]):.2f} ({split}, n={n})"
        )
    both = [(i, k) for i in ids for k in FAMILIES if all(k in _flags(labels[i]) for labels in by_rater)]
    either = [(i, k) for i in ids for k in FAMILIES if any(k in _flags(labels[i]) for labels in by_rater)]
    hit_both = [(i, k) for i, k in both if k in graded[i].found]
    hit_either = [(i, k) for i, k in either if k in graded[i].found]
    lines.append(f"flag_recall={_ratio(len(hit_both), len(both))} ({len(hit_both)}/{len(both)}, both raters, {split})")
    lines.append(
        f"flag_recall_either={_ratio(len(hit_either), len(either))} ({len(hit_either)}/{len(either)}, {split})"
    )
    lines += [f"  missed: {i} {k}" for i, k in sorted(set(both) - set(hit_both))]
    false_high, unmapped = unconfirmed_highs(ids, graded, by_rater)
    lines.append(f"false_high={len(false_high)} ({split}, n={n})")
    lines += [f"  unconfirmed high: {i} {c} {s}: {m}" for i, c, s, m in false_high]
    by_check: dict[str, int] = {}
    for _, check_id, slug, _ in unmapped:
        by_check[f"{check_id} {slug}"] = by_check.get(f"{check_id} {slug}", 0) + 1
    lines.append(
        f"other_high={len(unmapped)} ({split}; kinds the raters' flags do not cover: "
        + (", ".join(f"{k} x{v}" for k, v in sorted(by_check.items())) or "none")
        + ")"
    )
    lines.append("")
    lines.append(f"{'id':<16} {'grader':>7} {'band':<8} " + " ".join(f"{r.rater:>6}" for r in raters) + "   mean")
    for i, total, m in sorted(zip(ids, ours, mean_totals), key=lambda t: -t[2]):
        rater_part = " ".join(f"{labels[i].total:>6.1f}" for labels in by_rater)
        lines.append(f"{i:<16} {total:>7.1f} {graded[i].band:<8} {rater_part}  {m:5.1f}")
    return lines
