"""What happened when the notebook ran in the sandbox."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from grader.models.runtime import ProfileChoice, ProfileRun


class CellStatus(StrEnum):
    ok = "ok"
    error = "error"
    timeout = "timeout"
    #: Never ran: the kernel died, the run timed out, or a limit stopped it earlier.
    not_executed = "not_executed"
    #: A shell line or magic the sandbox does not run (e.g. `!pip install`).
    skipped = "skipped"


class RunStatus(StrEnum):
    """How the sandbox run as a whole ended."""

    #: Every code cell ran without error.
    ok = "ok"
    #: The run finished but one or more cells raised.
    errors = "errors"
    timeout = "timeout"
    oom = "oom"
    kernel_died = "kernel_died"
    output_limit = "output_limit"
    disk_limit = "disk_limit"
    #: The sandbox itself failed (engine error, unreadable results).
    sandbox_error = "sandbox_error"
    #: Not executed at all (e.g. `grader lint`, or execution disabled).
    not_run = "not_run"

    @property
    def completed(self) -> bool:
        return self in {RunStatus.ok, RunStatus.errors}


class ErrorClass(StrEnum):
    """Triage of a failing cell: who is to blame."""

    environment = "environment"
    data = "data"
    candidate = "candidate"
    resources = "resources"
    sandbox = "sandbox"


class CellRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: Global code/markdown cell index across the submission's notebooks.
    index: int
    notebook: str
    local_index: int
    cell_type: str = "code"
    status: CellStatus
    duration_s: float | None = None
    execution_count: int | None = None
    error_name: str | None = None
    error_value: str | None = None
    traceback: str | None = None
    error_class: ErrorClass | None = None
    #: The earlier cell whose failure this one follows from (a `NameError` for a name it should have defined).
    caused_by: int | None = None
    #: Why the error class was chosen, when it is not obvious from the exception alone.
    triage_note: str | None = None
    #: The library change behind an environment failure (`pandas-3.0-str-dtype`; see `library_changes`).
    library_change: str | None = None
    output_bytes: int = 0
    outputs_truncated: bool = False


class DataRedirect(BaseModel):
    """A file read that pointed elsewhere and was redirected to a data file.

    `kind` is `redirect` (the read went to `resolved`), `shim` (a Colab `drive.mount` did
    nothing) or `separator` (a CSV read as one column: nothing was changed, it only
    explains the errors that follow). Recorded inside the candidate's kernel: evidence
    of lower standing, like the runtime trace.
    """

    model_config = ConfigDict(extra="forbid")

    requested: str
    resolved: str
    cell: int | None = None
    kind: str = "redirect"
    #: The call that read the file (`open`, `read_csv`, ...).
    via: str = ""
    detail: str = ""


class PackageStatus(StrEnum):
    """What became of one package a submission needs."""

    #: Already in the sandbox image.
    in_image = "in_image"
    #: Installed from a binary wheel into a derived image for this run.
    installed = "installed"
    #: The assignment's package policy does not allow it.
    not_allowed = "not_allowed"
    #: No binary wheel for the sandbox's platform (or no such package).
    no_wheel = "no_wheel"
    #: Its requirements clash with the versions the image pins.
    conflict = "conflict"
    #: Downloading or installing failed for another reason.
    failed = "failed"
    #: Not installed because execution was off (lint mode): only what the policy allows is known.
    not_attempted = "not_attempted"


class PackageRequest(BaseModel):
    """A package the submission needs, where the need was seen, and what the grader did about it."""

    model_config = ConfigDict(extra="forbid")

    #: Distribution name, normalised (`scikit-learn`).
    name: str
    #: Import names that led to it (`sklearn`), if any.
    imports: list[str] = []
    #: Where it was asked for: `requirements.txt`, `environment.yml`, `import in cell 3`, `helpers.py`.
    sources: list[str] = []
    #: The version specifier the candidate wrote, if any (`==1.7.6`).
    specifier: str = ""
    status: PackageStatus
    #: Version in the sandbox (image or derived image), when known.
    version: str | None = None
    detail: str = ""
    #: Global index of the first cell that imports it, for evidence.
    cell: int | None = None


class ExecutionRecord(BaseModel):
    """The per-run record; partial evidence survives a timeout, OOM or kernel death."""

    model_config = ConfigDict(extra="forbid")

    status: RunStatus
    reason: str = ""
    duration_s: float = 0.0
    cells: list[CellRecord] = []
    notebooks: list[str] = []
    image: str | None = None
    runtime: str | None = None
    limits: dict[str, Any] = {}
    exit_code: int | None = None
    oom_killed: bool = False
    #: `ok`, `failed: <why>` or `disabled`: whether the runtime trace can be trusted.
    tracing: str = "disabled"
    #: Files the notebook wrote that the grader collected (e.g. predictions.csv).
    collected_files: list[str] = []
    redirects: list[DataRedirect] = []
    #: Packages beyond the standard library the submission asked for or imported, and their fate.
    requested_packages: list[PackageRequest] = []
    skipped_lines: list[dict[str, Any]] = []
    packages: dict[str, str] = {}
    started_at: str | None = None
    startup_s: float | None = Field(default=None, description="container start-up overhead")
    #: The runtime profile of this run (`current`, `2024`, `2022`...), and why it was chosen.
    profile: str | None = None
    profile_choice: ProfileChoice | None = None
    #: Every run on a profile, the graded one included: a retry on an older profile shows here.
    profile_runs: list[ProfileRun] = []

    def cell(self, index: int) -> CellRecord | None:
        for record in self.cells:
            if record.index == index:
                return record
        return None
