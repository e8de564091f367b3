"""Target leakage: the assignment's leakage columns, the target, the id column, target-derived features, per-entity target means."""

from __future__ import annotations

from typing import Any

from grader.evidence.dataflow.values import MERGED_COLUMNS, Data, Est, Fit, Site
from grader.evidence.leakage.base import LeakBuilder, LeakKind
from grader.evidence.leakage.fitted import Fitted, built_from, dummies_of, named_as, runtime_lineage, traced_fit
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


def _shown(names: list[str]) -> str:
    return ", ".join(n if n == MERGED_COLUMNS else f"`{n}`" for n in names[:3])


def target_column_leaks(b: LeakBuilder) -> None:
    """Models fed the assignment's leakage columns, the target, the id column or features derived from them.

    When the fit ran in the sandbox, the columns the estimator actually received decide (traced
    names, traced lineage); the code's names decide only when the trace has nothing for that fit.
    """
    flow = b.flow
    assignment = b.seen.assignment
    leak_columns = list(assignment.leakage_columns) if assignment is not None else []
    id_column = assignment.id_column if assignment is not None else None
    target = flow.target
    traced_lineage = runtime_lineage(b.facts)
    for fit, x, y in flow.model_fits:
        if not x.frame and x.cols.mode == "unknown":
            continue
        fitted = traced_fit(b.facts, fit)
        seen = fitted if fitted is not None and fitted.named else None
        lineage = {**{k: v for k, v in x.derived_map().items()}, **traced_lineage}
        for column in leak_columns:
            _leak_column(b, fit, x, column, seen, lineage)
        if id_column and id_column != target:
            _id_column(b, fit, x, id_column, seen, fitted, lineage)
        if target is None or _predicts_another_column(y, target):
            continue
        _target_derived(b, fit, x, target, seen)
        _entity_target_means(b, fit, x, target)
        _target_itself(b, fit, x, target, seen, fitted)


def _predicts_another_column(y: Data | None, target: str) -> bool:
    """The model's labels are known to come from columns other than the assignment's target.

    A notebook that also classifies `Species` from the fish measurements (the assignment's target,
    `Weight`, among them) does not feed the target to a model of the target: the target checks
    are about models whose labels are the target or derive from it (or whose labels are unknown).
    """
    return y is not None and not y.uncertain and not y.target and bool(y.deps) and target not in y.deps


def _leak_column(
    b: LeakBuilder, fit: Fit, x: Data, column: str, seen: Fitted | None, lineage: dict[str, frozenset[str]]
) -> None:
    used, via = uses_column(x, fit.est, column)
    confidence = b.confidence(x.uncertain)
    traced_names: list[str] = []
    if seen is not None:
        traced_names = list(
            dict.fromkeys(
                named_as(seen.names, column) + dummies_of(seen.names, column) + built_from(seen.names, column, lineage)
            )
        )
        if traced_names:
            used, via, confidence = True, traced_names, Confidence.high
        elif not (used and via and set(via) <= {MERGED_COLUMNS}):
            return  # the estimator never saw it (merged columns of unknown name cannot be checked by name)
    if not used:
        return
    mention = where_named(x, fit.est, column, via) or b.flow.mentions.get(column)
    built = [v for v in via if v != column and not v.endswith("__" + column)]
    if len(built) < len(via):
        how = f"The column `{column}` is one of the features"
        if built:
            how += f" (and {_shown(built)}, built from it)"
    else:
        plural = len(built) > 1 or MERGED_COLUMNS in built
        how = f"{_shown(built)}, built from `{column}`, " + ("are features" if plural else "is a feature")
        how = how[0].upper() + how[1:]
    message = (
        f"{how} of {fit.cls} fitted in cell {fit.site.cell}; the assignment declares `{column}` a "
        f"leakage column (recorded after the outcome): your test score is not a fair estimate"
    )
    evidence = [b.evidence(fit.site, note=f"{column} reaches the model")]
    if mention is not None and (mention.cell, mention.line) != (fit.site.cell, fit.site.line):
        evidence.insert(0, b.evidence(mention, note=f"`{column}` appears here"))
    made = next((b.flow.mentions[v] for v in built if v in b.flow.mentions), None)
    if made is not None and made != mention:
        # The disguise: where the feature is computed from the leakage column.
        evidence.insert(0, b.evidence(made, note=f"`{built[0]}` is computed from `{column}`"))
    data: dict[str, Any] = {"column": column, "via": via[:10], "fit_cell": fit.site.cell}
    if seen is not None:
        call = seen.first
        note = f"traced: {call.cls} was fitted on columns including {', '.join(traced_names[:3])}"
        evidence.append(b.trace_evidence(call.cell, call.line, note))
        data.update(traced=True, fitted_columns=traced_names[:10], rows=call.x.n_rows if call.x else None)
    b.add(
        LeakKind.leakage_column,
        (column,),
        Finding(message=message, severity=Severity.high, confidence=confidence, evidence=evidence, data=data),
        traced=seen is not None,
    )


def _id_column(
    b: LeakBuilder,
    fit: Fit,
    x: Data,
    column: str,
    seen: Fitted | None,
    fitted: Fitted | None,
    lineage: dict[str, frozenset[str]],
) -> None:
    """The assignment's id column (or a feature built from it) among a model's features."""
    if seen is not None:
        via = list(
            dict.fromkeys(
                named_as(seen.names, column) + dummies_of(seen.names, column) + built_from(seen.names, column, lineage)
            )
        )
        if not via:
            return
        score = max((seen.probes.get(n, 0.0) for n in via), default=0.0)
        severity = Severity.high if score >= 0.9 else Severity.medium
        confidence = Confidence.high
        call = seen.first
        told = f" (alone it scores {score:.3f} on the training rows: the ids encode the outcome)" if score else ""
        message = (
            f"{fit.cls} in cell {fit.site.cell} was fitted with the id column `{column}` among its features "
            f"({_shown(via)}){told}: an id is a label for a record, not a property of it"
        )
        evidence = [b.trace_evidence(call.cell, call.line, f"traced: fitted on columns including {_shown(via)}")]
    else:
        used, via = uses_column(x, fit.est, column)
        if not used:
            return
        if fitted is None and not via:
            via = [column]
        severity = Severity.low
        confidence = Confidence.low
        message = (
            f"The id column `{column}` ({_shown(via) or f'`{column}`'}) seems to remain among the features of "
            f"{fit.cls} fitted in cell {fit.site.cell} (read from the code; the notebook's run did not show "
            f"the fitted columns): an id is a label for a record, not a property of it"
        )
        evidence = [b.evidence(fit.site, note=f"`{column}` is not dropped from the features")]
    b.add(
        LeakKind.id_column,
        (column, fit.site.cell),
        Finding(
            message=message,
            severity=severity,
            confidence=confidence,
            evidence=evidence,
            data={"column": column, "via": via[:10], "fit_cell": fit.site.cell, "traced": seen is not None},
        ),
        traced=seen is not None,
    )


def _target_derived(b: LeakBuilder, fit: Fit, x: Data, target: str, seen: Fitted | None) -> None:
    """Columns computed row by row from the target that reach the model."""
    marker = f"__target__:{target}"
    for name, deps in x.derived_map().items():
        if marker not in deps or name == target or not x.cols.contains(name):
            continue
        traced_names = named_as(seen.names, name) + dummies_of(seen.names, name) if seen is not None else []
        if seen is not None and not traced_names:
            continue  # the fitted estimator never received it
        site = b.flow.mentions.get(name)
        evidence = (
            [
                b.evidence(site, note=f"`{name}` derived from `{target}`"),
                b.evidence(fit.site, note="used as a feature"),
            ]
            if site
            else [b.evidence(fit.site, note=f"`{name}` derived from `{target}` is used as a feature")]
        )
        if seen is not None:
            evidence.append(b.trace_evidence(seen.first.cell, seen.first.line, f"traced: fitted with `{name}`"))
        b.add(
            LeakKind.target_derived,
            (name,),
            Finding(
                message=(
                    f"The feature `{name}` is computed from the target `{target}` and is used by {fit.cls} "
                    f"in cell {fit.site.cell}: it will not exist when predicting new rows"
                ),
                severity=Severity.high,
                confidence=Confidence.high if seen is not None else b.confidence(x.uncertain),
                evidence=evidence,
                data={"column": name, "target": target, "fit_cell": fit.site.cell, "traced": seen is not None},
            ),
            traced=seen is not None,
        )


def _target_itself(b: LeakBuilder, fit: Fit, x: Data, target: str, seen: Fitted | None, fitted: Fitted | None) -> None:
    """The target among the features: decided from the fitted columns when traced."""
    if seen is not None:
        hits = named_as(seen.names, target) + [
            d for d in dummies_of(seen.names, target) if seen.probes.get(d, 0.0) >= 0.99
        ]
        if not hits:
            return
        call = seen.first
        b.add(
            LeakKind.target_derived,
            ("__target__", fit.site.cell),
            Finding(
                message=(
                    f"The target `{target}` itself is among the features of {fit.cls} fitted in cell "
                    f"{fit.site.cell} (traced: {_shown(hits)} among the {len(seen.names)} columns it received)"
                ),
                severity=Severity.high,
                confidence=Confidence.high,
                evidence=[
                    b.evidence(fit.site, note=f"`{target}` reaches the model"),
                    b.trace_evidence(call.cell, call.line, f"traced: fitted on columns including {_shown(hits)}"),
                ],
                data={"column": target, "target": target, "fit_cell": fit.site.cell, "traced": True},
            ),
            traced=True,
        )
        return
    if fitted is not None and any(p >= 0.99 for p in fitted.probes.values()):
        return  # unnamed columns, and the trace's own probe (LEAK009) speaks for them
    if x.cols.contains(target) and _estimator_columns(fit.est, x) is None and x.frame:
        # Read from the code only: a guess about names, never a high-severity finding.
        b.add(
            LeakKind.target_derived,
            ("__target__", fit.site.cell),
            Finding(
                message=(
                    f"The target `{target}` seems to remain among the features of {fit.cls} fitted in cell "
                    f"{fit.site.cell} (read from the code; the run did not show the fitted columns)"
                ),
                severity=Severity.medium,
                confidence=Confidence.low,
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
