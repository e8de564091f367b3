"""Figures: real figure outputs (PNG, SVG, Plotly) and plotting calls, their kind, and whether they are labelled."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from grader.evidence.code import CallSite
from grader.evidence.narrative.scopes import Scopes
from grader.models.findings import EvidenceSource
from grader.models.notebook import Output

if TYPE_CHECKING:
    from grader.evidence.context import Observations

FIGURE_MIME = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/svg+xml",
        "image/gif",
        "application/vnd.plotly.v1+json",
        "application/vnd.vegalite.v4+json",
        "application/vnd.vegalite.v5+json",
        "application/vnd.bokehjs_exec.v0+json",
    }
)
_FIGURE_REPR = re.compile(r"<Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with \d+ Axes>")


def figure_outputs(outputs: Iterable[Output]) -> int:
    """Real figures among a cell's outputs (a bare `<Figure ...>` repr counts when no image came with it)."""
    outputs = list(outputs)
    images = sum(1 for o in outputs if any(m in FIGURE_MIME for m in o.mime_types))
    if images:
        return images
    return sum(
        len(_FIGURE_REPR.findall(o.text)) for o in outputs if o.output_type in ("execute_result", "display_data")
    )


class PlotKind(StrEnum):
    """What a figure shows."""

    distribution = "distribution"
    relationship = "relationship"
    missing = "missing"
    evaluation = "evaluation"
    other = "other"


_SNS_DIST = {
    "histplot",
    "kdeplot",
    "displot",
    "distplot",
    "countplot",
    "ecdfplot",
    "rugplot",
    "boxplot",
    "violinplot",
    "boxenplot",
}
_SNS_REL = {
    "scatterplot",
    "pairplot",
    "heatmap",
    "regplot",
    "lmplot",
    "jointplot",
    "relplot",
    "lineplot",
    "clustermap",
    "barplot",
    "pointplot",
    "catplot",
    "stripplot",
    "swarmplot",
    "residplot",
    "PairGrid",
    "FacetGrid",
    "JointGrid",
}
_MPL_DIST = {"hist", "boxplot", "violinplot", "pie", "hist2d", "ecdf"}
_MPL_REL = {"scatter", "hexbin"}
_MPL_OTHER = {
    "plot",
    "bar",
    "barh",
    "imshow",
    "matshow",
    "errorbar",
    "fill_between",
    "step",
    "stackplot",
    "stem",
    "pcolormesh",
    "contour",
    "contourf",
    "area",
}
_PANDAS_KIND = {
    "hist": PlotKind.distribution,
    "box": PlotKind.distribution,
    "kde": PlotKind.distribution,
    "density": PlotKind.distribution,
    "pie": PlotKind.distribution,
    "bar": PlotKind.other,
    "barh": PlotKind.other,
    "scatter": PlotKind.relationship,
    "hexbin": PlotKind.relationship,
    "line": PlotKind.other,
    "area": PlotKind.other,
}
_PX_DIST = {"histogram", "box", "violin", "ecdf", "strip", "pie"}
_PX_REL = {"scatter", "scatter_matrix", "density_heatmap", "density_contour", "scatter_3d", "parallel_coordinates"}
_MSNO = {"matrix", "bar", "heatmap", "dendrogram"}
_EVAL_NAMES = {
    "from_estimator",
    "from_predictions",
    "plot_tree",
    "plot_importance",
    "summary_plot",
    "plot_confusion_matrix",
    "plot_roc_curve",
    "plot_precision_recall_curve",
    "plot_partial_dependence",
    "plot_metric",
    "force_plot",
    "waterfall",
    "beeswarm",
    "dependence_plot",
    "plot_learning_curve",
}
#: Calls that make a cell's figures about the model rather than the data.
_EVAL_CONTEXT = {
    "roc_curve",
    "precision_recall_curve",
    "confusion_matrix",
    "predict",
    "predict_proba",
    "decision_function",
    "learning_curve",
    "validation_curve",
    "calibration_curve",
    "permutation_importance",
    "classification_report",
    "roc_auc_score",
    "mean_absolute_error",
    "average_precision_score",
    "residuals",
    "cross_val_predict",
    "det_curve",
}
_EVAL_ATTRS = {"feature_importances_", "coef_", "cv_results_", "best_score_", "evals_result_"}
_LABEL_CALLS = {
    "title",
    "suptitle",
    "set_title",
    "xlabel",
    "ylabel",
    "set_xlabel",
    "set_ylabel",
    "set_titles",
    "set_axis_labels",
    "set_suptitle",
    "zlabel",
    "set_zlabel",
}
_LABEL_KWARGS = {
    "title",
    "xlabel",
    "ylabel",
    "xaxis_title",
    "yaxis_title",
    "title_text",
    "x_label",
    "y_label",
    "labels",
}


def plot_kinds(site: CallSite) -> set[PlotKind]:
    """What kind of plot a call draws; empty when it draws nothing."""
    qual = site.qualname or ""
    name = site.name
    node = site.node
    keywords = {kw.arg for kw in node.keywords if kw.arg}
    if qual.startswith("missingno.") and name in _MSNO:
        return {PlotKind.missing}
    if name in _EVAL_NAMES or (
        qual.startswith(("sklearn.metrics.", "sklearn.tree.plot", "shap."))
        and (name.startswith("plot") or name.endswith("Display") or name in _EVAL_NAMES)
    ):
        return {PlotKind.evaluation}
    if qual.startswith("seaborn.") or (qual == "" and site.receiver in ("sns", "seaborn")):
        if name in _SNS_DIST:
            kinds = {PlotKind.distribution}
            has_x = "x" in keywords or bool(node.args)
            if "hue" in keywords or (name in ("boxplot", "violinplot", "boxenplot") and has_x and "y" in keywords):
                kinds.add(PlotKind.relationship)
            return kinds
        if name in _SNS_REL:
            return {PlotKind.relationship}
        return set()
    if qual.startswith(("plotly.express.", "plotly.graph_objects.", "plotly.graph_objs.")):
        if name in _PX_DIST or name in ("Histogram", "Box", "Violin"):
            return {PlotKind.distribution}
        if name in _PX_REL or name in ("Scatter", "Heatmap", "Splom"):
            return {PlotKind.relationship}
        if name in ("bar", "line", "imshow", "Bar", "Figure", "area", "sunburst", "treemap"):
            return {PlotKind.other}
        return set()
    if qual in ("pandas.plotting.scatter_matrix", "pandas.plotting.parallel_coordinates") or name == "scatter_matrix":
        return {PlotKind.relationship}
    if qual.startswith(("scipy.stats.probplot", "statsmodels.graphics", "statsmodels.api.qqplot")) or name in (
        "probplot",
        "qqplot",
    ):
        return {PlotKind.distribution}
    receiver = site.receiver or ""
    if qual.startswith("matplotlib.") or (site.receiver is not None and site.qualname is None):
        return _method_plot_kinds(site, receiver, keywords)
    return set()


def _method_plot_kinds(site: CallSite, receiver: str, keywords: set[str]) -> set[PlotKind]:
    name = site.name
    # `df.plot.hist()`, `df["x"].plot.box()`
    if receiver.endswith(".plot") or receiver == "plot":
        kind = _PANDAS_KIND.get(name)
        if kind is not None:
            return {_refine(kind, receiver)}
        return set()
    if name == "plot":
        kind_node = None
        for kw in site.node.keywords:
            if kw.arg == "kind":
                kind_node = kw.value
        if isinstance(kind_node, ast.Constant) and isinstance(kind_node.value, str):
            return {_refine(_PANDAS_KIND.get(kind_node.value, PlotKind.other), receiver)}
        if "x" in keywords and "y" in keywords:
            return {PlotKind.relationship}
        return {_refine(PlotKind.other, receiver)}
    if name in _MPL_DIST:
        kinds = {PlotKind.distribution}
        if name == "boxplot" and ("by" in keywords or ("column" in keywords and "by" in keywords)):
            kinds.add(PlotKind.relationship)
        return kinds
    if name in _MPL_REL:
        return {PlotKind.relationship}
    if name in _MPL_OTHER:
        if receiver.endswith(("str", "np", "numpy")) or receiver.startswith(("'", '"', "f'", 'f"')):
            return set()
        return {_refine(PlotKind.other, receiver)}
    return set()


def _refine(kind: PlotKind, receiver: str) -> PlotKind:
    """A bar chart of `value_counts()` is a distribution; a plot of a groupby or `corr()` a relationship."""
    if kind != PlotKind.other:
        return kind
    if "value_counts" in receiver or "isna" in receiver or "isnull" in receiver:
        return PlotKind.distribution
    if "groupby" in receiver or "corr" in receiver or "crosstab" in receiver or "pivot" in receiver:
        return PlotKind.relationship
    return kind


def is_label_call(site: CallSite) -> bool:
    """`plt.title`, `ax.set_xlabel`, `ax.set(title=...)`, `fig.update_layout(title=...)`, `df.plot(title=...)`."""
    name = site.name
    receiver = site.receiver or ""
    if name in _LABEL_CALLS:
        # `s.str.title()` capitalises strings; it labels nothing.
        return not (name == "title" and (receiver.endswith("str") or receiver.startswith(("'", '"', "f'", 'f"'))))
    if name in ("set", "update_layout", "update_xaxes", "update_yaxes", "update", "opts", "properties"):
        return any(kw.arg in _LABEL_KWARGS for kw in site.node.keywords)
    return any(kw.arg in ("title", "xlabel", "ylabel") for kw in site.node.keywords) and name not in (
        "legend",
        "text",
        "annotate",
        "DataFrame",
        "Series",
        "print",
    )


@dataclass
class FigureCell:
    """One code cell's plotting: calls, figures shown, and whether they are labelled."""

    index: int
    kinds: set[str] = field(default_factory=set)
    #: (line, short description) of the plotting calls made by this cell, helpers included.
    calls: list[tuple[int, int, str]] = field(default_factory=list)
    labelled: bool = False
    evaluation: bool = False
    #: Figures in the cell's outputs (sandbox outputs when it ran, else saved ones).
    figures: int = 0
    source: EvidenceSource | None = None
    #: No outputs to look at (cleared notebook, not run): figures are inferred from the calls.
    inferred: bool = False

    @property
    def shows_figures(self) -> bool:
        return self.figures > 0 or (self.inferred and bool(self.kinds - {PlotKind.evaluation}))

    @property
    def eda(self) -> bool:
        """A figure about the data (not the model)."""
        return self.shows_figures and not self.evaluation and PlotKind.evaluation not in self.kinds


@dataclass(frozen=True)
class FigureFacts:
    cells: dict[int, FigureCell]
    has_outputs: bool

    def eda_cells(self) -> list[FigureCell]:
        return [c for c in self.cells.values() if c.eda]

    @property
    def eda_figures(self) -> int:
        return sum(max(c.figures, 1) for c in self.eda_cells())


def figure_facts(seen: Observations, scope: Scopes) -> FigureFacts:
    """Plotting calls (credited through helper functions) and figure outputs, by cell."""
    code = seen.code
    cells: dict[int, FigureCell] = {}

    def entry(index: int) -> FigureCell:
        if index not in cells:
            cells[index] = FigureCell(index)
        return cells[index]

    # Flags of user functions, then credited to every cell that calls them.
    func_kinds: dict[str, set[str]] = {}
    func_labels: set[str] = set()
    func_eval: set[str] = set()
    func_calls: dict[str, list[tuple[int, int, str]]] = {}
    for site in code.calls:
        kinds = plot_kinds(site)
        label = is_label_call(site)
        evaluation = site.name in _EVAL_CONTEXT or site.name in _EVAL_NAMES
        if not (kinds or label or evaluation):
            continue
        owner = scope.function_of.get(id(site.node))
        where = (site.cell, site.line, _describe(site))
        if owner is not None:
            func_kinds.setdefault(owner, set()).update(kinds)
            if kinds:
                func_calls.setdefault(owner, []).append(where)
            if label:
                func_labels.add(owner)
            if evaluation:
                func_eval.add(owner)
            continue
        if kinds or label or evaluation:
            item = entry(site.cell)
            item.kinds |= kinds
            if kinds:
                item.calls.append(where)
            item.labelled |= label
            item.evaluation |= evaluation
    for owner in set(func_kinds) | func_labels | func_eval:
        for cell in scope.called_from_cells.get(owner, ()):
            item = entry(cell)
            item.kinds |= func_kinds.get(owner, set())
            item.calls.extend(func_calls.get(owner, []))
            item.labelled |= owner in func_labels
            item.evaluation |= owner in func_eval
    for cell_index, node in scope.nodes(ast.Attribute):
        if cell_index in cells and isinstance(node, ast.Attribute) and node.attr in _EVAL_ATTRS:
            cells[cell_index].evaluation = True
    has_outputs = False
    for code_cell in seen.notebook.code_cells():
        best = seen.outputs_of(code_cell.index)
        if best is None:
            if code_cell.index in cells:
                cells[code_cell.index].inferred = True
            continue
        has_outputs = True
        shown, source = best
        count = figure_outputs(shown.outputs)
        if count:
            item = entry(code_cell.index)
            item.figures = count
            item.source = source
    return FigureFacts(cells, has_outputs)


def _describe(site: CallSite) -> str:
    if site.receiver:
        return f"{site.receiver}.{site.name}(...)"
    return f"{site.name}(...)"
