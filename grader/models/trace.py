"""The runtime trace: what the candidate's code did with the data, as recorded in the sandbox.

The tracer (`grader/execution/executor/tracing.py`) writes one JSON line per call;
`grader.execution.trace.parse_trace` validates them into these models. Everything
here came from the candidate's process, so every field is bounded and optional:
a junk line is dropped, never trusted. Row sets are sketches of 64-bit row hashes
(`RowSet`), never data.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Name = Annotated[str, Field(max_length=200)]
Count = Annotated[int, Field(ge=0, le=10**12)]


class _Untrusted(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_max_length=2_000)


class RowSet(_Untrusted):
    """A sketch of the rows one call saw: sorted unique 64-bit hashes whose low bits are zero mod `k`."""

    id: int
    #: Rows in the object (duplicates included).
    n: Count
    #: Sampling modulus: 1 means every distinct row hash is kept.
    k: int = Field(ge=1, le=2**40)
    #: Hashes kept (little-endian uint64, sorted).
    data: bytes = b""

    @property
    def size(self) -> int:
        return len(self.data) // 8


class DataInfo(_Untrusted):
    """A data argument of a call: its shape, columns and fingerprints."""

    type: Name = ""
    shape: list[int | None] = Field(default=[], max_length=2)
    cols: list[Name] = Field(default=[], max_length=300)
    name: Name | None = None
    #: Row-content sketch (2-D data), through the lineage of earlier transforms.
    rows: int | None = None
    #: Sketch of the pandas index labels.
    index: int | None = None
    #: Transform events these rows went through.
    via: list[int] = Field(default=[], max_length=50)
    #: Digest of a 1-D vector's values (matches the same vector elsewhere).
    digest: Name | None = None
    #: (split seq, part) when the object is one a split returned.
    obj: list[int] | None = Field(default=None, max_length=2)

    @property
    def n_rows(self) -> int | None:
        return self.shape[0] if self.shape else None


class Probe(_Untrusted):
    """A column that alone predicts the target almost perfectly (in-sample)."""

    col: Name
    score: float
    kind: Name = ""
    metric: Name = ""


class TraceCall(_Untrusted):
    """An estimator method call: fit, transform, predict, score, resample..."""

    kind: Literal["call"] = "call"
    seq: int
    method: Name
    run: int = 0
    line: int | None = None
    cls: Name = ""
    module: Name = ""
    inst: int = 0
    gen: int = 0
    predictor: bool = False
    transformer: bool = False
    search: bool = False
    steps: list[Name] = Field(default=[], max_length=50)
    inner: Name | None = None
    inner_steps: list[Name] = Field(default=[], max_length=50)
    cv: dict[str, Any] | None = None
    x: DataInfo | None = None
    y: DataInfo | None = None
    out: dict[str, Any] = {}
    repr: Name = ""
    #: Small keyword arguments of the call.
    call_kwargs: dict[str, Any] = {}
    eval_set: list[DataInfo] = Field(default=[], max_length=4)
    early_stopping: bool = False
    features: list[Name] = Field(default=[], max_length=300)
    probe: list[Probe] = Field(default=[], max_length=20)
    best_params: dict[str, Any] = {}
    best_score: float | None = None
    value: float | None = None
    out_digests: list[Name] = Field(default=[], max_length=3)
    #: Global cell index, filled in by the parser from the execution record.
    cell: int | None = None

    @property
    def is_fit(self) -> bool:
        return self.method in ("fit", "partial_fit", "fit_transform", "fit_resample", "fit_predict")


class SplitPart(_Untrusted):
    input: DataInfo = DataInfo()
    train: DataInfo = DataInfo()
    test: DataInfo = DataInfo()
    time_spans: dict[Name, dict[str, list[Name]]] = Field(default={}, max_length=100)
    groups: dict[Name, dict[str, int]] = Field(default={}, max_length=100)
    #: Positions of the held-out rows in the input's order (`test_before_last_train`, `n_test`, `n_train`).
    order: dict[str, int] = Field(default={}, max_length=10)


class TraceSplit(_Untrusted):
    kind: Literal["split"] = "split"
    seq: int
    function: Name = "train_test_split"
    run: int = 0
    line: int | None = None
    shuffle: bool = True
    stratify: bool = False
    test_size: float | int | str | None = None
    parts: list[SplitPart] = Field(default=[], max_length=50)
    cell: int | None = None

    @property
    def features(self) -> SplitPart | None:
        """The first 2-D array of the split (the feature matrix)."""
        for part in self.parts:
            if part.test.rows is not None or len(part.test.shape) == 2:
                return part
        return self.parts[0] if self.parts else None


class Fold(_Untrusted):
    n_train: Count = 0
    n_test: Count = 0
    test_before_train_end: Count | None = None
    test: int | None = None


class TraceFolds(_Untrusted):
    """A splitter's `split()` iterated by the candidate's own loop."""

    kind: Literal["folds"] = "folds"
    seq: int
    cls: Name = ""
    run: int = 0
    line: int | None = None
    cv: dict[str, Any] | None = None
    x: DataInfo | None = None
    folds: list[Fold] = Field(default=[], max_length=50)
    cell: int | None = None


class TraceCV(_Untrusted):
    """A cross-validation helper (`cross_val_score`, `cross_validate`, `cross_val_predict`)."""

    kind: Literal["cv"] = "cv"
    seq: int
    function: Name = ""
    run: int = 0
    line: int | None = None
    cls: Name = ""
    steps: list[Name] = Field(default=[], max_length=50)
    x: DataInfo | None = None
    cv: dict[str, Any] | None = None
    groups: bool = False
    scores: list[float] = Field(default=[], max_length=100)
    cell: int | None = None


class PredictionRef(_Untrusted):
    digest: Name | None = None
    #: The predict call (seq) that produced these values.
    source: int | None = Field(default=None, alias="from")
    obj: list[int] | None = Field(default=None, max_length=2)


class TraceMetric(_Untrusted):
    kind: Literal["metric"] = "metric"
    seq: int
    function: Name = ""
    run: int = 0
    line: int | None = None
    y_true: DataInfo | None = None
    y_pred: PredictionRef | None = None
    value: float | None = None
    cell: int | None = None


class TraceStat(_Untrusted):
    """A pandas statistic (`mean`, `median`, `fillna`, group-by `transform`...) called from the notebook."""

    kind: Literal["stat"] = "stat"
    seq: int
    owner: Name = ""
    method: Name = ""
    run: int = 0
    line: int | None = None
    shape: list[int | None] = Field(default=[], max_length=2)
    index: int | None = None
    name: Name | None = None
    by: list[Name] = Field(default=[], max_length=5)
    value_type: Name | None = None
    value_from: int | None = None
    cell: int | None = None


class TraceDerive(_Untrusted):
    """A column assigned from a named series (`df["flag"] = df["reason"].notna()`): its runtime lineage."""

    kind: Literal["derive"] = "derive"
    seq: int
    run: int = 0
    line: int | None = None
    col: Name
    sources: list[Name] = Field(default=[], max_length=5)
    cell: int | None = None


TraceEvent = TraceCall | TraceSplit | TraceFolds | TraceCV | TraceMetric | TraceStat | TraceDerive


class NotebookTrace(_Untrusted):
    """The events of one notebook's kernel, in call order; ids and seqs are local to it."""

    notebook: Name
    events: list[TraceEvent] = []
    rowsets: dict[int, RowSet] = {}
    errors: list[Name] = Field(default=[], max_length=200)
    truncated: bool = False
    disabled: bool = False

    def rowset(self, rid: int | None) -> RowSet | None:
        return None if rid is None else self.rowsets.get(rid)

    def calls(self) -> list[TraceCall]:
        return [e for e in self.events if isinstance(e, TraceCall)]

    def splits(self) -> list[TraceSplit]:
        return [e for e in self.events if isinstance(e, TraceSplit)]

    def event(self, seq: int | None) -> TraceEvent | None:
        for event in self.events:
            if event.seq == seq:
                return event
        return None


class RuntimeTrace(BaseModel):
    """Everything the tracer recorded, validated; `usable` says whether checks may rely on it."""

    model_config = ConfigDict(frozen=True)

    usable: bool
    #: Why the trace is not usable, or notes (truncation, tracer errors).
    reason: str = ""
    notebooks: list[NotebookTrace] = []
    #: Lines dropped because they did not validate.
    rejected_lines: int = 0

    @property
    def events(self) -> list[TraceEvent]:
        return [event for notebook in self.notebooks for event in notebook.events]

    @classmethod
    def unusable(cls, reason: str) -> RuntimeTrace:
        return cls(usable=False, reason=reason)
