"""Which runtime profile a submission ran in, why, and what each run on a profile did."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class EvidenceKind(StrEnum):
    """Where a hint about the notebook's era came from."""

    #: A pin in `requirements*.txt`, `environment.yml` or a `!pip install` line.
    requirements = "requirements"
    #: The notebook's metadata (the Python version it last ran on).
    metadata = "metadata"
    #: A library version printed in a saved output (`pd.__version__`).
    printed_version = "printed_version"
    #: A deprecation warning or a library path in a saved output.
    saved_output = "saved_output"
    #: Code that uses an API that was removed (or added) at a known release.
    api = "api"
    #: A cell that failed on a library change when the notebook ran.
    failure = "failure"


class ProfileEvidence(BaseModel):
    """One hint at the library versions a notebook was written for: `low <= version < high`."""

    model_config = ConfigDict(extra="forbid")

    kind: EvidenceKind
    library: str
    #: Lowest version that fits (inclusive), e.g. `1.2`; None for no lower bound.
    low: str | None = None
    #: First version that no longer fits (exclusive), e.g. `2.0`; None for no upper bound.
    high: str | None = None
    weight: int = 1
    detail: str
    cell: int | None = None

    def bounds_text(self) -> str:
        """`pandas < 2.0`, `scikit-learn >= 1.2`, `1.3 <= pandas < 2.0`."""
        if self.low and self.high:
            return f"{self.low} <= {self.library} < {self.high}"
        if self.high:
            return f"{self.library} < {self.high}"
        return f"{self.library} >= {self.low}" if self.low else self.library


class ChoiceSource(StrEnum):
    """Who chose the profile of the graded run."""

    #: The assignment's `runtime:` names it (candidates were told).
    assignment = "assignment"
    #: The grader was told (`--profile`).
    option = "option"
    #: Inferred from the submission's evidence.
    inferred = "inferred"
    #: No evidence of another era: today's libraries.
    default = "default"
    #: Cells failed for environmental reasons and a re-run on another profile reproduced the notebook better.
    retry = "retry"


class ProfileChoice(BaseModel):
    """The profile the graded run used and why."""

    model_config = ConfigDict(extra="forbid")

    profile: str
    how: ChoiceSource
    reason: str
    #: pandas, scikit-learn, numpy... as the profile pins them.
    versions: dict[str, str] = {}
    evidence: list[ProfileEvidence] = []


class ProfileRun(BaseModel):
    """What one run of the submission on one profile did (the graded one and any other)."""

    model_config = ConfigDict(extra="forbid")

    profile: str
    graded: bool
    status: str
    duration_s: float = 0.0
    cells_ok: int = 0
    cells_failed: int = 0
    cells_not_run: int = 0
    #: Failed cells whose triage is `environment` and that do not follow from an earlier failure.
    environment_failures: int = 0
    #: Saved text outputs the run reproduced exactly.
    outputs_matched: int = 0
    #: `cell 4: TypeError: ... (environment: scikit-learn 1.4: ...)`.
    first_failure: str | None = None
    #: Why it was (or was not) graded, or why it was run.
    note: str = ""
