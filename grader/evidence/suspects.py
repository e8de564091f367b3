"""What a submission did with the assignment's suspect columns: used, kept out, compared, or questioned.

A suspect column (`assignment.suspect_columns`) carries a signal that is partly
recorded after the outcome. For each one this module decides, from the evidence:

- whether the column, or a feature built from it (a missing-value flag, a bucket),
  reaches a fitted model: from the runtime trace when the fitted estimators recorded
  their column names (high confidence), else from the static dataflow (lower);
- whether the notebook keeps it out on purpose: dropped by name for one model while
  another uses it (a with/without comparison);
- whether the prose (markdown, code comments, a README) questions it: names the
  column, or a feature built from it, next to the language of timing and leakage.

The check `EVAL007` turns this into findings; nothing here scores or renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grader.evidence.dataflow.values import Data, Site

# The dataflow's own test for "this column reaches the model's features"; shared with LEAK007.
from grader.evidence.leakage.target import uses_column, where_named
from grader.evidence.narrative.markdown import comment_lines, excerpt, markdown_lines
from grader.evidence.tracefacts import TraceFacts
from grader.models.assignment import SuspectColumn
from grader.models.trace import TraceCall

if TYPE_CHECKING:
    from grader.evidence.context import CheckContext

#: Language that questions when a value is recorded, or calls it a leak.
QUESTIONING = (
    r"leak\w*",
    r"post[- ]?(?:outcome|churn|event|cancell?ation|target|hoc)\w*",
    r"after (?:the )?(?:outcome|fact|event|churn\w*|cancell?\w*|(?:they|customers?|users?|people) (?:leave|left|churn\w*|cancel\w*|quit\w*))",
    r"before (?:they|customers?|users?|people|the customer) (?:leave|left|churn\w*|cancel\w*)",
    r"(?:not|n't|never|no longer) (?:be |yet )?(?:known|available|observed|observable|recorded)",
    r"(?:at|by) (?:the )?(?:time of |moment of )?prediction(?: time)?",
    r"(?:time|moment) of (?:the )?prediction",
    r"prediction[- ]time",
    r"(?:known|available) (?:only )?(?:at|when|before|after|until)",
    r"future (?:information|data|knowledge|values?)",
    r"look[- ]?ahead",
    r"revers\w* caus\w*",
    r"proxy (?:for|of) (?:the )?(?:target|outcome|label|churn\w*|fraud|answer)",
    r"target[- ]?(?:leak\w*|proxy)",
    r"suspicious\w*",
    r"too good to be true",
    r"recorded (?:after|once|when)",
    r"consequence of (?:the )?(?:churn\w*|leaving|cancell?\w*|outcome)",
    r"(?:caused|driven) by (?:the )?(?:churn\w*|outcome|cancell?\w*|leaving)",
)
_DUMMY = re.compile(r"^Dummy")
_BLOCK_START = re.compile(r"^\s*(?:(?:[-*+]|\d+[.)])\s+|\|)")


@dataclass(frozen=True)
class Mention:
    """A place in the prose that questions the column."""

    cell: int | None
    line: int | None
    text: str
    #: `markdown`, `comment` or a file name such as `README.md`.
    where: str


@dataclass
class SuspectUse:
    """One declared suspect column and what the submission did with it."""

    suspect: SuspectColumn
    #: True: reaches a model's features; False: kept out; None: the evidence cannot tell.
    used: bool | None = None
    #: Decided from the column names the fitted estimators recorded at run time.
    traced: bool = False
    #: The static analysis went through code it could not follow.
    uncertain: bool = False
    #: Model features that are the column or built from it (names as the model saw them, first ones).
    features: list[str] = field(default_factory=list)
    fit_cell: int | None = None
    fit_line: int | None = None
    estimator: str = ""
    #: Where the column is picked up for the model (a feature list, a drop that keeps it), if known.
    named_at: Site | None = None
    #: Features built from the column (a missing-value flag, a bucket) and where the code first names them.
    built_at: list[tuple[str, Site]] = field(default_factory=list)
    #: Where a model's features leave it out by name while another model uses it (a with/without comparison).
    compared_at: Site | None = None
    #: Where the column is dropped by name for every model (static analysis).
    dropped_at: Site | None = None
    questioned: list[Mention] = field(default_factory=list)

    @property
    def handled(self) -> bool:
        """Questioned in prose, kept out of the model, or compared with and without."""
        return bool(self.questioned) or self.used is False or self.compared_at is not None


def _questioning(extra: tuple[str, ...]) -> re.Pattern[str]:
    terms = QUESTIONING + tuple(re.escape(term) for term in extra)
    return re.compile(r"\b(?:" + "|".join(terms) + r")", re.IGNORECASE)


def _name_pattern(names: set[str]) -> re.Pattern[str]:
    """A column or feature name as written in prose: `last_login_days`, "last login days", "last login"."""
    spellings: set[str] = set()
    for name in names:
        spellings.add(re.escape(name))
        words = [w for w in re.split(r"[_\W]+", name) if w]
        if len(words) >= 2:
            spellings.add(r"[\s_-]*".join(re.escape(w) for w in words))
        if len(words) >= 3:
            spellings.add(r"[\s_-]*".join(re.escape(w) for w in words[:2]))
    ordered = sorted(spellings, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(ordered) + r")(?![A-Za-z0-9])", re.IGNORECASE)


def _markdown_blocks(text: str) -> list[tuple[int, str]]:
    """(first line, text) of paragraphs and list items or table rows, each on its own."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(markdown_lines(text), start=1):
        if not line.strip() or _BLOCK_START.match(line):
            if current:
                blocks.append((start, " ".join(current)))
            current, start = ([line.strip()] if line.strip() else []), number
            continue
        if not current:
            start = number
        current.append(line.strip())
    if current:
        blocks.append((start, " ".join(current)))
    return blocks


def _comment_blocks(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Consecutive comment lines joined, so a remark over two lines is read as one."""
    blocks: list[tuple[int, str]] = []
    for number, text in lines:
        if blocks and number == blocks[-1][0] + len(blocks[-1][1].split("\n")):
            blocks[-1] = (blocks[-1][0], blocks[-1][1] + "\n" + text)
        else:
            blocks.append((number, text))
    return [(number, text.replace("\n", " ")) for number, text in blocks]


def questioning_mentions(
    ctx: CheckContext, names: set[str], *, extra_terms: tuple[str, ...] = (), limit: int = 3
) -> list[Mention]:
    """Prose that names one of `names` and questions it (timing, leakage, suspicion)."""
    named, questioning = _name_pattern(names), _questioning(extra_terms)
    found: list[Mention] = []

    def scan(blocks: list[tuple[int, str]], cell: int | None, where: str) -> None:
        for line, text in blocks:
            if len(found) < limit and named.search(text) and questioning.search(text):
                found.append(Mention(cell, line, excerpt(text, 240), where))

    for cell in ctx.notebook.cells:
        if cell.is_markdown:
            scan(_markdown_blocks(cell.source), cell.index, "markdown")
        elif cell.is_code:
            scan(_comment_blocks(comment_lines(cell)), cell.index, "comment")
    for path, text in sorted(ctx.submission.texts.items()):
        if path.lower().endswith((".md", ".txt", ".rst")):
            scan(_markdown_blocks(text), None, path)
    return found


def _aliases(ctx: CheckContext, column: str, *, only_from_it: bool = False) -> set[str]:
    """Features the notebook builds from the column (`no_app = df.last_login_days.isna()`).

    `only_from_it` keeps those built from this column alone: the names prose would use for it.
    """
    names = {column}
    for _, x, _ in ctx.dataflow.model_fits:
        for name, deps in x.derived:
            # Names the interpreter could not spell out (an f-string in a loop) come back empty.
            if len(name) >= 3 and column in deps and (deps == {column} or not only_from_it):
                names.add(name)
    return names


def _matches(feature: str, aliases: set[str]) -> bool:
    return any(re.search(rf"(?:^|_){re.escape(alias)}(?:$|_)", feature) for alias in aliases)


def _is_dummy(call: TraceCall) -> bool:
    """A baseline that ignores its features (`DummyClassifier`, or a pipeline or search around one)."""
    last = [call.cls, *call.steps[-1:], *([call.inner] if call.inner else []), *call.inner_steps[-1:]]
    return any(_DUMMY.match(name) for name in last)


def _fitted_models(facts: TraceFacts) -> list[TraceCall]:
    """Model fits whose recorded columns say what the model used.

    A search records the columns it was given; the pipelines it fits inside record what their
    model received, so in a cell with such pipelines the search itself is left out.
    """
    calls = [c for _, c in facts.calls() if c.is_fit and (c.predictor or c.search) and not _is_dummy(c)]
    piped = {c.cell for c in calls if c.steps and c.features and not c.search}
    return [c for c in calls if not (c.search and c.cell in piped)]


def _traced(use: SuspectUse, facts: TraceFacts, aliases: set[str]) -> None:
    """Decide from the column names the fitted models recorded; leaves `used` None when some had no names."""
    fitted = _fitted_models(facts)
    nameless = False
    for call in fitted:
        names = list(call.features) if call.features else list(call.x.cols if call.x else [])
        if not names:
            nameless = True
            continue
        hits = [n for n in names if _matches(n, aliases)]
        if hits:
            use.used, use.traced = True, True
            use.features = hits[:10]
            use.fit_cell, use.fit_line, use.estimator = call.cell, call.line, call.cls
            return
    if fitted and not nameless:
        use.used, use.traced = False, True
        use.fit_cell, use.fit_line, use.estimator = fitted[-1].cell, fitted[-1].line, fitted[-1].cls


def _explicitly_dropped(x: Data, aliases: set[str]) -> bool:
    return x.cols.mode == "all" and bool(aliases & x.cols.names)


def _drop_site(ctx: CheckContext, names: set[str], before: Site) -> Site | None:
    """The last line up to `before` that drops one of `names` by name (`drop(columns=[... "name" ...])`)."""
    quoted = re.compile(r"""(['"])(?:""" + "|".join(re.escape(n) for n in names) + r""")\1""")
    found = None
    for cell in ctx.notebook.code_cells():
        if cell.index > before.cell:
            break
        for number, line in enumerate(cell.lines, start=1):
            if cell.index == before.cell and number > before.line:
                break
            if "drop" in line and quoted.search(line):
                found = Site(cell.index, number, line.strip())
    return found


def _static(use: SuspectUse, ctx: CheckContext, aliases: set[str]) -> None:
    """Decide from the dataflow: which model fits' features include the column or a feature built from it."""
    column = use.suspect.column
    verdicts: list[bool | None] = []
    for fit, x, _ in ctx.dataflow.model_fits:
        if _DUMMY.match(fit.cls):
            continue
        used, via = uses_column(x, fit.est, column)
        if not used:
            # A missing-value flag built from the column and kept as its own feature still carries the signal.
            derived = sorted(n for n in aliases - {column} if x.cols.contains(n))
            if derived:
                used, via = True, derived
        verdicts.append(used)
        if used and use.used is not True:
            use.used = True
            use.features = [name for name in via if name][:10] or [column]
            use.fit_cell, use.fit_line, use.estimator = fit.site.cell, fit.site.line, fit.cls
            use.named_at = where_named(x, fit.est, column, via) or ctx.dataflow.mentions.get(column)
            use.uncertain = x.uncertain
            mentions = ctx.dataflow.mentions
            use.built_at = [(name, mentions[name]) for name in use.features if name != column and name in mentions][:3]
        elif used is False and _explicitly_dropped(x, aliases):
            use.dropped_at = use.dropped_at or _drop_site(ctx, aliases, fit.site) or x.cols_site or fit.site
    if use.used is True:
        if use.dropped_at is not None:
            use.compared_at, use.dropped_at = use.dropped_at, None
        return
    if verdicts and all(v is False for v in verdicts):
        use.used = False


def suspect_uses(ctx: CheckContext, *, extra_terms: tuple[str, ...] = ()) -> list[SuspectUse]:
    """For each declared suspect column: whether the models use it, and whether the prose questions it."""
    assignment = ctx.assignment
    if assignment is None:
        return []
    facts = ctx.trace_facts
    uses = []
    for suspect in assignment.suspect_columns:
        use = SuspectUse(suspect)
        aliases = _aliases(ctx, suspect.column)
        if facts is not None:
            _traced(use, facts, aliases)
        if use.used is None or (use.used is False and not use.traced):
            _static(use, ctx, aliases)
        elif use.used is True:
            # The trace proves the use; the dataflow may still show a deliberate with/without comparison.
            probe = SuspectUse(suspect)
            _static(probe, ctx, aliases)
            use.compared_at, use.named_at, use.built_at = probe.compared_at, probe.named_at, probe.built_at
        use.questioned = questioning_mentions(
            ctx, _aliases(ctx, suspect.column, only_from_it=True), extra_terms=extra_terms
        )
        uses.append(use)
    return uses
