"""Read a `.py` script as a notebook: `# %%` cells (percent format) or one plain cell.

Used by `grader lint` on scripts and by the check examples, which are written as
readable percent-format files. `# %% [markdown]` cells hold markdown as comments.
"""

from __future__ import annotations

import re

import nbformat

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_MARKDOWN = re.compile(r"\[(markdown|md)\]", re.IGNORECASE)


def _markdown(lines: list[str]) -> str:
    out = []
    for line in lines:
        if line.startswith("# "):
            out.append(line[2:])
        elif line.strip() == "#":
            out.append("")
        else:
            out.append(line.lstrip("#"))
    return "\n".join(out).strip("\n")


def script_to_notebook(text: str) -> nbformat.NotebookNode:
    """Split a script into notebook cells; a script without markers is one code cell."""
    nb: nbformat.NotebookNode = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    lines = text.replace("\r\n", "\n").split("\n")
    if not any(_MARKER.match(line) for line in lines):
        nb.cells.append(nbformat.v4.new_code_cell(text.strip("\n")))
        return nb
    chunks: list[tuple[bool, list[str]]] = []
    current: list[str] = []
    is_markdown = False
    started = False
    for line in lines:
        match = _MARKER.match(line)
        if match:
            if started or any(part.strip() for part in current):
                chunks.append((is_markdown, current))
            current = []
            is_markdown = bool(_MARKDOWN.search(match.group("rest")))
            started = True
            continue
        current.append(line)
    chunks.append((is_markdown, current))
    for markdown, body in chunks:
        source = _markdown(body) if markdown else "\n".join(body).strip("\n")
        if not source.strip():
            continue
        nb.cells.append(nbformat.v4.new_markdown_cell(source) if markdown else nbformat.v4.new_code_cell(source))
    return nb
