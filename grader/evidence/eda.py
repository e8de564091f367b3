"""What the notebook's code does to explore the data, by aspect, computed once per submission.

Each aspect (size, types, summary statistics, missing values, target, duplicates,
outliers, correlations, feature–target relations) is a list of `Hit`s: where the
code does it and which cells' runs perform it (a helper function's body is
credited to the cells that call it). The EDA checks only read these facts.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grader.evidence.code import CallSite
from grader.evidence.narrative.figures import PlotKind, plot_kinds
from grader.evidence.narrative.markdown import excerpt
from grader.evidence.narrative.scopes import Scopes, TargetRefs, cells_of
from grader.models.findings import Confidence, Evidence

if TYPE_CHECKING:
    from grader.evidence.context import CheckContext, Observations
    from grader.evidence.narrative.facts import NarrativeFacts

SIZE = "size"
TYPES = "types"
SUMMARY = "summary"
PEEK = "peek"
MISSING = "missing"
MISSING_HANDLED = "missing_handled"
TARGET = "target"
DUPLICATES = "duplicates"
OUTLIERS = "outliers"
CORRELATION = "correlation"
TARGET_RELATION = "target_relation"
CARDINALITY = "cardinality"

#: Aspects whose outputs deserve a written interpretation (EDA008).
INTERPRETED = (SUMMARY, MISSING, TARGET, DUPLICATES, OUTLIERS, CORRELATION, TARGET_RELATION, CARDINALITY)

_PROFILERS = {"ProfileReport", "profile_report", "skim", "analyze", "compare", "show_html", "AutoViz"}
_PROFILE_ASPECTS = (SIZE, TYPES, SUMMARY, MISSING, DUPLICATES, CORRELATION)
_METHOD_ASPECTS: dict[str, tuple[str, ...]] = {
    "describe": (SUMMARY,),
    "head": (PEEK,),
    "tail": (PEEK,),
    "sample": (PEEK,),
    "select_dtypes": (TYPES,),
    "infer_objects": (TYPES,),
    "isna": (MISSING,),
    "isnull": (MISSING,),
    "notna": (MISSING,),
    "notnull": (MISSING,),
    "fillna": (MISSING_HANDLED,),
    "dropna": (MISSING_HANDLED,),
    "interpolate": (MISSING_HANDLED,),
    "duplicated": (DUPLICATES,),
    "drop_duplicates": (DUPLICATES,),
    "quantile": (OUTLIERS,),
    "percentile": (OUTLIERS,),
    "zscore": (OUTLIERS,),
    "clip": (OUTLIERS,),
    "between": (OUTLIERS,),
    "winsorize": (OUTLIERS,),
    "iqr": (OUTLIERS,),
    "corr": (CORRELATION,),
    "corrwith": (CORRELATION,),
    "corrcoef": (CORRELATION,),
    "pearsonr": (CORRELATION,),
    "spearmanr": (CORRELATION,),
    "kendalltau": (CORRELATION,),
    "pointbiserialr": (CORRELATION,),
    "chi2_contingency": (CORRELATION,),
    "mutual_info_classif": (CORRELATION,),
    "mutual_info_regression": (CORRELATION,),
    "f_classif": (CORRELATION,),
    "f_regression": (CORRELATION,),
    "variance_inflation_factor": (CORRELATION,),
    "phik_matrix": (CORRELATION,),
    "associations": (CORRELATION,),
    "scatter_matrix": (CORRELATION,),
    "pairplot": (CORRELATION,),
    "value_counts": (CARDINALITY,),
    "nunique": (CARDINALITY,),
    "unique": (CARDINALITY,),
}
_CONSTRUCTORS: dict[str, tuple[str, ...]] = {
    "SimpleImputer": (MISSING_HANDLED,),
    "KNNImputer": (MISSING_HANDLED,),
    "IterativeImputer": (MISSING_HANDLED,),
    "IsolationForest": (OUTLIERS,),
    "LocalOutlierFactor": (OUTLIERS,),
    "EllipticEnvelope": (OUTLIERS,),
}
_ATTRIBUTE_ASPECTS: dict[str, tuple[str, ...]] = {
    "shape": (SIZE,),
    "dtypes": (TYPES,),
    "dtype": (TYPES,),
    "is_unique": (DUPLICATES,),
    "hasnans": (MISSING,),
    "size": (),
}
#: Calls on the target that show its distribution.
_TARGET_DISTRIBUTION = {
    "value_counts",
    "mean",
    "describe",
    "hist",
    "histplot",
    "countplot",
    "kdeplot",
    "displot",
    "distplot",
    "plot",
    "bincount",
    "Counter",
    "unique",
    "nunique",
    "sum",
    "skew",
    "kurt",
    "kurtosis",
    "median",
    "std",
    "quantile",
    "boxplot",
    "size",
    "pie",
    "bar",
    "barh",
    "probplot",
    "box",
    "kde",
    "density",
    "ecdfplot",
    "violinplot",
    "histogram",
    "agg",
    "count",
    "max",
    "min",
    "unique_counts",
}
#: Calls that relate features to the target when the target appears in their statement.
_RELATION = {
    "groupby",
    "crosstab",
    "pivot_table",
    "corr",
    "corrwith",
    "mutual_info_classif",
    "mutual_info_regression",
    "f_classif",
    "f_regression",
    "chi2",
    "pointbiserialr",
    "pearsonr",
    "spearmanr",
    "kendalltau",
    "chi2_contingency",
    "barplot",
    "pointplot",
    "boxplot",
    "violinplot",
    "boxenplot",
    "stripplot",
    "swarmplot",
    "catplot",
    "scatterplot",
    "lmplot",
    "regplot",
    "relplot",
    "histplot",
    "kdeplot",
    "displot",
    "countplot",
    "pairplot",
    "scatter",
    "lineplot",
    "ttest_ind",
    "mannwhitneyu",
    "kruskal",
    "f_oneway",
}
_SINGLE_VARIABLE_PLOTS = {"countplot", "histplot", "kdeplot", "displot", "boxplot", "violinplot", "boxenplot"}
_FIT = {"fit", "fit_predict", "fit_resample", "cross_val_score", "cross_validate", "cross_val_predict"}
#: Statistics that summarise several columns at once (`df[["a", "b"]].median()`, `groupby(t)[[...]].mean()`).
_COLUMN_STATS = {"mean", "median", "std", "min", "max", "skew", "quantile", "agg", "aggregate", "kurt"}
_TRANSFORMER_NAME = re.compile(
    r"scal|imput|encod|vectori|pca|transform|preproc|tokeni|binar|discreti|sampler|smote", re.IGNORECASE
)


@dataclass(frozen=True)
class Hit:
    """One place where the code explores one aspect of the data."""

    aspect: str
    cell: int
    line: int
    what: str
    #: Cells whose run performs it: its own cell, or the cells calling the helper it sits in.
    cells: frozenset[int]
    confidence: Confidence = Confidence.high


@dataclass
class EdaFacts:
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    #: First cell that fits or cross-validates a model: EDA is what comes before it.
    modelling_start: int | None = None
    target_known: bool = False

    def of(self, *aspects: str) -> list[Hit]:
        found = [h for a in aspects for h in self.hits.get(a, [])]
        return sorted(found, key=lambda h: (h.cell, h.line))

    def has(self, *aspects: str) -> bool:
        return any(self.hits.get(a) for a in aspects)

    def add(self, hit: Hit) -> None:
        self.hits.setdefault(hit.aspect, []).append(hit)


def eda_facts(seen: Observations, narrative: NarrativeFacts) -> EdaFacts:
    """Every exploration step the code (and its outputs) shows, by aspect."""
    code = seen.code
    scope = narrative.scopes
    refs = narrative.target_refs
    facts = EdaFacts(target_known=refs is not None)
    corr_names: set[str] = set()
    fit_cells: set[int] = set()
    for site in code.calls:
        cells = frozenset(cells_of(site, scope))
        what = code.snippet(site.cell, site.line)
        for aspect in _call_aspects(site):
            facts.add(
                Hit(
                    aspect,
                    site.cell,
                    site.line,
                    what,
                    cells,
                    Confidence.medium if aspect == MISSING and site.name == "info" else Confidence.high,
                )
            )
        if site.name in _FIT and (site.name == "fit_resample" or not _TRANSFORMER_NAME.search(site.receiver or "")):
            fit_cells |= cells
        if refs is not None:
            statement = scope.statement_of.get(id(site.node))
            if _is_target_distribution(site, refs):
                facts.add(Hit(TARGET, site.cell, site.line, what, cells))
            elif _is_target_relation(site, refs, statement):
                facts.add(Hit(TARGET_RELATION, site.cell, site.line, what, cells))
            if site.name == "corr" and isinstance(statement, ast.Assign):
                corr_names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
    for cell, node in scope.nodes(ast.Attribute, ast.Subscript, ast.BinOp):
        where = frozenset({cell})
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and node.attr in _ATTRIBUTE_ASPECTS:
            for aspect in _ATTRIBUTE_ASPECTS[node.attr]:
                facts.add(Hit(aspect, cell, node.lineno, code.snippet(cell, node.lineno), where))
        elif (
            refs is not None
            and corr_names
            and isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id in corr_names
            and refs.mentioned(node.slice)
        ):
            facts.add(Hit(TARGET_RELATION, cell, node.lineno, code.snippet(cell, node.lineno), where))
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.BitOr | ast.BitAnd)
            and _range_check(node.left)
            and _range_check(node.right)
        ):
            # `(df.age < 18) | (df.age > 100)`: a validity range, the usual way to find impossible values.
            facts.add(Hit(OUTLIERS, cell, node.lineno, code.snippet(cell, node.lineno), where, Confidence.medium))
    facts.modelling_start = min(fit_cells) if fit_cells else None
    _figure_hits(seen, scope, facts)
    _output_hits(seen, facts)
    return facts


def _range_check(node: ast.AST) -> bool:
    """`df["age"] < 18`: a column compared with a number."""
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Lt | ast.Gt | ast.LtE | ast.GtE)
        and isinstance(node.left, ast.Subscript | ast.Attribute)
        and isinstance(node.comparators[0], ast.Constant)
        and isinstance(node.comparators[0].value, int | float)
    )


def _call_aspects(site: CallSite) -> tuple[str, ...]:
    name = site.name
    qual = site.qualname or ""
    if name == "info":
        # `df.info()`, not `logger.info("...")`
        if (
            site.receiver is None
            or qual.startswith("logging")
            or "log" in (site.receiver or "").lower()
            or any(isinstance(a, ast.Constant | ast.JoinedStr) for a in site.node.args)
        ):
            return ()
        return (SIZE, TYPES, MISSING)
    if name in _PROFILERS and (
        qual.startswith(("ydata_profiling", "pandas_profiling", "sweetviz", "skimpy", "dtale", "autoviz"))
        or name in ("ProfileReport", "profile_report")
    ):
        return _PROFILE_ASPECTS
    if qual.startswith("missingno."):
        return (MISSING,)
    if name in _CONSTRUCTORS:
        return _CONSTRUCTORS[name]
    if name == "len" and site.receiver is None and len(site.node.args) == 1 and isinstance(site.node.args[0], ast.Name):
        return (SIZE,)
    aspects = _METHOD_ASPECTS.get(name, ())
    if name in _COLUMN_STATS and "[[" in (site.receiver or ""):
        return (SUMMARY, *aspects)
    if not aspects:
        return ()
    if (
        name
        in (
            "head",
            "tail",
            "sample",
            "describe",
            "clip",
            "quantile",
            "between",
            "corr",
            "value_counts",
            "nunique",
            "unique",
            "duplicated",
            "drop_duplicates",
            "fillna",
            "dropna",
            "isna",
            "isnull",
            "notna",
            "notnull",
        )
        and site.receiver is None
        and not qual.startswith(("pandas", "numpy", "scipy"))
    ):
        return ()
    if name in ("sample",) and any(kw.arg == "frac" for kw in site.node.keywords):
        return ()
    return aspects


def _is_target_distribution(site: CallSite, refs: TargetRefs) -> bool:
    if site.name not in _TARGET_DISTRIBUTION:
        return False
    node = site.node
    if not refs.mentioned(node):
        return False
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            attr = inner.func.attr
            if attr in ("crosstab", "pivot_table", "corr", "corrwith"):
                return False
            # `groupby(feature)[target].mean()` relates a feature to the target.
            if attr == "groupby" and not all(refs.mentioned(a) for a in inner.args):
                return False
            # `df.loc[df[col].isna(), target].mean()` conditions the target on a feature.
            if attr in ("isna", "isnull", "notna", "between") and inner is not node:
                return False
    keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
    if "hue" in keywords and not refs.mentioned(keywords["hue"]):
        return False
    if site.name in ("scatter", "scatterplot", "barplot") or ("x" in keywords and "y" in keywords):
        return False
    # `sns.histplot(data=df, x="tenure", hue=TARGET)` mentions the target only as the hue: a relation.
    positional_or_axis = [*node.args, *(v for k, v in keywords.items() if k in ("x", "y", "a", "data"))]
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    return any(refs.mentioned(v) for v in positional_or_axis) or (receiver is not None and refs.mentioned(receiver))


def _is_target_relation(site: CallSite, refs: TargetRefs, statement: ast.stmt | None) -> bool:
    if site.name not in _RELATION:
        return False
    node = site.node
    keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
    if site.name in _SINGLE_VARIABLE_PLOTS and site.receiver in ("sns", "seaborn", "plt", None):
        # Only a relation when the target splits or sits against a feature.
        split = [keywords[k] for k in ("hue", "col", "row") if k in keywords]
        if any(refs.mentioned(v) for v in split):
            return True
        axes = [keywords[k] for k in ("x", "y") if k in keywords]
        return len(axes) == 2 and any(refs.mentioned(v) for v in axes)
    if site.name in (
        "mutual_info_classif",
        "mutual_info_regression",
        "f_classif",
        "f_regression",
        "chi2",
        "pointbiserialr",
        "pearsonr",
        "spearmanr",
        "kendalltau",
        "ttest_ind",
        "mannwhitneyu",
        "corrwith",
    ):
        return refs.mentioned(node)
    return statement is not None and refs.mentioned(statement)


def _figure_hits(seen: Observations, scope: Scopes, facts: EdaFacts) -> None:
    """Boxplots show outliers; heatmaps and pair plots of the data show correlations; missingno missing values."""
    for site in seen.code.calls:
        kinds = plot_kinds(site)
        if not kinds or PlotKind.evaluation in kinds:
            continue
        cells = frozenset(cells_of(site, scope))
        what = seen.code.snippet(site.cell, site.line)
        if site.name in ("boxplot", "box", "violinplot", "boxenplot") or (
            site.name == "plot"
            and any(
                isinstance(kw.value, ast.Constant) and kw.value.value == "box"
                for kw in site.node.keywords
                if kw.arg == "kind"
            )
        ):
            facts.add(Hit(OUTLIERS, site.cell, site.line, what, cells, Confidence.medium))
        if site.name in ("heatmap", "clustermap") and not _confusion_matrix(site.node):
            facts.add(Hit(CORRELATION, site.cell, site.line, what, cells, Confidence.medium))
        if PlotKind.missing in kinds:
            facts.add(Hit(MISSING, site.cell, site.line, what, cells))


_CONFUSION_NAME = re.compile(r"^(?:c_?m|conf\w*|confusion\w*|cm_\w+)$", re.IGNORECASE)


def _confusion_matrix(call: ast.Call) -> bool:
    """`sns.heatmap(confusion_matrix(...))` or `sns.heatmap(cm)` draws the model's errors, not correlations."""
    for arg in call.args[:1]:
        for node in ast.walk(arg):
            if isinstance(node, ast.Name) and _CONFUSION_NAME.match(node.id):
                return True
            if isinstance(node, ast.Call) and "confusion" in ast.unparse(node.func).lower():
                return True
    return False


_DESCRIBE_TEXT = re.compile(r"^\s*count\s.*\n\s*mean\s.*\n\s*std\s|^\s*count\s+mean\s+std\s+min\s", re.MULTILINE)
_DESCRIBE_HTML = re.compile(r">\s*std\s*<.*>\s*25%\s*<", re.DOTALL)
_INFO_TEXT = re.compile(r"Data columns \(total \d+ columns\)|Non-Null Count")


def _output_hits(seen: Observations, facts: EdaFacts) -> None:
    """Tables in the outputs count even when the code that printed them is out of sight (a helper module)."""
    target = seen.assignment.target if seen.assignment is not None else None
    for cell, _ in seen.output_cells():
        for output in cell.outputs:
            text = output.text
            html = output.html[:200_000]
            if _DESCRIBE_TEXT.search(text) or _DESCRIBE_HTML.search(html):
                facts.add(
                    Hit(
                        SUMMARY,
                        cell.index,
                        1,
                        excerpt(text or "summary statistics table"),
                        frozenset({cell.index}),
                        Confidence.medium,
                    )
                )
                # A summary table with the target's row or column shows its mean (the positive rate) and spread.
                # (Only before the first model: later, a column named like the target holds predictions.)
                named = target is not None and (
                    f">{target}<" in html or re.search(rf"(?<![\w.]){re.escape(target)}(?![\w.])", text) is not None
                )
                if named and eda_window(facts, cell.index):
                    facts.add(
                        Hit(
                            TARGET,
                            cell.index,
                            1,
                            excerpt(text or f"summary statistics of {target}"),
                            frozenset({cell.index}),
                            Confidence.medium,
                        )
                    )
            if _INFO_TEXT.search(text):
                for aspect in (SIZE, TYPES, MISSING):
                    facts.add(Hit(aspect, cell.index, 1, excerpt(text), frozenset({cell.index}), Confidence.medium))


def hit_evidence(ctx: CheckContext, hit: Hit, note: str | None = None) -> Evidence:
    """Evidence at the hit's code, with an excerpt of the output its cell printed, if any."""
    output_note = note
    shown = None
    for cell in sorted(hit.cells):
        best = ctx.outputs_of(cell)
        if best is not None and best[0].output_text.strip():
            shown = best
            break
    if shown is not None:
        text = excerpt(shown[0].output_text, 240)
        output_note = f"{note + '; ' if note else ''}output of cell {shown[0].index}: {text}"
    return ctx.evidence(hit.cell, hit.line, note=output_note)


def output_evidence(ctx: CheckContext, cell: int) -> Evidence | None:
    """Evidence of what a cell printed or drew (its most trusted outputs), if anything."""
    best = ctx.outputs_of(cell)
    if best is None:
        return None
    shown, source = best
    text = shown.output_text.strip()
    if not text:
        figures = ctx.narrative.figures.cells.get(cell)
        if figures is None or not figures.figures:
            return None
        text = f"{figures.figures} figure(s)"
    return ctx.evidence(cell, source=source, snippet=excerpt(text, 240))


def eda_window(facts: EdaFacts, cell: int) -> bool:
    """True when a cell sits in the exploratory part (before the first model is fitted)."""
    return facts.modelling_start is None or cell < facts.modelling_start


_LOADERS = (
    "read_csv",
    "read_parquet",
    "read_excel",
    "read_json",
    "read_feather",
    "read_table",
    "read_sql",
    "load_dataset",
    "loadtxt",
    "genfromtxt",
)


def load_evidence(ctx: CheckContext, note: str) -> Evidence:
    """Where a missing step was expected: just after the data is loaded (or the first code cell)."""
    sites = ctx.code.calls_named(*_LOADERS)
    if sites:
        return ctx.evidence(sites[0].cell, sites[0].line, note=note)
    first = next(ctx.notebook.code_cells(), None)
    return ctx.evidence(first.index if first else None, 1 if first else None, note=note)
