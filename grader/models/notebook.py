"""A flat, read-only view of one or more notebooks as numbered cells.

Cells from every notebook of a submission are numbered in order (the *global*
index), so evidence can point at "cell 12" whichever notebook it sits in.
`trusted_outputs` is the one rule for which outputs of a cell count: the checks
read them and the HTML report shows them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.models.execution import CellStatus
from grader.models.findings import EvidenceSource

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


@dataclass(frozen=True)
class Output:
    """One output of a cell, reduced to what checks read."""

    output_type: str
    text: str = ""
    mime_types: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    ename: str | None = None
    evalue: str | None = None

    @property
    def is_image(self) -> bool:
        return any(m in IMAGE_TYPES for m in self.mime_types)

    @property
    def html(self) -> str:
        value = self.data.get("text/html", "")
        return "".join(value) if isinstance(value, list) else str(value)

    def image_size(self) -> tuple[int, int] | None:
        """Pixel size of a PNG output, read from its header."""
        png = self.data.get("image/png")
        if not isinstance(png, str):
            return None
        try:
            head = base64.b64decode(png[:64])
        except ValueError:
            return None
        if head[:8] != b"\x89PNG\r\n\x1a\n":
            return None
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@dataclass(frozen=True)
class Cell:
    index: int
    notebook: str
    local_index: int
    cell_type: str
    source: str
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def is_code(self) -> bool:
        return self.cell_type == "code"

    @property
    def is_markdown(self) -> bool:
        return self.cell_type == "markdown"

    @property
    def output_text(self) -> str:
        return "\n".join(o.text for o in self.outputs if o.text)

    @property
    def lines(self) -> list[str]:
        return self.source.split("\n")

    @property
    def code_lines(self) -> list[str]:
        """The source lines that hold code: not blank, not a comment."""
        return [line for line in self.lines if line.strip() and not line.strip().startswith("#")]

    @property
    def never_run(self) -> bool:
        """A code cell submitted with no execution count and no output: it was not run before submission."""
        return self.is_code and self.execution_count is None and not self.outputs

    @property
    def saved_error(self) -> Output | None:
        """The traceback this cell's saved outputs end with, if it raised."""
        return next((o for o in self.outputs if o.output_type == "error"), None)


def _text_of(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return "" if value is None else str(value)


def _output(raw: dict[str, Any]) -> Output:
    kind = str(raw.get("output_type", ""))
    if kind == "stream":
        return Output(kind, text=_text_of(raw.get("text")), mime_types=("text/plain",))
    if kind == "error":
        text = ANSI.sub("", "\n".join(_text_of(t) for t in raw.get("traceback", []) or []))
        return Output(kind, text=text, ename=str(raw.get("ename", "")), evalue=ANSI.sub("", str(raw.get("evalue", ""))))
    data = raw.get("data", {}) or {}
    if not isinstance(data, dict):
        data = {}
    data = {k: (_text_of(v) if isinstance(v, list) else v) for k, v in data.items()}
    return Output(kind, text=_text_of(data.get("text/plain", "")), mime_types=tuple(sorted(data)), data=data)


def _coalesced(raw_outputs: Any) -> list[dict[str, Any]]:
    """Outputs with consecutive writes to the same stream joined into one.

    The kernel flushes a stream in chunks whose boundaries depend on timing (a loaded machine
    splits one `print` loop into several outputs); joining them makes the evidence the same
    however the run was scheduled.
    """
    joined: list[dict[str, Any]] = []
    for raw in raw_outputs or []:
        if not isinstance(raw, dict):
            continue
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and raw.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and raw.get("name") == previous.get("name")
        ):
            joined[-1] = {**previous, "text": _text_of(previous.get("text")) + _text_of(raw.get("text"))}
        else:
            joined.append(raw)
    return joined


@dataclass(frozen=True)
class NotebookView:
    """All cells of a submission's notebooks, in order."""

    cells: tuple[Cell, ...]
    notebooks: tuple[str, ...]

    @classmethod
    def from_nodes(cls, notebooks: Sequence[tuple[str, Any]]) -> NotebookView:
        """Build from (relative path, nbformat node) pairs in execution order."""
        cells: list[Cell] = []
        for rel, node in notebooks:
            for local, raw in enumerate(node.get("cells", [])):
                metadata = raw.get("metadata", {}) or {}
                cells.append(
                    Cell(
                        index=len(cells),
                        notebook=rel,
                        local_index=local,
                        cell_type=str(raw.get("cell_type", "")),
                        source=_text_of(raw.get("source", "")),
                        execution_count=raw.get("execution_count") if raw.get("cell_type") == "code" else None,
                        outputs=tuple(_output(o) for o in _coalesced(raw.get("outputs"))),
                        tags=tuple(str(t) for t in metadata.get("tags", []) or []),
                    )
                )
        return cls(cells=tuple(cells), notebooks=tuple(rel for rel, _ in notebooks))

    def code_cells(self) -> Iterator[Cell]:
        return (c for c in self.cells if c.is_code)

    def markdown_cells(self) -> Iterator[Cell]:
        return (c for c in self.cells if c.is_markdown)

    def global_index(self, notebook: str, local_index: int) -> int | None:
        for cell in self.cells:
            if cell.notebook == notebook and cell.local_index == local_index:
                return cell.index
        return None

    def __getitem__(self, index: int) -> Cell:
        return self.cells[index]

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def has_outputs(self) -> bool:
        return any(c.outputs for c in self.code_cells())

    @property
    def ran_before_submission(self) -> bool:
        """Some code cell carries an execution count: the notebook was not cleared as a whole."""
        return any(c.execution_count is not None for c in self.code_cells())


def trusted_outputs(
    status: CellStatus | None, *, rerun: bool, saved_output_types: Sequence[str]
) -> EvidenceSource | None:
    """Which outputs of a code cell to trust: the sandbox's, the ones saved in the submission, or none.

    `status` is the cell's status in the sandbox run (None: no record), `rerun` whether an
    executed copy of its notebook came back, `saved_output_types` the `output_type` of each
    output saved in the submission. The re-run wins when the cell ran cleanly; a cell that
    failed keeps its saved outputs when they show more than an error (marked as saved, so a
    reviewer knows they were not reproduced); otherwise the error is the evidence.
    """
    if rerun and status is CellStatus.ok:
        return EvidenceSource.output
    if rerun and status is CellStatus.error and all(kind == "error" for kind in saved_output_types):
        return EvidenceSource.output
    if saved_output_types:
        return EvidenceSource.saved_output
    return None
