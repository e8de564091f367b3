"""The notebook as executed, cell by cell, ready for the report template.

Cells carry the global index evidence uses (`cell-<index>` anchors), their run
status from the execution record, highlighted code with the lines findings point
at marked, and outputs rendered from an allow-list of MIME types. A cell that did
not run in the sandbox shows the submission's saved outputs, clearly marked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer

from grader.models.execution import CellRecord, ExecutionRecord, RunStatus
from grader.models.findings import EvidenceSource
from grader.models.notebook import trusted_outputs
from grader.rendering.sanitize import clean_html, image_data_uri, markdown_html, strip_ansi
from grader.report.redact import redact

#: Output MIME types we render, richest first; anything else is named but not shown.
MIME_PREFERENCE = (
    "image/png",
    "image/jpeg",
    "image/svg+xml",
    "text/html",
    "text/markdown",
    "application/json",
    "text/plain",
)
COLLAPSE_LINES = 30
COLLAPSE_CHARS = 4_000
MAX_TEXT_CHARS = 60_000
MAX_HTML_CHARS = 300_000
MAX_CODE_CHARS = 200_000


@dataclass
class OutputView:
    """One rendered output; exactly one of `text`, `html`, `src` is used, by `kind`."""

    kind: str  # text | stderr | error | html | image | json | omitted
    mime: str = ""
    text: str = ""
    html: Markup | None = None
    src: str = ""
    title: str = ""
    lines: int = 0
    collapsed: bool = False
    truncated: bool = False


@dataclass
class CellMark:
    """A finding that points at a cell, shown in the cell's header."""

    anchor: str
    check_id: str
    severity: str
    message: str
    where: str


@dataclass
class CellView:
    index: int
    notebook: str
    local_index: int
    cell_type: str
    source_html: Markup
    status: str | None = None
    duration_s: float | None = None
    execution_count: int | None = None
    #: The count saved in the submitted notebook (how the candidate last ran it).
    saved_count: int | None = None
    error_name: str | None = None
    error_value: str | None = None
    error_class: str | None = None
    traceback: str | None = None
    outputs: list[OutputView] = field(default_factory=list)
    #: `sandbox` (re-run), `submission` (saved, not reproduced) or `none`.
    outputs_from: str = "none"
    outputs_truncated: bool = False
    marks: list[CellMark] = field(default_factory=list)
    severity: str | None = None


@dataclass
class NotebookSection:
    path: str
    cells: list[CellView]
    #: `executed`, `submitted` (never run in the sandbox) or `missing`.
    origin: str


# --------------------------------------------------------------------------- code


class _CellFormatter(HtmlFormatter):  # type: ignore[misc]  # Pygments ships no type hints
    """Pygments HTML with one span per line, line numbers, and marks on the lines evidence points at."""

    def __init__(self, marks: Mapping[int, str], **options: Any) -> None:
        super().__init__(**options)
        self._marks = marks

    def wrap(self, source: Iterator[tuple[int, str]]) -> Iterator[tuple[int, str]]:
        yield 0, '<pre class="code"><code>'
        number = 0
        for kind, line in source:
            if kind != 1:
                yield kind, line
                continue
            number += 1
            severity = self._marks.get(number)
            css = f"line mark mark-{severity}" if severity else "line"
            body = line[:-1] if line.endswith("\n") else line
            yield 1, f'<span class="{css}" data-line="{number}"><span class="lno">{number}</span>{body}</span>\n'
        yield 0, "</code></pre>"


@lru_cache(maxsize=1)
def _lexer() -> Lexer:
    # stripnl=False keeps leading blank lines, so evidence line numbers stay aligned with the source.
    try:
        from ipython_pygments_lexers import IPython3Lexer

        return IPython3Lexer(stripnl=False, ensurenl=False)
    except ImportError:  # pragma: no cover - the IPython lexer ships with ipykernel
        from pygments.lexers import PythonLexer

        return PythonLexer(stripnl=False, ensurenl=False)


def highlight_code(source: str, marks: Mapping[int, str] | None = None) -> Markup:
    """Highlighted code, one `<span class="line">` per line; `marks` maps 1-based lines to a severity."""
    if not source.strip():
        return Markup('<pre class="code empty"><code>(empty cell)</code></pre>')
    clipped = source[:MAX_CODE_CHARS]
    html = highlight(clipped, _lexer(), _CellFormatter(marks or {}))
    if len(source) > MAX_CODE_CHARS:
        html += f'<p class="muted">… {len(source) - MAX_CODE_CHARS:,} more characters not shown</p>'
    # Pygments escapes every token; the wrapper markup is ours.
    return Markup(html)


def code_stylesheet(scope: str = ".code") -> str:
    """Pygments token colours, scoped to our code blocks and to markdown code blocks."""
    return str(HtmlFormatter(style="default").get_style_defs([scope, ".md .highlight"]))


# --------------------------------------------------------------------------- outputs


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return "" if value is None else str(value)


def _text_view(kind: str, text: str, *, blind: bool, mime: str = "text/plain") -> OutputView:
    text = strip_ansi(text)
    if blind:
        text = redact(text)
    truncated = len(text) > MAX_TEXT_CHARS
    if truncated:
        text = text[:MAX_TEXT_CHARS]
    lines = text.count("\n") + 1
    collapsed = lines > COLLAPSE_LINES or len(text) > COLLAPSE_CHARS
    return OutputView(kind=kind, mime=mime, text=text, lines=lines, collapsed=collapsed, truncated=truncated)


def _rich_view(data: Mapping[str, Any], *, blind: bool, cell: int) -> OutputView:
    for mime in MIME_PREFERENCE:
        if mime not in data:
            continue
        value = data[mime]
        if mime.startswith("image/"):
            src = image_data_uri(mime, value)
            if src is not None:
                return OutputView(kind="image", mime=mime, src=src, title=f"Figure from cell {cell}")
            continue
        if mime == "text/html":
            html = _text(value)
            if len(html) > MAX_HTML_CHARS:
                continue  # fall back to text/plain rather than cut HTML in half
            cleaned = clean_html(html, blind=blind)
            return OutputView(
                kind="html", mime=mime, html=cleaned, collapsed=len(cleaned) > 12_000, lines=cleaned.count("<tr")
            )
        if mime == "text/markdown":
            return OutputView(kind="html", mime=mime, html=markdown_html(_text(value), blind=blind))
        if mime == "application/json":
            try:
                text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
            except (TypeError, ValueError):
                text = _text(value)
            return _text_view("json", text, blind=blind, mime=mime)
        return _text_view("text", _text(value), blind=blind)
    shown = ", ".join(sorted(str(k) for k in data)[:5])
    return OutputView(kind="omitted", text=f"output of type {shown or 'unknown'} is not shown in reports")


def output_views(outputs: Sequence[Any], *, blind: bool = False, cell: int = 0) -> list[OutputView]:
    """Outputs of one cell, rendered from the MIME allow-list (metadata is never copied)."""
    views = []
    for raw in outputs:
        if not isinstance(raw, Mapping):
            continue
        kind = str(raw.get("output_type", ""))
        if kind == "stream":
            name = "stderr" if raw.get("name") == "stderr" else "text"
            views.append(_text_view(name, _text(raw.get("text")), blind=blind))
        elif kind == "error":
            trace = "\n".join(_text(t) for t in raw.get("traceback", []) or [])
            view = _text_view("error", trace or f"{raw.get('ename', '')}: {raw.get('evalue', '')}", blind=blind)
            headline = strip_ansi(f"{raw.get('ename', '')}: {raw.get('evalue', '')}")[:500]
            view.title = redact(headline) if blind else headline
            views.append(view)
        elif kind in ("execute_result", "display_data"):
            data = raw.get("data")
            if isinstance(data, Mapping) and data:
                views.append(_rich_view(data, blind=blind, cell=cell))
    return views


# --------------------------------------------------------------------------- notebooks


def _offsets(notebooks: Sequence[str], nodes: Mapping[str, Any], record: ExecutionRecord) -> dict[str, int]:
    """The global index of each notebook's first cell.

    The record's cells know their global index, so a notebook we cannot show does
    not shift the numbering of the ones after it.
    """
    known: dict[str, int] = {}
    for cell in record.cells:
        offset = cell.index - cell.local_index
        known[cell.notebook] = min(offset, known.get(cell.notebook, offset))
    offsets = {}
    running = 0
    for path in notebooks:
        offsets[path] = known.get(path, running)
        node = nodes.get(path)
        count = len(node.get("cells", [])) if node is not None else 0
        running = offsets[path] + count
    return offsets


def _status_of(record: CellRecord | None, run: ExecutionRecord) -> str | None:
    if record is None:
        return None
    if run.status is RunStatus.not_run:
        return "not run"
    return record.status.value.replace("_", " ")


def notebook_sections(
    record: ExecutionRecord,
    notebooks: Sequence[str],
    executed: Mapping[str, Any],
    submitted: Mapping[str, Any],
    *,
    marks: Mapping[int, list[CellMark]] | None = None,
    line_marks: Mapping[int, Mapping[int, str]] | None = None,
    blind: bool = False,
) -> list[NotebookSection]:
    """Every notebook of the submission, as executed where possible, cell by cell."""
    marks = marks or {}
    line_marks = line_marks or {}
    nodes = {p: executed.get(p) or submitted.get(p) for p in notebooks}
    offsets = _offsets(notebooks, nodes, record)
    sections = []
    for path in notebooks:
        node = nodes.get(path)
        if node is None:
            sections.append(NotebookSection(path=path, cells=[], origin="missing"))
            continue
        origin = "executed" if path in executed else "submitted"
        saved = submitted.get(path)
        saved_cells = list(saved.get("cells", [])) if saved is not None else []
        cells = []
        for local, raw in enumerate(node.get("cells", [])):
            index = offsets[path] + local
            saved_cell = saved_cells[local] if local < len(saved_cells) else None
            cells.append(
                _cell_view(
                    raw,
                    saved_cell,
                    index,
                    path,
                    local,
                    record,
                    origin=origin,
                    blind=blind,
                    marks=marks.get(index, []),
                    line_marks=line_marks.get(index, {}),
                )
            )
        sections.append(NotebookSection(path=path, cells=cells, origin=origin))
    return sections


def _cell_view(
    raw: Mapping[str, Any],
    saved: Mapping[str, Any] | None,
    index: int,
    path: str,
    local: int,
    run: ExecutionRecord,
    *,
    origin: str,
    blind: bool,
    marks: list[CellMark],
    line_marks: Mapping[int, str],
) -> CellView:
    cell_type = str(raw.get("cell_type", ""))
    source = _text(raw.get("source", ""))
    severity = max((m.severity for m in marks), key=_SEVERITY_ORDER.index, default=None)
    if cell_type == "markdown":
        attachments = raw.get("attachments") if isinstance(raw.get("attachments"), Mapping) else None
        return CellView(
            index=index,
            notebook=path,
            local_index=local,
            cell_type=cell_type,
            source_html=markdown_html(source, attachments=attachments, blind=blind),
            marks=marks,
            severity=severity,
        )
    if cell_type != "code":
        text = redact(source) if blind else source
        return CellView(
            index=index,
            notebook=path,
            local_index=local,
            cell_type=cell_type or "raw",
            source_html=Markup('<pre class="raw">{}</pre>').format(text),
            marks=marks,
            severity=severity,
        )
    record = run.cell(index)
    view = CellView(
        index=index,
        notebook=path,
        local_index=local,
        cell_type="code",
        source_html=highlight_code(source, line_marks),
        status=_status_of(record, run),
        marks=marks,
        severity=severity,
    )
    if saved is not None and isinstance(saved.get("execution_count"), int):
        view.saved_count = saved["execution_count"]
    if record is not None:
        view.duration_s = record.duration_s
        view.execution_count = record.execution_count
        view.error_name = record.error_name
        view.error_value = redact(record.error_value or "") if blind else record.error_value
        view.error_class = record.error_class.value if record.error_class else None
        view.outputs_truncated = record.outputs_truncated
    saved_outputs = [o for o in (saved.get("outputs", []) or []) if isinstance(o, Mapping)] if saved is not None else []
    trusted = trusted_outputs(
        record.status if record is not None else None,
        rerun=origin == "executed" and run.status is not RunStatus.not_run,
        saved_output_types=[str(o.get("output_type", "")) for o in saved_outputs],
    )
    if trusted is EvidenceSource.output:
        view.outputs = output_views(raw.get("outputs", []) or [], blind=blind, cell=index)
        view.outputs_from = "sandbox" if view.outputs else "none"
        has_error_output = any(o.kind == "error" for o in view.outputs)
        if record is not None and record.traceback and not has_error_output:
            trace = strip_ansi(record.traceback)
            view.traceback = redact(trace) if blind else trace
    elif trusted is EvidenceSource.saved_output:
        view.outputs = output_views(saved_outputs, blind=blind, cell=index)
        view.outputs_from = "submission" if view.outputs else "none"
    return view


_SEVERITY_ORDER = ["info", "low", "medium", "high"]
