"""What the web app is configured with: where its data lives, its limits, its workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.api import RUBRICS_DIR

REPO = RUBRICS_DIR.parent
DEFAULT_DATA_DIR = Path("grader-data")
DB_FILE = "grader.sqlite3"
#: Set to "module:callable" to grade with something other than the Docker sandbox (tests use a fake).
GRADER_FACTORY_ENV = "GRADER_WEB_GRADER_FACTORY"


@dataclass(frozen=True)
class UploadLimits:
    """Bounds on one upload, enforced while the request streams in (and on the unpacked zip)."""

    #: The whole request body: every file plus the multipart framing.
    max_request_bytes: int = 100 * 1024 * 1024
    max_files: int = 500
    max_file_bytes: int = 50 * 1024 * 1024
    #: What a zip may inflate to in total, and the compression ratio above which an entry is a bomb.
    max_expanded_bytes: int = 200 * 1024 * 1024
    max_ratio: float = 200.0
    #: Entries smaller than this are exempt from the ratio check (tiny files compress well).
    ratio_floor_bytes: int = 1024 * 1024
    max_field_bytes: int = 4096
    max_fields: int = 20


@dataclass(frozen=True)
class WebSettings:
    """Everything `create_app` needs; `grader serve` fills it from its options."""

    data_dir: Path = DEFAULT_DATA_DIR
    #: Folders holding an `assignment.yaml`, or holding such folders.
    assignment_dirs: tuple[Path, ...] = (REPO / "sample_datasets",)
    rubrics_dir: Path = RUBRICS_DIR
    workers: int = 1
    #: A running job's lease; its worker renews it every third of this.
    lease_seconds: float = 60.0
    #: How often idle workers look for jobs queued by another process or put back by the reaper.
    poll_seconds: float = 1.0
    #: A job whose grading killed the server this many times is failed instead of retried.
    max_attempts: int = 3
    secure_cookies: bool = False
    session_idle_seconds: float = 2 * 3600
    session_max_seconds: float = 12 * 3600
    limits: UploadLimits = field(default_factory=UploadLimits)
    #: "module:callable" returning a grader factory; None grades in the Docker sandbox.
    grader_factory: str | None = None
    #: A `postgresql://` URL; None keeps the SQLite file in `data_dir`.
    database: str | None = None
    #: A broker URL: `grader worker` hosts grade, and `workers` counts submissions in flight.
    broker: str | None = None
    #: The broker's result store, when the broker is not Redis.
    result_backend: str | None = None

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE
