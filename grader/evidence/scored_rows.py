"""Which rows each model's scores were computed on: rows it was fitted on, or rows it never saw.

Every score the dataflow records (a metric of a model's predictions, an estimator's
`.score`) belongs to one fitted version of one model. A score on rows that version was
fitted on measures memorisation; a held-out score measures generalisation. The static
dataflow decides from the rows each value holds (a split's sides, the data a search was
fitted on); when the notebook ran, the runtime trace decides instead, by comparing the
row fingerprints the scored call saw with those of the fit that made the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.evidence.dataflow.values import DataflowResult, Est, Eval, Fit, Tag
from grader.evidence.ml.vocabulary import EstKind, FitCategory
from grader.evidence.tracefacts import Overlap, TraceFacts, overlap
from grader.models.trace import DataInfo, NotebookTrace, TraceCall, TraceMetric

#: A score counts as on training rows when at least this share of its rows were fitted on, as held out below 1 - it.
SHARE = 0.9

_NOT_SCORED_MODELS = frozenset({FitCategory.clustering, FitCategory.decomposition})
#: Tags of rows taken out of a larger set: a split's side, a piece cut by a mask or a position.
_PIECES = frozenset({"part", "cut"})
#: Splits that record which rows went to each side.
_RANDOM_SPLITS = frozenset({"train_test_split", "splitter", "sample"})


@dataclass(frozen=True)
class TracedRows:
    """What the trace proved of one score: how many of its rows the model was fitted on."""

    rows: int
    fitted: Overlap
    fit_cell: int | None

    @property
    def on_training(self) -> bool:
        return self.rows > 0 and self.fitted.count >= SHARE * self.rows

    @property
    def held_out(self) -> bool:
        return self.rows > 0 and self.fitted.count <= (1 - SHARE) * self.rows


@dataclass(frozen=True)
class Score:
    """One score of one fitted model version."""

    eval: Eval
    on_training: bool
    #: The score's rows are the test (or validation) side of a split: it is presented as a held-out score.
    named_held_out: bool
    traced: TracedRows | None = None
    #: The scored rows hold the fitted rows and more (`model.predict(X)` on all rows after fitting on
    #: `X_train`): counted with the training scores, since most of what they measure is memorisation.
    mixed: bool = False


@dataclass(frozen=True)
class ScoredModel:
    """A fitted version of a model and the scores computed with it, split by the rows they used."""

    est: Est
    version: int
    fit: Fit | None
    training: tuple[Score, ...]
    held_out: tuple[Score, ...]

    @property
    def only_training(self) -> bool:
        return bool(self.training) and not self.held_out

    @property
    def first(self) -> Eval:
        scores = self.training or self.held_out
        return min((s.eval for s in scores), key=lambda e: (e.site.executed_cell, e.site.executed_line))

    @property
    def last(self) -> Eval:
        scores = self.training + self.held_out
        return max((s.eval for s in scores), key=lambda e: (e.site.executed_cell, e.site.executed_line))


def scored_models(flow: DataflowResult, facts: TraceFacts | None = None) -> list[ScoredModel]:
    """Every fitted model version that is scored, in the order of its first score."""
    traced = _traced_scores(facts) if facts is not None else {}
    grouped: dict[tuple[int, int], list[Eval]] = {}
    ests: dict[int, Est] = {}
    for evaluation in flow.evals.values():
        est = evaluation.est
        if est is None or not evaluation.tags or not _scored_model(est):
            continue
        grouped.setdefault((id(est), evaluation.version), []).append(evaluation)
        ests[id(est)] = est
    out: list[ScoredModel] = []
    for (key, version), evals in grouped.items():
        est = ests[key]
        fit = est.fits[version - 1] if 1 <= version <= len(est.fits) else None
        if fit is None:
            continue
        training: list[Score] = []
        held_out: list[Score] = []
        for evaluation in evals:
            score = _score(
                flow, fit, evaluation, traced.get((evaluation.site.executed_cell, evaluation.site.executed_line))
            )
            if score is None:
                continue
            (training if score.on_training else held_out).append(score)
        if training or held_out:
            out.append(ScoredModel(est, version, fit, tuple(training), tuple(held_out)))
    out.sort(key=lambda m: (m.first.site.executed_cell, m.first.site.executed_line))
    return out


def _scored_model(est: Est) -> bool:
    """A supervised predictor that learns from rows (not a clusterer, a decomposition or a dummy)."""
    if est.category in _NOT_SCORED_MODELS or est.cls.startswith("Dummy"):
        return False  # a dummy's training score is its held-out score: it learns no more than a constant
    return est.is_predictor or est.kind is EstKind.unknown


def _score(flow: DataflowResult, fit: Fit, evaluation: Eval, traced: list[TracedRows] | None) -> Score | None:
    named = any(side == "test" for _, side in flow.parts(evaluation.tags))
    if traced:
        decided = [t for t in traced if t.on_training or t.held_out]
        if decided:
            proof = decided[0]
            return Score(evaluation, proof.on_training, named, proof)
    if not fit.tags:
        return None
    on_training = all(flow.covers(fit.tags, tag) for tag in evaluation.tags)
    mixed = not on_training and not named and _all_rows_of(flow, evaluation.tags, fit.tags)
    return Score(evaluation, on_training or mixed, named, mixed=mixed)


def _all_rows_of(flow: DataflowResult, scored: frozenset[Tag], fitted: frozenset[Tag]) -> bool:
    """The scored rows are exactly the rows a split divided, and the fit used one side of it.

    `train_test_split(X, y)`, a fit on `X_train`, then `predict_proba(X)`: most scored rows were
    fitted on. Only splits that record both sides count (`train_test_split`, a splitter, `sample`):
    a piece cut by a mask the analysis could not place (a time cut-off's validation rows) resolves to
    the whole frame, which would look like "all the rows" when it is not.
    """
    if not scored or any(tag[0] in _PIECES for tag in scored):
        return False
    rows = flow.resolve(scored)
    for tag in fitted:
        split = flow.splits.get(tag[1]) if tag[0] == "part" else None
        if split is None or split.kind not in _RANDOM_SPLITS or flow.resolve(split.input_tags) != rows:
            return False
    return bool(fitted)


# --------------------------------------------------------------------------- the trace


def _traced_scores(facts: TraceFacts) -> dict[tuple[int, int], list[TracedRows]]:
    """For each (cell, line) where a model was scored, what share of the scored rows it was fitted on."""
    found: dict[tuple[int, int], list[TracedRows]] = {}
    for notebook, event in facts.events():
        scored: tuple[TraceCall, DataInfo] | None = None
        if isinstance(event, TraceCall) and event.method == "score" and event.predictor and event.x is not None:
            scored = (event, event.x)
        elif isinstance(event, TraceMetric) and event.y_pred is not None and event.y_pred.source is not None:
            source = notebook.event(event.y_pred.source)
            if isinstance(source, TraceCall) and source.x is not None:
                scored = (source, source.x)
        if scored is None or event.cell is None or event.line is None:
            continue
        call, rows = scored
        proof = _fitted_share(facts, notebook, call, rows)
        if proof is not None:
            found.setdefault((event.cell, event.line), []).append(proof)
    return found


def _fitted_share(facts: TraceFacts, notebook: NotebookTrace, call: TraceCall, rows: DataInfo) -> TracedRows | None:
    fit = facts.fit_of(notebook, call.inst, call.gen)
    if fit is None or fit.x is None or not rows.n_rows:
        return None
    for mine, theirs in ((rows.rows, fit.x.rows), (rows.index, fit.x.index)):
        shared = overlap(notebook.rowset(mine), notebook.rowset(theirs))
        if shared is not None:
            return TracedRows(rows.n_rows, shared, fit.cell)
    return None
