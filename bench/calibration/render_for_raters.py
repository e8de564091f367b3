"""Write a plain-text (Markdown) view of each corpus notebook for the human raters.

    PYTHONPATH=$PWD .venv/bin/python bench/calibration/render_for_raters.py \
        [--corpus /work/calibration/corpus] [--out /work/calibration/rater-view] [--only titanic-03] \
        [--split fresh2]

For every notebook of `corpus.yaml` of the chosen splits (default `tune` and `heldout`, the corpus the
first two raters scored; `--split fresh --out /work/calibration/rater-view-fresh` for the first fresh
held-out set, `--split fresh2 --out /work/calibration/rater-view-fresh2` for the second) it writes `<out>/<id>.md`: the assignment brief, then every
cell in order with its 1-based index ("cell 7"), execution count, source and saved outputs (text
truncated to 60 lines each, images as `[image: png]`, errors with their exception line). It reads
the notebooks of the built corpus (run `build_corpus.py` first) and nothing else: no grader output
reaches this view, so raters judge the notebook as a reviewer would open it, without Jupyter.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.calibration.build_corpus import DEFAULT_OUT as DEFAULT_CORPUS  # noqa: E402
from bench.calibration.build_corpus import brief_markdown  # noqa: E402
from bench.calibration.manifest import (  # noqa: E402
    MANIFEST,
    SPLITS,
    Manifest,
    ManifestError,
    NotebookEntry,
    load_manifest,
)
from grader.errors import SubmissionError  # noqa: E402
from grader.submission.loader import SubmissionLimits, parse_notebook  # noqa: E402

DEFAULT_OUT = Path("/work/calibration/rater-view")
#: Each fresh held-out set has its own raters and folder: it is rendered only when asked for.
DEFAULT_SPLITS = ("tune", "heldout")
MAX_LINES = 60
MAX_LINE_CHARS = 400
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TAG = re.compile(r"<[^>]+>")
#: An image embedded in a markdown cell (`![x](data:image/jpeg;base64,...)`): tens of kilobytes of noise.
DATA_URI = re.compile(r"data:(image/[\w.+-]+);base64,[A-Za-z0-9+/=\s]{80,}")
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/svg+xml": "svg"}


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return "" if value is None else str(value)


def truncate(text: str, max_lines: int = MAX_LINES) -> str:
    """At most `max_lines` lines of at most `MAX_LINE_CHARS` characters, saying what was cut."""
    lines = ANSI.sub("", text).rstrip("\n").splitlines()
    kept = [line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …[line cut]" for line in lines]
    if len(kept) > max_lines:
        kept = [*kept[:max_lines], f"…[{len(lines) - max_lines} more lines cut]"]
    return "\n".join(kept)


def fenced(text: str, info: str = "") -> str:
    """A code fence longer than any run of backticks inside `text`."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _rich_output(output: dict[str, Any]) -> Iterator[str]:
    data = output.get("data") or {}
    images = [label for mime, label in IMAGE_TYPES.items() if mime in data]
    for label in images:
        yield f"[image: {label}]"
    plain = _text(data.get("text/plain"))
    if plain and not (images and re.fullmatch(r"<(Figure|matplotlib|Axes)[^>]*>", plain.strip())):
        yield fenced(truncate(plain), "text")
    elif not plain and "text/html" in data:
        stripped = TAG.sub(" ", _text(data["text/html"]))
        stripped = "\n".join(" ".join(line.split()) for line in stripped.splitlines() if line.strip())
        yield "[html output; tags removed]\n" + fenced(truncate(stripped), "text")
    elif not images and not plain:
        kinds = ", ".join(sorted(data)) or "nothing"
        yield f"[output of type {kinds}]"


def render_output(number: int, output: dict[str, Any]) -> str:
    kind = output.get("output_type", "?")
    if kind == "stream":
        body = fenced(truncate(_text(output.get("text"))), "text")
        return f"Output {number} ({output.get('name', 'stream')}):\n{body}"
    if kind in ("execute_result", "display_data"):
        return f"Output {number} ({kind}):\n" + "\n".join(_rich_output(output))
    if kind == "error":
        traceback = [ANSI.sub("", line) for line in output.get("traceback") or []]
        last = next((line.strip() for line in reversed("\n".join(traceback).splitlines()) if line.strip()), "")
        summary = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
        lines = [f"Output {number} (error): **{truncate(summary, 5)}**"]
        if last and last not in summary:
            lines.append(f"exception line: `{last[:MAX_LINE_CHARS]}`")
        return "\n".join(lines)
    return f"Output {number} ({kind})"


def render_cell(index: int, cell: Any) -> str:
    kind = cell.get("cell_type", "?")
    source = _text(cell.get("source"))
    if kind == "code":
        count = cell.get("execution_count")
        head = f"### cell {index} · code · In [{count if count is not None else ' '}]"
        parts = [head, fenced(source, "python")]
        outputs = cell.get("outputs") or []
        parts += [render_output(number, output) for number, output in enumerate(outputs, 1)]
        if not outputs:
            parts.append("(no saved output)")
        return "\n\n".join(parts)
    source = DATA_URI.sub(lambda m: f"[embedded {m.group(1)} cut]", source)
    return "\n\n".join([f"### cell {index} · {kind}", fenced(source, "markdown" if kind == "markdown" else "")])


def demote_headings(markdown: str, levels: int = 2) -> str:
    """Push Markdown headings down so an embedded document nests under ours."""
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m.group(1)) + levels) + " ", markdown, flags=re.MULTILINE)


def render_notebook(entry: NotebookEntry, manifest: Manifest, corpus: Path) -> str:
    """The whole rater view of one notebook."""
    path = corpus / entry.dataset / entry.id / entry.notebook_dest
    if not path.is_file():
        raise ManifestError(f"{path} is missing: run bench/calibration/build_corpus.py first")
    node = parse_notebook(entry.notebook_dest, path.read_bytes(), SubmissionLimits())
    dataset = manifest.datasets[entry.dataset]
    data = ", ".join(f"`{copy.to}`" for copy in entry.data) or "none"
    header = [
        f"# {entry.id}: rater view",
        "",
        f"- Notebook: `{entry.notebook_dest}` from {entry.repo} at commit {entry.commit[:12]}",
        f"- Data files beside it: {data}",
        f"- Cells: {len(node.cells)} (numbered from 1 as below; cite them as `cell N`)",
        "",
        "The notebook as submitted, with the outputs its author saved: nothing was re-run and nothing here",
        "comes from the grader. Long outputs are cut to 60 lines; images appear as `[image: png]`.",
        "",
        "## The assignment",
        "",
        demote_headings(brief_markdown(dataset)).strip(),
        "",
        "## The notebook",
    ]
    cells = [render_cell(index, cell) for index, cell in enumerate(node.cells, 1)]
    return "\n".join(header) + "\n\n" + "\n\n".join(cells) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", action="append", default=[], metavar="ID", help="render only these ids")
    parser.add_argument(
        "--split",
        action="append",
        choices=SPLITS,
        default=[],
        help="render only notebooks of these splits (default: tune and heldout)",
    )
    args = parser.parse_args(argv)
    splits = set(args.split or DEFAULT_SPLITS)
    try:
        manifest = load_manifest(args.manifest)
        chosen = [entry for entry in manifest.notebooks if entry.split in splits]
        entries = [entry for entry in chosen if not args.only or entry.id in args.only]
        unknown = set(args.only) - {entry.id for entry in entries}
        if unknown:
            raise ManifestError(
                f"unknown ids (or not in splits {', '.join(sorted(splits))}): {', '.join(sorted(unknown))}"
            )
        args.out.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            text = render_notebook(entry, manifest, args.corpus)
            target = args.out / f"{entry.id}.md"
            target.write_text(text, encoding="utf-8")
            print(f"{entry.id:<13} {len(text.splitlines()):>6} lines  {target}")
    except (ManifestError, SubmissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(entries)} rater views to {args.out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
