"""Target leakage: the assignment's leakage columns, target-derived features and per-entity target means."""

from __future__ import annotations

from grader.evidence.dataflow.values import Data, Est, Fit, Site
from grader.evidence.leakage.base import LeakBuilder, LeakKind
from grader.evidence.ml.vocabulary import FitCategory
from grader.models.findings import Confidence, Finding, Severity


def _estimator_columns(est: Est | None, x: Data) -> tuple[str, ...] | None:
    """Columns a pipeline's ColumnTransformer reads, if it names them all."""
    if est is None:
        return None
    for step in [est, *est.all_steps()]:
        if step.selects is not None and step.selects.mode == "known":
            return tuple(sorted(step.selects.names))
    return None


def uses_column(x: Data, est: Est | None, column: str) -> tuple[bool | None, list[str]]:
    """(whether the model's features include `column` or columns built from it, and which)."""
    selected = _estimator_columns(est, x)
    derived = x.derived_map()

    def built_from(name: str) -> bool:
        # Derived features and dummies are conventionally named after their source (`delivered_at_hour`).
        return name != column and (column in derived.get(name, frozenset()) or name.startswith(column + "_"))

    if selected is not None:
        names = [n for n in selected if n == column or built_from(n)]
        return bool(names), names
    found = [column] if x.cols.contains(column) else []
    named = x.cols.names if x.cols.mode == "known" else frozenset()
    found += sorted(n for n in set(derived) | named if built_from(n) and x.cols.contains(n))
    if found:
        return True, found
    return x.cols.contains(column), []


def where_named(x: Data, est: Est | None, column: str, via: list[str]) -> Site | None:
    """Where the model's feature set picks up the column: a feature list, a ColumnTransformer list, a `drop`."""
    names = [column, *via]
    if est is not None:
        for step in [est, *est.all_steps()]:
            for name in names:
                if name in step.select_sites:
                    return step.select_sites[name]
    sites = dict(x.col_sites)
    for name in names:
        if name in sites:
            return sites[name]
    return x.cols_site


def target_column_leaks(b: LeakBuilder) -> None:
    """Models fed the assignment's leakage columns or features derived from the target."""
    flow = b.flow
    assignment = b.seen.assignment
    leak_columns = list(assignment.leakage_columns) if assignment is not None else []
    target = flow.target
    for fit, x, _ in flow.model_fits:
        if not x.frame and x.cols.mode == "unknown":
            continue
        for column in leak_columns:
            used, via = uses_column(x, fit.est, column)
            if not used:
                continue
            mention = where_named(x, fit.est, column, via) or flow.mentions.get(column)
            built = [v for v in via if v != column]
            if column in via:
                how = f"The column `{column}` is one of the features"
                if built:
                    how += f" (and {', '.join(f'`{v}`' for v in built[:3])}, built from it)"
            else:
                how = f"{', '.join(f'`{v}`' for v in built[:3])}, built from `{column}`, " + (
                    "are features" if len(built) > 1 else "is a feature"
                )
            message = (
                f"{how} of {fit.cls} fitted in cell {fit.site.cell}; the assignment declares `{column}` a "
                f"leakage column (recorded after the outcome)"
            )
            evidence = [b.evidence(fit.site, note=f"{column} reaches the model")]
            if mention is not None and (mention.cell, mention.line) != (fit.site.cell, fit.site.line):
                evidence.insert(0, b.evidence(mention, note=f"`{column}` appears here"))
            b.add(
                LeakKind.leakage_column,
                (column,),
                Finding(
                    message=message,
                    severity=Severity.high,
                    confidence=b.confidence(x.uncertain),
                    evidence=evidence,
                    data={"column": column, "via": via[:10], "fit_cell": fit.site.cell},
                ),
            )
        if target is None:
            continue
        derived = x.derived_map()
        marker = f"__target__:{target}"
        for name, deps in derived.items():
            if marker in deps and name != target and x.cols.contains(name):
                site = flow.mentions.get(name)
                b.add(
                    LeakKind.target_derived,
                    (name,),
                    Finding(
                        message=(
                            f"The feature `{name}` is computed from the target `{target}` and is used by {fit.cls} "
                            f"in cell {fit.site.cell}: it will not exist when predicting new rows"
                        ),
                        severity=Severity.high,
                        confidence=b.confidence(x.uncertain),
                        evidence=[
                            b.evidence(site, note=f"`{name}` derived from `{target}`"),
                            b.evidence(fit.site, note="used as a feature"),
                        ]
                        if site
                        else [b.evidence(fit.site, note=f"`{name}` derived from `{target}` is used as a feature")],
                        data={"column": name, "target": target, "fit_cell": fit.site.cell},
                    ),
                )
        _entity_target_means(b, fit, x, target)
        if x.cols.contains(target) and _estimator_columns(fit.est, x) is None and x.frame:
            b.add(
                LeakKind.target_derived,
                ("__target__", fit.site.cell),
                Finding(
                    message=f"The target `{target}` itself is among the features of {fit.cls} fitted in cell "
                    f"{fit.site.cell}",
                    severity=Severity.high,
                    confidence=Confidence.low if x.uncertain else Confidence.medium,
                    evidence=[b.evidence(fit.site, note=f"`{target}` is not dropped from the features")],
                    data={"column": target, "target": target, "fit_cell": fit.site.cell},
                ),
            )


def _entity_target_means(b: LeakBuilder, fit: Fit, x: Data, target: str) -> None:
    """Target means per entity (a customer, a patient): each row's own label is a large part of its feature."""
    assignment = b.seen.assignment
    group = assignment.structure.group_column if assignment is not None else None
    for fit_id in sorted(x.taints):
        stat = b.flow.fits.get(fit_id)
        if stat is None or stat.category is not FitCategory.target_statistic:
            continue
        keys = [k for k in stat.by if k == group or k.lower().endswith("id")]
        if not keys:
            continue
        b.add(
            LeakKind.target_derived,
            ("entity", stat.id),
            Finding(
                message=(
                    f"The target `{target}` is averaged per `{keys[0]}` in cell {stat.site.cell} and fed to "
                    f"{fit.cls} in cell {fit.site.cell}: with few rows per {keys[0]}, each row's feature is mostly "
                    f"its own label"
                ),
                severity=Severity.high,
                confidence=b.confidence(stat.uncertain, x.uncertain),
                evidence=[
                    b.evidence(stat.site, note=f"target mean per {keys[0]}"),
                    b.evidence(fit.site, note="used as a feature"),
                ],
                data={"column": keys[0], "target": target, "fit_cell": fit.site.cell, "stat_cell": stat.site.cell},
            ),
        )
