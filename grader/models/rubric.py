"""The YAML rubric: criteria, the checks behind them, points and scoring policies."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from grader.models.assignment import Strict


class AllOrNothing(Strict):
    """Full points when the check passes, none when it fails."""

    policy: Literal["all_or_nothing"] = "all_or_nothing"


class Proportional(Strict):
    """Points times the check's score (the fraction of its goal met)."""

    policy: Literal["proportional"] = "proportional"


class DeductPerSeverity(Strict):
    """Points minus a fixed deduction per problem finding, floored at zero."""

    policy: Literal["deduct_per_severity"] = "deduct_per_severity"
    high: float = Field(default=1.0, ge=0)
    medium: float = Field(default=0.5, ge=0)
    low: float = Field(default=0.25, ge=0)

    def per_finding(self, severity: str) -> float:
        """Points one finding of this severity costs."""
        return {"high": self.high, "medium": self.medium, "low": self.low}.get(severity, 0.0)


class MetricToPoints(Strict):
    """Linear map of the check's metric: `zero_at` gives 0 points, `full_at` gives all."""

    policy: Literal["metric_to_points"] = "metric_to_points"
    zero_at: float
    full_at: float

    @model_validator(mode="after")
    def _distinct(self) -> MetricToPoints:
        if self.zero_at == self.full_at:
            raise ValueError("zero_at and full_at must differ")
        return self


#: What a check with nothing to judge is worth (see `CheckRef.if_not_applicable`).
NotApplicable = Literal["exclude", "no_credit"]

ScoringPolicy = Annotated[
    AllOrNothing | Proportional | DeductPerSeverity | MetricToPoints,
    Field(discriminator="policy"),
]


def expand_scoring(data: Any) -> Any:
    """`scoring: proportional` is shorthand for `scoring: {policy: proportional}`."""
    if isinstance(data, dict) and isinstance(data.get("scoring"), str):
        data = {**data, "scoring": {"policy": data["scoring"]}}
    return data


class CheckRef(Strict):
    """One check inside a criterion, with its points and how they are earned."""

    #: A check id (`LEAK001`) or slug (`scaler-fit-before-split`).
    check: str
    points: float = Field(ge=0)
    scoring: ScoringPolicy = AllOrNothing()
    params: dict[str, Any] = {}
    #: When the check has nothing to judge (`not_applicable`): `exclude` takes its points out of the
    #: maximum (an absence is neither credit nor blame); `no_credit` keeps them in and earns none, for
    #: criteria that credit work done (a notebook with no learned preprocessing has built no pipeline).
    if_not_applicable: NotApplicable = "exclude"

    @model_validator(mode="before")
    @classmethod
    def _scoring_shorthand(cls, data: Any) -> Any:
        return expand_scoring(data)


class Criterion(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    description: str = ""
    points: float = Field(gt=0)
    checks: list[CheckRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _points_add_up(self) -> Criterion:
        total = sum(ref.points for ref in self.checks)
        if abs(total - self.points) > 1e-6:
            raise ValueError(
                f"criterion {self.id!r}: its checks' points add up to {total:g}, "
                f"but the criterion is worth {self.points:g}"
            )
        return self


class Band(Strict):
    name: str
    #: Lowest percentage of the total that earns this band.
    min_percent: float = Field(ge=0, le=100)


class ScoreCap(Strict):
    """A validity gate: a ceiling on the total and the band while a serious problem stands.

    A notebook that leaks the test set can still collect most points for tidy EDA and
    documentation; a gate keeps such a submission where a reviewer would put it, whatever
    the other points add up to. It is triggered by problem findings of a category or of
    named checks (ids or slugs), at or above a severity and a confidence; it holds the total
    at `max_percent` of the scored points and the band at `max_band`, and so the total also at
    the floor of the band above `max_band` (the lower ceiling wins). The report lists every gate
    that lowered the total or the band, with its reason, what it took and the findings behind it.
    """

    #: Problem findings of checks in this category trigger the gate ...
    category: str | None = None
    #: ... or of these checks (ids or slugs).
    checks: list[str] = []
    #: Checks of `category` that do not trigger it (ids or slugs; another gate may hold them more gently).
    excluding: list[str] = []
    #: The least severe finding that triggers it.
    min_severity: Literal["low", "medium", "high"] = "high"
    #: The least confident finding that triggers it (a name-based guess may be kept out).
    min_confidence: Literal["low", "medium", "high"] = "low"
    #: The highest percentage of the scored points the total may reach while triggered.
    max_percent: float | None = Field(default=None, ge=0, le=100)
    #: The highest band the submission may get while triggered (a band of the rubric).
    max_band: str | None = None
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _has_a_trigger_and_a_ceiling(self) -> ScoreCap:
        if self.category is None and not self.checks:
            raise ValueError("a cap needs a `category` or a list of `checks` that trigger it")
        if self.max_percent is None and self.max_band is None:
            raise ValueError("a cap needs a `max_percent`, a `max_band` or both")
        return self


class Rubric(Strict):
    """A whole rubric; `extends` lets a per-assignment rubric reuse another."""

    name: str
    version: str = "1"
    title: str = ""
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)
    bands: list[Band] = [
        Band(name="strong", min_percent=75),
        Band(name="average", min_percent=50),
        Band(name="weak", min_percent=0),
    ]
    #: Parameters applied to every check that accepts them (e.g. `primary_metric`).
    params: dict[str, Any] = {}
    #: Ceilings on the total while serious problems stand (e.g. data leakage).
    caps: list[ScoreCap] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"criterion ids must be unique; repeated: {duplicated}")
        return self

    @model_validator(mode="after")
    def _cap_bands_exist(self) -> Rubric:
        names = [b.name for b in self.bands]
        unknown = sorted({c.max_band for c in self.caps if c.max_band is not None and c.max_band not in names})
        if unknown:
            raise ValueError(f"caps name bands the rubric does not have: {unknown}; its bands: {names}")
        return self

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.criteria)

    def band_for(self, percent: float) -> str:
        """The name of the band a percentage of the total falls in."""
        return band_for(self.bands, percent)

    def band_rank(self, name: str) -> int:
        """A band's place from the bottom (0 for the lowest band; -1 for a name that is not a band)."""
        return band_rank(self.bands, name)

    def cap_ceiling(self, cap: ScoreCap) -> float:
        """The percentage a cap holds the total at: its `max_percent`, or the floor of the band above its `max_band` if lower."""
        return cap_ceiling(self.bands, cap)


def band_for(bands: list[Band], percent: float) -> str:
    """The name of the band a percentage falls in (the highest whose minimum it reaches)."""
    for band in sorted(bands, key=lambda b: b.min_percent, reverse=True):
        if percent >= band.min_percent:
            return band.name
    return bands[-1].name if bands else ""


def band_rank(bands: list[Band], name: str) -> int:
    """A band's place from the bottom (0 for the lowest band; -1 for a name that is not a band)."""
    ordered = [b.name for b in sorted(bands, key=lambda b: b.min_percent)]
    return ordered.index(name) if name in ordered else -1


def cap_ceiling(bands: list[Band], cap: ScoreCap) -> float:
    """The percentage a cap holds the total at: its `max_percent`, or the floor of the band above its `max_band` if lower."""
    ceiling = cap.max_percent if cap.max_percent is not None else 100.0
    if cap.max_band is not None:
        floor = next((b.min_percent for b in bands if b.name == cap.max_band), 0.0)
        above = [b.min_percent for b in bands if b.min_percent > floor]
        if above:
            ceiling = min(ceiling, min(above))
    return ceiling


# --------------------------------------------------------------------------- extending a rubric


class CheckChange(Strict):
    """A check inside a child rubric's criterion: changes to the parent's use of it, a new check, or a removal.

    Matched to the parent's checks by id (a slug names the same check as its id).
    """

    check: str
    points: float | None = Field(default=None, ge=0)
    scoring: ScoringPolicy | None = None
    #: Merged into the parent's parameters for this check.
    params: dict[str, Any] = {}
    if_not_applicable: NotApplicable | None = None
    #: Drop the check from the criterion.
    remove: bool = False

    @model_validator(mode="before")
    @classmethod
    def _scoring_shorthand(cls, data: Any) -> Any:
        return expand_scoring(data)


class CriterionChange(Strict):
    """A criterion in a child rubric: changes to the parent's criterion with this id, a new one, or a removal.

    An inherited criterion whose checks change and whose `points` are not given is worth the
    sum of its checks' points afterwards.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str | None = None
    description: str | None = None
    points: float | None = Field(default=None, gt=0)
    checks: list[CheckChange] = []
    remove: bool = False


class CheckOverride(Strict):
    """`overrides: {CHECK: ...}`: a change to a check wherever the parent uses it."""

    points: float | None = Field(default=None, ge=0)
    scoring: ScoringPolicy | None = None
    params: dict[str, Any] = {}
    if_not_applicable: NotApplicable | None = None

    @model_validator(mode="before")
    @classmethod
    def _scoring_shorthand(cls, data: Any) -> Any:
        return expand_scoring(data)


class RubricExtension(Strict):
    """A rubric file that `extends` another: only what differs from its parent.

    Top-level fields given replace the parent's (`params` are merged); `criteria` are
    merged by criterion id and, inside a criterion, by check id.
    """

    extends: str
    name: str | None = None
    version: str | None = None
    title: str | None = None
    description: str | None = None
    criteria: list[CriterionChange] = []
    bands: list[Band] | None = None
    params: dict[str, Any] = {}
    caps: list[ScoreCap] | None = None
    overrides: dict[str, CheckOverride] = {}
