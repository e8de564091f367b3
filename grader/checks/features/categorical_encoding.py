"""FEAT002: categorical columns are encoded in a way that suits the model."""

from __future__ import annotations

import ast
import re

from grader.checks.base import Category, CheckOutcome, NoParams, check
from grader.checks.followups import FEATURES
from grader.evidence.context import CheckContext
from grader.evidence.ml.facts import MLFacts, Use, names_in
from grader.evidence.ml.queries import Source, code_sources, evidence_for, has_model, model_places
from grader.evidence.ml.vocabulary import (
    ENCODERS,
    NATIVE_CATEGORICAL_KEYWORDS,
    PIPELINE_BUILDERS,
    TARGET_STATISTIC_ENCODERS,
    Encoding,
    Family,
    is_heldout_name,
)
from grader.models.findings import Confidence, Finding, Severity

#: Families that read an integer code as a quantity (so "West" = 4 > "Midwest" = 1 means something).
_ORDER_SENSITIVE = frozenset({Family.linear, Family.knn, Family.svm, Family.neural})
_Y_NAME = re.compile(r"^y(_|$)|target|label", re.IGNORECASE)
#: category_encoders' target-statistic encoders: fitted outside CV they leak the target into the folds.


@check(
    id="FEAT002",
    slug="categoricals-encoded",
    category=Category.features,
    title="Categorical columns are encoded appropriately for the model",
    followup=FEATURES,
)
def categoricals_encoded(ctx: CheckContext, params: NoParams) -> CheckOutcome:
    """Categorical columns are one-hot, ordinal or target encoded in a way the model can use.

    What it checks: the encoders used in the notebook and its local modules
    (`OneHotEncoder`, `pd.get_dummies`, `OrdinalEncoder`, `TargetEncoder`, category
    mappings with `.map({...})`, hand-made indicator columns such as
    `(df["contract"] == "Month-to-month").astype(int)`, native categoricals for
    lightgbm/catboost). Findings:
    integer codes for nominal categories (`LabelEncoder` on features, `factorize`,
    `.cat.codes`) fed to a linear, k-NN, SVM or neural model with no one-hot
    encoding anywhere (medium); no encoding at all, or categorical columns dropped
    through `select_dtypes(include="number")` (medium); `get_dummies` applied to train
    and test separately without aligning the columns (low); a target-statistic
    encoder fitted outside a pipeline (low).

    Why it matters: `LabelEncoder` turns `region` into 0–4 and a logistic regression
    then learns that "West" is four times "Midwest"; dropping the categorical columns
    throws away the strongest churn predictors (contract type, payment method).

    Example: `for c in cat_cols: df[c] = LabelEncoder().fit_transform(df[c])`
    followed by `LogisticRegression().fit(X_train, y_train)`.

    Do instead: `ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"),
    cat_cols), ...])` inside the model pipeline; ordinal codes only for truly ordered
    categories or tree models.
    """
    del params
    sources = code_sources(ctx)
    notebook = ctx.ml
    target = ctx.assignment.target if ctx.assignment else None
    kinds: dict[Encoding, list[tuple[Source, int, int, str]]] = {}
    for source in sources:
        for place in _encodings(source, target):
            kinds.setdefault(place[0], []).append((place[1], place[2], place[3], place[4]))
    findings: list[Finding] = []
    families = {k.family for _, k in notebook.estimators}
    order_sensitive = sorted(f.value for f in families & _ORDER_SENSITIVE)
    if order_sensitive and Encoding.onehot not in kinds:
        for encoding, severity, what in (
            (Encoding.label, Severity.medium, "integer codes"),
            (Encoding.ordinal, Severity.low, "ordinal codes"),
        ):
            for source, cell, line, name in kinds.get(encoding, [])[:2]:
                findings.append(
                    Finding(
                        message=f"{name} turns categories into {what}, and a {'/'.join(order_sensitive)} model reads "
                        "them as quantities; nominal categories need one-hot (or target) encoding",
                        severity=severity,
                        confidence=Confidence.medium,
                        evidence=[evidence_for(ctx, source, cell, line)],
                    )
                )
    if not kinds and has_model(notebook):
        findings.append(_no_encoding(ctx, sources))
    findings.extend(_unaligned_dummies(ctx, sources))
    findings.extend(_target_stats_outside_pipeline(ctx, sources))
    used = ", ".join(sorted(k.value for k in kinds)) or "none"
    return CheckOutcome(findings=findings, message=f"encodings: {used}")


def _encodings(source: Source, target: str | None) -> list[tuple[Encoding, Source, int, int, str]]:
    facts = source.facts
    found: list[tuple[Encoding, Source, int, int, str]] = []
    for use in facts.uses:
        encoding = ENCODERS.get(use.name)
        if encoding is None:
            continue
        if use.name == "LabelEncoder" and _encodes_target(facts, use, target):
            continue
        found.append((encoding, source, use.cell, use.line, use.name))
    for cell, node in facts.nodes(ast.Attribute, ast.Call):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "codes"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "cat"
        ):
            found.append((Encoding.label, source, cell, node.lineno, ".cat.codes"))
        elif isinstance(node, ast.Call):
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else ""
            if method in ("map", "replace") and node.args:
                encoding = _mapping_encoding(facts, node.args[0])
                if encoding is not None:
                    found.append((encoding, source, cell, node.lineno, f".{method}(mapping)"))
            elif (
                method == "astype"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == "category"
            ):
                found.append((Encoding.native, source, cell, node.lineno, 'astype("category")'))
            elif any(k.arg in NATIVE_CATEGORICAL_KEYWORDS for k in node.keywords):
                found.append((Encoding.native, source, cell, node.lineno, "native categorical features"))
    for cell, stmt in facts.subscript_assigns:
        if isinstance(stmt, ast.Assign) and _indicator(stmt.value):
            found.append((Encoding.onehot, source, cell, stmt.lineno, "indicator column"))
    return found


def _indicator(value: ast.expr) -> bool:
    """`(df["contract"] == "Month-to-month").astype(int)`: a hand-made one-hot column for one category."""
    for node in ast.walk(value):
        if (
            isinstance(node, ast.Compare)
            and any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops)
            and any(isinstance(c, ast.Constant) and isinstance(c.value, str) for c in [node.left, *node.comparators])
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("eq", "ne", "isin")
            and any(isinstance(c, ast.Constant) and isinstance(c.value, str) for a in node.args for c in ast.walk(a))
        ):
            return True
    return False


def _mapping_encoding(facts: MLFacts, node: ast.expr) -> Encoding | None:
    """What `.map({...})` does: numbers for 2 values are a 0/1 indicator, for more an ordinal code.

    A mapping to strings is a spelling clean-up, not an encoding.
    """
    if isinstance(node, ast.Name):
        bound = facts.value_of(node.id)
        node = bound if bound is not None else node
    if not isinstance(node, ast.Dict):
        return None
    values = [v.value for v in node.values if isinstance(v, ast.Constant)]
    if not values or len(values) < len(node.values) or any(isinstance(v, str) for v in values):
        return None
    return Encoding.onehot if len(set(values)) <= 2 else Encoding.ordinal


def _encodes_target(facts: MLFacts, use: Use, target: str | None) -> bool:
    """`LabelEncoder` used on the target (its intended use), not on feature columns."""
    args: list[ast.expr] = []
    for site in facts.code.calls:
        if site.name not in ("fit", "fit_transform", "transform"):
            continue
        func = site.node.func
        if (use.bound_to and site.receiver == use.bound_to) or (
            isinstance(func, ast.Attribute) and func.value is use.call
        ):
            args.extend(site.node.args[:1])
    if not args:
        return False
    for arg in args:
        names = names_in(arg)
        strings = {n.value for n in ast.walk(arg) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        if not (any(_Y_NAME.search(n) for n in names) or (target and target in strings)):
            return False
    return True


def _no_encoding(ctx: CheckContext, sources: list[Source]) -> Finding:
    for source in sources:
        for site in source.facts.code.calls:
            if site.name == "select_dtypes" and any(
                (isinstance(n, ast.Constant) and str(n.value) in ("number", "object", "category"))
                or (isinstance(n, ast.Attribute) and n.attr == "number")
                for n in ast.walk(site.node)
            ):
                return Finding(
                    message="Categorical columns are dropped (select_dtypes) instead of being encoded",
                    severity=Severity.medium,
                    confidence=Confidence.medium,
                    evidence=[evidence_for(ctx, source, site.cell, site.line)],
                )
    places = model_places(sources[0].facts)
    known = ctx.assignment is not None
    return Finding(
        message="No categorical encoding found (no one-hot, ordinal or target encoding, no category mapping)",
        severity=Severity.medium,
        confidence=Confidence.medium if known else Confidence.low,
        evidence=[ctx.evidence(cell, line) for cell, line in places],
    )


def _unaligned_dummies(ctx: CheckContext, sources: list[Source]) -> list[Finding]:
    facts = sources[0].facts
    dummies = facts.named({"get_dummies"})
    if len(dummies) < 2:
        return []
    applied = [(u, names_in(u.call.args[0]) if u.call.args else set()) for u in dummies]
    on_test = [u for u, names in applied if any(is_heldout_name(n) for n in names)]
    on_other = [u for u, names in applied if names and not any(is_heldout_name(n) for n in names)]
    aligned = any(s.name in ("align", "reindex") for s in facts.code.calls)
    if not on_test or not on_other or aligned:
        return []
    return [
        Finding(
            message="get_dummies is applied to train and test separately and the columns are never aligned: a "
            "category missing from one side shifts every column after it",
            severity=Severity.low,
            confidence=Confidence.medium,
            evidence=[ctx.evidence(on_other[0].cell, on_other[0].line), ctx.evidence(on_test[0].cell, on_test[0].line)],
        )
    ]


def _target_stats_outside_pipeline(ctx: CheckContext, sources: list[Source]) -> list[Finding]:
    findings = []
    for source in sources:
        for use in source.facts.named(TARGET_STATISTIC_ENCODERS | {"TargetEncoder"}):
            if use.site.qualname and use.site.qualname.startswith("sklearn."):
                continue  # scikit-learn's TargetEncoder cross-fits by itself
            if use.inside(PIPELINE_BUILDERS) or _in_pipeline_by_name(source.facts, use):
                continue
            findings.append(
                Finding(
                    message=f"{use.name} is fitted outside a pipeline: its per-category target averages are learnt "
                    "from rows that later serve as validation folds",
                    severity=Severity.low,
                    confidence=Confidence.medium,
                    evidence=[evidence_for(ctx, source, use.cell, use.line)],
                )
            )
    return findings


def _in_pipeline_by_name(facts: MLFacts, use: Use) -> bool:
    if use.bound_to is None:
        return False
    return any(use.bound_to in names_in(p.call) for p in facts.named(PIPELINE_BUILDERS))
