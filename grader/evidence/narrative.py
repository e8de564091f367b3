"""Pure helpers over a notebook's narrative and figures, shared by the EDA, docs and quality checks.

Markdown: prose without syntax, headings, words, the language of reasoning and of
findings. Code scopes: which user function a call sits in, so that work done in
a helper (`def plot_dist(df, col): ...`) is credited to the cells that call it.
Figures: real figure outputs (PNG, SVG, Plotly) and plotting calls, what kind of
plot they are and whether they carry a title or axis labels.

Everything here is linear in the size of the notebook. Results are cached on the
context (`cached`), so several checks share one computation per submission.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from grader.evidence.code import CallSite, CodeIndex
from grader.models.findings import EvidenceSource
from grader.models.notebook import Cell, NotebookView, Output

if TYPE_CHECKING:
    from grader.evidence.context import CheckContext

T = TypeVar("T")

_CACHE_KEY = "_shared_analysis"


def cached(ctx: CheckContext, key: str, build: Callable[[CheckContext], T]) -> T:
    """Compute `build(ctx)` once per context; checks of one submission share the result."""
    store = ctx.extras.setdefault(_CACHE_KEY, {})
    if key not in store:
        store[key] = build(ctx)
    return store[key]  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- markdown

_FENCE = re.compile(r"```.*?(```|$)|~~~.*?(~~~|$)", re.DOTALL)
_HTML_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{1,400}>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)([^*_]{2,80})(\*\*|__)\s*:?\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?%?")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s+")


@dataclass(frozen=True)
class Heading:
    cell: int
    line: int
    level: int
    text: str
    #: A short line in bold standing alone: structure without `#`, weaker than a real heading.
    bold: bool = False


def markdown_lines(text: str) -> list[str]:
    """Markdown without fenced code, images and HTML tags; links reduced to their text."""
    text = _FENCE.sub("", text)
    text = _HTML_HEADING.sub(lambda m: "#" * int(m.group(1)) + " " + _TAG.sub("", m.group(2)), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    return text.split("\n")


def headings_in(cell: Cell) -> list[Heading]:
    """Headings of one markdown cell: ATX (`## x`), setext (underlined) and HTML `<h2>`."""
    found: list[Heading] = []
    lines = markdown_lines(cell.source)
    for number, line in enumerate(lines, start=1):
        atx = _ATX.match(line)
        if atx and atx.group(2).strip():
            found.append(Heading(cell.index, number, len(atx.group(1)), atx.group(2).strip()))
            continue
        if (
            number > 1
            and _SETEXT.match(line)
            and lines[number - 2].strip()
            and not _LIST_OR_QUOTE.match(lines[number - 2])
            and not _ATX.match(lines[number - 2])
        ):
            level = 1 if line.strip().startswith("=") else 2
            found.append(Heading(cell.index, number - 1, level, lines[number - 2].strip()))
            continue
        bold = _BOLD_LINE.match(line)
        if bold and len(bold.group(2).split()) <= 10:
            found.append(Heading(cell.index, number, 6, bold.group(2).strip(), bold=True))
    return found


def prose(text: str) -> str:
    """The running text of a markdown cell: no headings, code, tags or markup characters."""
    lines = markdown_lines(text)
    kept = []
    for number, line in enumerate(lines):
        if _ATX.match(line) or _SETEXT.match(line) or _BOLD_LINE.match(line):
            continue
        if number + 1 < len(lines) and _SETEXT.match(lines[number + 1]) and line.strip():
            continue
        kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"[*_`|>#]+", " ", text)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def prose_words(cell: Cell) -> int:
    """How many words of running text a markdown cell holds (headings excluded)."""
    return len(words(prose(cell.source))) if cell.is_markdown else 0


def excerpt(text: str, width: int = 200) -> str:
    """A one-line excerpt for evidence."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _terms(*patterns: str) -> re.Pattern[str]:
    """One regex for many terms, grouped by first letter: Python tries alternatives one by one."""
    groups: dict[str, list[str]] = {}
    for pattern in patterns:
        head = pattern[0].lower() if pattern[0].isalpha() else ""
        groups.setdefault(head, []).append(pattern[1:] if head else pattern)
    parts = [f"[{h}{h.upper()}](?:{'|'.join(rest)})" if h else "|".join(rest) for h, rest in sorted(groups.items())]
    return re.compile(r"\b(?:" + "|".join(parts) + r")", re.IGNORECASE)


#: Language that gives a reason or weighs options, not only narrates what the code does.
REASONING = _terms(
    r"because\b",
    r"since\b",
    r"so that\b",
    r"in order to\b",
    r"trade[- ]?offs?\b",
    r"chose\b",
    r"choose\b",
    r"chosen\b",
    r"choice\b",
    r"instead of\b",
    r"rather than\b",
    r"assum\w*",
    r"to avoid\b",
    r"avoids?\b",
    r"prevents?\b",
    r"to reduce\b",
    r"account for\b",
    r"given that\b",
    r"due to\b",
    r"therefore\b",
    r"thus\b",
    r"hence\b",
    r"which means\b",
    r"means that\b",
    r"prefer\w*",
    r"motivat\w*",
    r"rational\w*",
    r"justif\w*",
    r"the reason\b",
    r"reasons?\b",
    r"decid\w*",
    r"decision\w*",
    r"opt(?:ed)? for\b",
    r"better suited\b",
    r"more robust\b",
    r"robust to\b",
    r"otherwise\b",
    r"so (?:the|I|we|a|an|each|it|this|these|they|our|no|not|only)\b",
    r"ensures?\b",
    r"caveats?\b",
    r"risks?\b",
    r"leak\w*",
    r"over-?fit\w*",
    r"makes sense\b",
    r"worth\b",
    r"safer\b",
    r"not\s+\w+\s+enough\b",
    r"would\s+(?:otherwise|inflate|bias|hurt|leak)\w*",
    r"to keep\b",
    r"to make sure\b",
    r"as a result\b",
    r"that is why\b",
    r"this is why\b",
    r"which is why\b",
    # terse reasons in bullet lists: "drop hour (already in is_weekend)", "customer_rating: mostly missing"
    r"already\b",
    r"redundant\b",
    r"too (?:many|few|sparse|noisy|slow|small|large)\b",
    r"(?:mostly|largely) (?:missing|empty)\b",
    r"more than \d+\s?% (?:missing|empty)",
    r"not (?:available|known)\b",
    r"only (?:known|available)\b",
    r"as (?:it|they) (?:is|are|was|were)\b",
)

#: Language that reports an observation about the data.
OBSERVATION = _terms(
    r"shows?\b",
    r"suggests?\b",
    r"indicates?\b",
    r"skew\w*",
    r"imbalanc\w*",
    r"correlat\w*",
    r"outliers?\b",
    r"missing\b",
    r"most\b",
    r"majority\b",
    r"minority\b",
    r"higher\b",
    r"lower\b",
    r"more likely\b",
    r"less likely\b",
    r"distribut\w*",
    r"notice\w*",
    r"observ\w*",
    r"appears?\b",
    r"looks?\b",
    r"seems?\b",
    r"clear\w*",
    r"strong\w*",
    r"weak\w*",
    r"few\b",
    r"rare\w*",
    r"tail\b",
    r"spike\w*",
    r"peak\w*",
    r"duplicat\w*",
    r"roughly\b",
    r"about\b",
    r"around\b",
    r"\d+(?:\.\d+)?\s?%",
)

NEXT_STEPS = _terms(
    r"next steps?\b",
    r"future\b",
    r"further\b",
    r"with more time\b",
    r"given more time\b",
    r"if I had\b",
    r"improv\w*",
    r"limitations?\b",
    r"next\s*[.:]",
    r"would (?:probably |also |first )?(?:like|try|add|explore|investigate|use|need|want|help|test|validate)\b",
    r"could (?:try|add|explore|investigate|use|be)\b",
    r"to do\b",
    r"todo\b",
    r"follow[- ]?up\b",
    r"recommend\w*",
    r"monitor\w*",
    r"in production\b",
    r"deploy\w*",
    r"extend\w*",
    r"open questions?\b",
    r"caveats?\b",
    r"worth (?:trying|exploring|investigating)\b",
)

#: Metric names and numbers: what a conclusion that reports results mentions.
RESULTS = _terms(
    r"auc\b",
    r"roc\b",
    r"f1\b",
    r"precision\b",
    r"recall\b",
    r"accuracy\b",
    r"average precision\b",
    r"ap\b",
    r"mae\b",
    r"rmse\b",
    r"mse\b",
    r"r2\b",
    r"r²",
    r"r-squared\b",
    r"log[- ]?loss\b",
    r"score\w*",
    r"error\b",
    r"baseline\b",
    r"outperform\w*",
    r"best model\b",
    r"final model\b",
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s?%|(?<![\w.])0?\.\d+|(?<![\w.])\d+\.\d+")

CONCLUSION_HEADING = _terms(
    r"conclu\w*",
    r"summary\b",
    r"summar\w*",
    r"results?\b",
    r"findings\b",
    r"takeaways?\b",
    r"key points\b",
    r"next steps?\b",
    r"recommendations?\b",
    r"wrap[- ]?up\b",
    r"final thoughts\b",
    r"discussion\b",
    r"limitations\b",
    r"outcome\w*",
    r"tl;?dr\b",
)


@dataclass(frozen=True)
class MarkdownFacts:
    """Per markdown cell: prose words, headings, and which kinds of language it uses."""

    words: dict[int, int]
    headings: list[Heading]
    reasoning: dict[int, list[str]]
    observation: dict[int, list[str]]


def markdown_facts(ctx: CheckContext) -> MarkdownFacts:
    return cached(ctx, "markdown", lambda c: _markdown_facts(c.notebook))


def _markdown_facts(view: NotebookView) -> MarkdownFacts:
    counts: dict[int, int] = {}
    headings: list[Heading] = []
    reasoning: dict[int, list[str]] = {}
    observation: dict[int, list[str]] = {}
    for cell in view.markdown_cells():
        text = prose(cell.source)
        counts[cell.index] = len(words(text))
        headings.extend(headings_in(cell))
        reasons = [m.group(0) for m in REASONING.finditer(text)]
        if reasons:
            reasoning[cell.index] = reasons
        seen = [m.group(0) for m in OBSERVATION.finditer(text)]
        if seen:
            observation[cell.index] = seen
    return MarkdownFacts(counts, headings, reasoning, observation)


def comment_lines(cell: Cell) -> list[tuple[int, str]]:
    """(line, text) of `#` comments in a code cell, found with a cheap scan (no tokenizer)."""
    found = []
    for number, line in enumerate(cell.lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("#!"):
            found.append((number, stripped.lstrip("#").strip()))
        elif " # " in line and line.count('"') % 2 == 0 and line.count("'") % 2 == 0:
            found.append((number, line.split(" # ", 1)[1].strip()))
    return found


# --------------------------------------------------------------------------- code scopes


@dataclass(frozen=True)
class Scopes:
    """One pass over every cell's syntax tree, shared by the checks that would otherwise each walk it.

    Which user-defined function each call sits in and who calls those functions; the
    innermost statement and the parent of every node; the nodes of each type, in
    notebook order; the names the code reads.
    """

    #: id(ast.Call) -> name of the innermost enclosing user function (absent: top level of its cell).
    function_of: dict[int, str]
    #: User function name -> (cell, line) of its definition.
    definitions: dict[str, tuple[int, int]]
    #: User function -> user functions it calls.
    calls_between: dict[str, set[str]]
    #: User function -> cells whose top-level code calls it, directly or through other functions.
    called_from_cells: dict[str, set[int]]
    #: id(ast.Call) -> innermost statement holding the call.
    statement_of: dict[int, ast.stmt]
    #: id(node) -> its parent node.
    parent: dict[int, ast.AST] = field(default_factory=dict)
    #: Node type -> (cell, node) in notebook order.
    by_type: dict[type, list[tuple[int, ast.AST]]] = field(default_factory=dict)
    #: Every name the code loads (reads).
    names_read: frozenset[str] = frozenset()

    def nodes(self, *types: type) -> list[tuple[int, ast.AST]]:
        """(cell, node) of the given node types; one type keeps notebook order."""
        if len(types) == 1:
            return self.by_type.get(types[0], [])
        return sorted(
            (item for t in types for item in self.by_type.get(t, [])),
            key=lambda item: (item[0], getattr(item[1], "lineno", 0), getattr(item[1], "col_offset", 0)),
        )

    def enclosing(self, node: ast.AST, *types: type) -> ast.AST | None:
        """The nearest ancestor of one of these types."""
        current = self.parent.get(id(node))
        while current is not None and not isinstance(current, types):
            current = self.parent.get(id(current))
        return current


def scopes(ctx: CheckContext) -> Scopes:
    return cached(ctx, "scopes", lambda c: build_scopes(c.code))


def build_scopes(code: CodeIndex) -> Scopes:
    function_of: dict[int, str] = {}
    definitions: dict[str, tuple[int, int]] = {}
    statement_of: dict[int, ast.stmt] = {}
    parent: dict[int, ast.AST] = {}
    by_type: dict[type, list[tuple[int, ast.AST]]] = {}
    names: set[str] = set()
    for cell in code.parsed():
        assert cell.tree is not None
        index = cell.index
        # One depth-first pass with an explicit stack: (node, enclosing function, enclosing statement).
        stack: list[tuple[ast.AST, str | None, ast.stmt | None]] = [(cell.tree, None, None)]
        visited: list[tuple[int, ast.AST]] = []
        while stack:
            node, function, statement = stack.pop()
            visited.append((index, node))
            if isinstance(node, ast.stmt):
                statement = node
            elif isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    names.add(node.id)
                continue
            if isinstance(node, ast.Call):
                if function is not None:
                    function_of[id(node)] = function
                if statement is not None:
                    statement_of[id(node)] = statement
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                definitions.setdefault(node.name, (index, node.lineno))
                function = node.name
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.expr_context):
                    continue
                if isinstance(value, ast.AST):
                    parent[id(value)] = node
                    stack.append((value, function, statement))
                elif isinstance(value, list):
                    for item in reversed(value):
                        if isinstance(item, ast.AST):
                            parent[id(item)] = node
                            stack.append((item, function, statement))
        for item in sorted(visited, key=lambda v: (getattr(v[1], "lineno", 0), getattr(v[1], "col_offset", 0))):
            by_type.setdefault(type(item[1]), []).append(item)
    calls_between: dict[str, set[str]] = {name: set() for name in definitions}
    direct_cells: dict[str, set[int]] = {name: set() for name in definitions}
    for site in code.calls:
        if site.receiver is not None or site.name not in definitions or site.qualname is not None:
            continue
        owner = function_of.get(id(site.node))
        if owner is None:
            direct_cells[site.name].add(site.cell)
        elif owner != site.name:
            calls_between[owner].add(site.name)
    # A function called by a function is reached from every cell that reaches its caller.
    called_from = {name: set(cells) for name, cells in direct_cells.items()}
    for _ in range(len(definitions)):
        changed = False
        for caller, callees in calls_between.items():
            for callee in callees:
                before = len(called_from[callee])
                called_from[callee] |= called_from[caller]
                changed |= len(called_from[callee]) != before
        if not changed:
            break
    return Scopes(function_of, definitions, calls_between, called_from, statement_of, parent, by_type, frozenset(names))


def cells_of(site: CallSite, scope: Scopes) -> set[int]:
    """The cells whose run executes this call: its own cell, or the cells calling its function."""
    owner = scope.function_of.get(id(site.node))
    if owner is None:
        return {site.cell}
    return set(scope.called_from_cells.get(owner, ()))


# --------------------------------------------------------------------------- target mentions


_Y_NAME = re.compile(
    r"^(?:y|target|label|labels|targets)(?:_?(?:train|tr|trn|test|te|val|valid|dev|hold\w*|full|"
    r"all|true|[0-9]))?$",
    re.IGNORECASE,
)
_SERIES_TAIL = {"values", "to_numpy", "astype", "map", "copy", "ravel", "to_frame", "squeeze", "reset_index"}


@dataclass
class TargetRefs:
    """How the assignment's target appears in the code: the literal, string aliases, series aliases."""

    target: str
    #: Names bound to the target's column name (`TARGET = "churned"`).
    strings: set[str] = field(default_factory=set)
    #: Names bound to the target's values (`y = df["churned"]`, `y_train` from a split of `y`).
    series: set[str] = field(default_factory=set)

    def mentioned(self, node: ast.AST) -> bool:
        """True when the expression refers to the target column or its values."""
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant) and inner.value == self.target:
                return True
            if isinstance(inner, ast.Attribute) and (inner.attr == self.target or inner.attr.upper() in _TARGET_CONSTS):
                return True
            if isinstance(inner, ast.Name) and (
                inner.id in self.strings or inner.id in self.series or _Y_NAME.match(inner.id)
            ):
                return True
        return False

    def is_series(self, node: ast.AST) -> bool:
        """`df["churned"]`, `df.churned`, `df.pop(TARGET)`, `y`, with harmless tails like `.values`."""
        while True:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SERIES_TAIL:
                node = node.func.value
            elif isinstance(node, ast.Attribute) and node.attr in _SERIES_TAIL:
                node = node.value
            else:
                break
        if isinstance(node, ast.Subscript):
            key = node.slice
            return isinstance(key, ast.Constant | ast.Name | ast.Attribute) and self.mentioned(key)
        if isinstance(node, ast.Attribute):
            return node.attr == self.target
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop":
            return any(self.mentioned(a) for a in node.args)
        if isinstance(node, ast.Name):
            return node.id in self.series or bool(_Y_NAME.match(node.id))
        return False


_TARGET_CONSTS = {"TARGET", "TARGET_COL", "TARGET_COLUMN", "TARGET_NAME", "LABEL", "LABEL_COL", "LABEL_COLUMN"}


def target_refs(ctx: CheckContext) -> TargetRefs | None:
    """The target's references in the code, or None when the assignment (and so the target) is unknown."""
    if ctx.assignment is None:
        return None
    target = ctx.assignment.target
    return cached(ctx, "target_refs", lambda c: _target_refs(scopes(c), target))


def _target_refs(index: Scopes, target: str) -> TargetRefs:
    refs = TargetRefs(target)
    for _, node in index.nodes(ast.Assign):
        assert isinstance(node, ast.Assign)
        value = node.value
        names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if isinstance(value, ast.Constant) and value.value == target:
            refs.strings.update(names)
        elif (
            len(node.targets) == 1
            and isinstance(node.targets[0], ast.Tuple)
            and isinstance(value, ast.Call)
            and _call_name(value) == "train_test_split"
        ):
            elements = node.targets[0].elts
            for k, arg in enumerate(value.args):
                if refs.is_series(arg):
                    refs.series.update(e.id for e in elements[2 * k : 2 * k + 2] if isinstance(e, ast.Name))
        elif names and refs.is_series(value):
            refs.series.update(names)
    return refs


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


# --------------------------------------------------------------------------- figures

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


def figure_facts(ctx: CheckContext) -> FigureFacts:
    return cached(ctx, "figures", _figure_facts)


def _figure_facts(ctx: CheckContext) -> FigureFacts:
    code = ctx.code
    scope = scopes(ctx)
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
    for code_cell in ctx.notebook.code_cells():
        best = ctx.outputs_of(code_cell.index)
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


def group_blocks(view: NotebookView, cells: Iterable[int]) -> list[list[int]]:
    """Group code cells into blocks: consecutive ones with no markdown cell between them."""
    blocks: list[list[int]] = []
    for cell in sorted(set(cells)):
        if blocks and not any(view[i].is_markdown for i in range(blocks[-1][-1] + 1, cell)):
            blocks[-1].append(cell)
        else:
            blocks.append([cell])
    return blocks


def adjacent_markdown(view: NotebookView, first: int, last: int) -> tuple[list[Cell], list[Cell]]:
    """The run of markdown cells right above `first` and the run right below `last` (no code between)."""
    above: list[Cell] = []
    index = first - 1
    while index >= 0 and view[index].is_markdown:
        above.insert(0, view[index])
        index -= 1
    below: list[Cell] = []
    index = last + 1
    while index < len(view) and view[index].is_markdown:
        below.append(view[index])
        index += 1
    return above, below
