"""The raters' label files (`bench/calibration/labels/<rater>.yaml`): model and loader.

One file per rater. Each notebook gets points per rubric criterion (within the rubric's maximum),
their total (which must equal the sum), a band, flags, the serious issues with the cell they sit
in, and a short rationale. See README.md in this folder for the format and an example.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: Points available per criterion in the default rubric (`rubrics/ml-takehome.yaml`); they add up to 100.
CRITERIA_MAX: dict[str, float] = {
    "eda": 14,
    "features": 12,
    "modeling": 13,
    "evaluation": 35,
    "quality_docs": 14,
    "execution": 12,
}
TOLERANCE = 1e-6


class LabelsError(Exception):
    """A label file is invalid; the message lists each problem with its place in the file."""


class Flag(StrEnum):
    """Problems that make a reported result untrustworthy (or unverifiable)."""

    leakage = "leakage"
    evaluation_on_training = "evaluation_on_training"
    test_set_selection = "test_set_selection"
    claim_unsupported = "claim_unsupported"
    unverified = "unverified"
    did_not_run = "did_not_run"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriterionPoints(_Strict):
    """Points per criterion, each between 0 and the criterion's maximum."""

    eda: float = Field(ge=0)
    features: float = Field(ge=0)
    modeling: float = Field(ge=0)
    evaluation: float = Field(ge=0)
    quality_docs: float = Field(ge=0)
    execution: float = Field(ge=0)

    @model_validator(mode="after")
    def _within_maximum(self) -> CriterionPoints:
        over = [
            f"{name} = {getattr(self, name):g} is above its maximum {maximum:g}"
            for name, maximum in CRITERIA_MAX.items()
            if getattr(self, name) > maximum + TOLERANCE
        ]
        if over:
            raise ValueError("; ".join(over))
        return self

    def total(self) -> float:
        return float(sum(getattr(self, name) for name in CRITERIA_MAX))


class SeriousIssue(_Strict):
    """One problem that makes the reported result untrustworthy, and the cell (1-based) it is in."""

    kind: Flag
    cell: int = Field(ge=1)
    note: str = Field(min_length=1)


class NotebookLabel(_Strict):
    """One rater's judgement of one notebook."""

    id: str = Field(min_length=1)
    criteria: CriterionPoints
    total: float = Field(ge=0, le=100)
    band: Literal["strong", "average", "weak"]
    flags: list[Flag] = []
    serious_issues: list[SeriousIssue] = []
    rationale: str = Field(min_length=1)

    @field_validator("flags")
    @classmethod
    def _no_repeats(cls, flags: list[Flag]) -> list[Flag]:
        repeated = sorted({str(flag) for flag in flags if flags.count(flag) > 1})
        if repeated:
            raise ValueError(f"flags repeated: {', '.join(repeated)}")
        return flags

    @model_validator(mode="after")
    def _consistent(self) -> NotebookLabel:
        summed = self.criteria.total()
        if abs(summed - self.total) > TOLERANCE:
            raise ValueError(f"total {self.total:g} does not equal the sum of the criteria ({summed:g})")
        unflagged = sorted({str(issue.kind) for issue in self.serious_issues} - {str(flag) for flag in self.flags})
        if unflagged:
            raise ValueError(f"serious_issues of kind {', '.join(unflagged)} need the same entry in flags")
        return self


class RaterLabels(_Strict):
    """A whole label file: one rater, many notebooks."""

    rater: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    notebooks: list[NotebookLabel] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> RaterLabels:
        ids = [label.id for label in self.notebooks]
        repeated = sorted({notebook_id for notebook_id in ids if ids.count(notebook_id) > 1})
        if repeated:
            raise ValueError(f"notebooks labelled twice: {', '.join(repeated)}")
        return self

    def by_id(self) -> dict[str, NotebookLabel]:
        return {label.id: label for label in self.notebooks}


def _where(raw: object, loc: tuple[int | str, ...]) -> str:
    """`notebooks[2] (titanic-03).criteria.eda` from a pydantic location."""
    parts: list[str] = []
    node = raw
    for key in loc:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict) and "id" in node[key]:
                label += f" ({node[key]['id']})"
            parts.append(label)
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(f".{key}" if parts else str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts) or "(file)"


def parse_labels(raw: object, source: str = "labels", known_ids: set[str] | None = None) -> RaterLabels:
    """Validate parsed YAML; raise `LabelsError` naming every problem and where it is."""
    try:
        labels = RaterLabels.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "enum":
                allowed = ", ".join(str(flag) for flag in Flag)
                message = f"unknown flag {error['input']!r}; known flags: {allowed}"
            elif error["type"] == "extra_forbidden":
                message = f"unknown key {error['loc'][-1]!r}"
            lines.append(f"  - {_where(raw, tuple(error['loc']))}: {message}")
        raise LabelsError(f"{source} is not a valid label file:\n" + "\n".join(lines)) from exc
    if known_ids is not None:
        unknown = sorted(set(labels.by_id()) - known_ids)
        if unknown:
            raise LabelsError(f"{source}: ids not in the corpus: {', '.join(unknown)}")
    return labels


def load_labels(path: Path, known_ids: set[str] | None = None) -> RaterLabels:
    """Read one rater's label file; `known_ids` (the corpus ids) rejects labels of unknown notebooks."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelsError(f"cannot read {path}: {exc}") from exc
    return parse_labels(raw, str(path), known_ids)
