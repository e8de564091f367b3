"""The data's structure ignored: random splits of time-ordered rows, groups on both sides of a split."""

from __future__ import annotations

from typing import Any

from grader.evidence.dataflow.values import DataflowResult, Site
from grader.evidence.leakage.base import LeakBuilder, LeakKind
from grader.evidence.leakage.target import uses_column
from grader.models.findings import Confidence, Finding, Severity
from grader.models.trace import TraceSplit


def _used_splits(flow: DataflowResult) -> set[int]:
    """Splits whose sides reach a model fit or an evaluation."""
    used: set[int] = set()
    for fit, x, _ in flow.model_fits:
        used |= {s.id for s, _ in flow.parts(x.tags)}
        del fit
    for evaluation in flow.evals.values():
        used |= {s.id for s, _ in flow.parts(evaluation.tags)}
    return used


def structure_leaks(b: LeakBuilder) -> None:
    """Random splits of time-ordered rows, and groups on both sides of a split."""
    assignment = b.seen.assignment
    if assignment is None:
        return
    structure = assignment.structure
    flow = b.flow
    used = _used_splits(flow)
    for split in flow.splits.values():
        if split.recombines_files or not split.random or split.time_based:
            continue
        if split.id not in used and split.kind != "splitter":
            continue
        if structure.time_ordered:
            _report_temporal(b, split.site, _short(split.function or split.kind), split.id)
        group = structure.group_column
        # On time-ordered data the fix is a time-based split (LEAK010); groups matter there only when the
        # model can memorise them, i.e. the group column is one of its features.
        if (
            group
            and not split.group_aware
            and (
                not structure.time_ordered
                or any(
                    uses_column(x, fit.est, group)[0]
                    for fit, x, _ in flow.model_fits
                    if any(s.id == split.id for s, _ in flow.parts(x.tags))
                )
            )
        ):
            _report_group(b, split.site, _short(split.function or split.kind), split.id)
    for run in flow.cv_runs.values():
        if not run.random:
            continue
        if structure.time_ordered:
            _report_temporal(b, run.site, f"{run.function} with {run.cv_text or 'shuffled folds'}", ("cv", run.id))
        group = structure.group_column
        if group and not run.group_aware and (not structure.time_ordered or uses_column(run.data, run.est, group)[0]):
            _report_group(b, run.site, run.function, ("cv", run.id))


def _short(function: str) -> str:
    name = function.rsplit(".", 1)[-1]
    return {
        "sample": "`df.sample`",
        "mask": "A boolean-mask split",
        "iloc": "A positional split",
        "drop": "A `drop`-based split",
    }.get(name, name)


def _report_temporal(b: LeakBuilder, site: Site, how: str, key: Any) -> None:
    assignment = b.seen.assignment
    assert assignment is not None
    column = assignment.structure.time_column
    message = (
        f"{how} in cell {site.cell} splits time-ordered rows at random: the model is validated on periods it "
        f"was also trained on (and on the past, trained on the future)"
        + (f"; split by `{column}` instead" if column else "")
    )
    data_facts: dict[str, Any] = {"split_cell": site.cell, "time_column": column}
    evidence = [b.evidence(site, note="random split of time-ordered data")]
    confidence = Confidence.medium
    traced = False
    if b.facts is not None:
        for side in b.facts.splits_at(site.executed_cell):
            event = side.event
            if isinstance(event, TraceSplit) and event.shuffle:
                spans = {}
                for part in event.parts:
                    spans.update(part.time_spans)
                span = spans.get(column or "") or (next(iter(spans.values())) if spans else None)
                detail = f"{side.n_train:,} training and {side.n:,} test rows drawn at random"
                order = event.parts[0].order if event.parts else {}
                if order.get("n_test"):
                    detail += (
                        f"; {order.get('test_before_last_train', 0):,} of the {order['n_test']:,} test rows "
                        f"come before the last training row in the data's order"
                    )
                    data_facts.update(test_before_last_train=order.get("test_before_last_train"))
                if span and span.get("train") and span.get("test"):
                    detail += (
                        f"; training rows span {span['train'][0][:10]}..{span['train'][1][:10]}, test rows "
                        f"{span['test'][0][:10]}..{span['test'][1][:10]}"
                    )
                    data_facts.update(train_span=span["train"], test_span=span["test"])
                message = f"train_test_split in cell {side.cell} shuffled time-ordered rows: {detail}"
                data_facts.update(test_rows=side.n, train_rows=side.n_train, traced=True)
                evidence.append(b.trace_evidence(side.cell, event.line, f"traced: {detail}"))
                confidence, traced = Confidence.high, True
                break
    b.add(
        LeakKind.temporal,
        (key,),
        Finding(message=message, severity=Severity.high, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )


def _report_group(b: LeakBuilder, site: Site, how: str, key: Any) -> None:
    assignment = b.seen.assignment
    assert assignment is not None
    column = assignment.structure.group_column
    pattern = assignment.structure.group_pattern
    # With a pattern the group is a part of each value (the speaker of a recording), not the value.
    named = f"groups in `{column}` (the part `{pattern}` picks)" if pattern else f"`{column}` groups"
    member = "group" if pattern else column
    message = (
        f"{how} in cell {site.cell} ignores the {named}: the same {member} ends up on both sides, so "
        f"the held-out score measures entities the model has already seen (use a group-aware split such as "
        f"GroupShuffleSplit / GroupKFold)"
    )
    data_facts: dict[str, Any] = {"split_cell": site.cell, "group_column": column}
    if pattern:
        data_facts["group_pattern"] = pattern
    evidence = [b.evidence(site, note="split without groups")]
    confidence = Confidence.medium
    traced = False
    if b.facts is not None:
        for side in b.facts.splits_at(site.executed_cell):
            event = side.event
            if not isinstance(event, TraceSplit):
                continue
            groups = {}
            for part in event.parts:
                groups.update(part.groups)
            stats = groups.get(column or "")
            if stats and stats.get("shared"):
                values = "groups" if pattern else f"{column} values"
                detail = (
                    f"{stats['shared']:,} of the {stats.get('test', 0):,} {values} in the test rows also "
                    f"occur in the training rows ({stats.get('test_rows_shared', 0):,} of {side.n:,} test rows)"
                )
                message = f"{how} in cell {side.cell} ignores the {named}: {detail}"
                data_facts.update(
                    shared_groups=stats["shared"],
                    test_groups=stats.get("test"),
                    test_rows_shared=stats.get("test_rows_shared"),
                    traced=True,
                )
                evidence.append(b.trace_evidence(side.cell, event.line, f"traced: {detail}"))
                confidence, traced = Confidence.high, True
                break
    b.add(
        LeakKind.group,
        (key,),
        Finding(message=message, severity=Severity.medium, confidence=confidence, evidence=evidence, data=data_facts),
        traced=traced,
    )
