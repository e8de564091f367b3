"""The narrative's markdown: prose without syntax, headings, words, the language of reasoning and of findings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from grader.models.notebook import Cell, NotebookView

# --------------------------------------------------------------------------- markdown

_FENCE = re.compile(r"```.*?(```|$)|~~~.*?(~~~|$)", re.DOTALL)
_HTML_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{1,400}>")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)([^*_]{2,80})(\*\*|__)\s*:?\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)?%?")
_LIST_OR_QUOTE = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s+")


@dataclass(frozen=True)
class Heading:
    cell: int
    line: int
    level: int
    text: str
    #: A short line in bold standing alone: structure without `#`, weaker than a real heading.
    bold: bool = False


def markdown_lines(text: str) -> list[str]:
    """Markdown without fenced code, images and HTML tags; links reduced to their text."""
    text = _FENCE.sub("", text)
    text = _HTML_HEADING.sub(lambda m: "#" * int(m.group(1)) + " " + _TAG.sub("", m.group(2)), text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    return text.split("\n")


def headings_in(cell: Cell) -> list[Heading]:
    """Headings of one markdown cell: ATX (`## x`), setext (underlined) and HTML `<h2>`."""
    found: list[Heading] = []
    lines = markdown_lines(cell.source)
    for number, line in enumerate(lines, start=1):
        atx = _ATX.match(line)
        if atx and atx.group(2).strip():
            found.append(Heading(cell.index, number, len(atx.group(1)), atx.group(2).strip()))
            continue
        if (
            number > 1
            and _SETEXT.match(line)
            and lines[number - 2].strip()
            and not _LIST_OR_QUOTE.match(lines[number - 2])
            and not _ATX.match(lines[number - 2])
        ):
            level = 1 if line.strip().startswith("=") else 2
            found.append(Heading(cell.index, number - 1, level, lines[number - 2].strip()))
            continue
        bold = _BOLD_LINE.match(line)
        if bold and len(bold.group(2).split()) <= 10:
            found.append(Heading(cell.index, number, 6, bold.group(2).strip(), bold=True))
    return found


def prose(text: str) -> str:
    """The running text of a markdown cell: no headings, code, tags or markup characters."""
    lines = markdown_lines(text)
    kept = []
    for number, line in enumerate(lines):
        if _ATX.match(line) or _SETEXT.match(line) or _BOLD_LINE.match(line):
            continue
        if number + 1 < len(lines) and _SETEXT.match(lines[number + 1]) and line.strip():
            continue
        kept.append(line)
    text = "\n".join(kept)
    return re.sub(r"[*_`|>#]+", " ", text)


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """A text cut into sentences (at `.`, `!` or `?` before a space, and at line breaks)."""
    return _SENTENCE_BREAK.split(text)


def words(text: str) -> list[str]:
    """The words (and numbers) of a text."""
    return _WORD.findall(text)


def prose_words(cell: Cell) -> int:
    """How many words of running text a markdown cell holds (headings excluded)."""
    return len(words(prose(cell.source))) if cell.is_markdown else 0


def excerpt(text: str, width: int = 200) -> str:
    """A one-line excerpt for evidence."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _terms(*patterns: str) -> re.Pattern[str]:
    """One regex for many terms, grouped by first letter: Python tries alternatives one by one."""
    groups: dict[str, list[str]] = {}
    for pattern in patterns:
        head = pattern[0].lower() if pattern[0].isalpha() else ""
        groups.setdefault(head, []).append(pattern[1:] if head else pattern)
    parts = [f"[{h}{h.upper()}](?:{'|'.join(rest)})" if h else "|".join(rest) for h, rest in sorted(groups.items())]
    return re.compile(r"\b(?:" + "|".join(parts) + r")", re.IGNORECASE)


#: Language that gives a reason or weighs options, not only narrates what the code does.
REASONING = _terms(
    r"because\b",
    r"since\b",
    r"so that\b",
    r"in order to\b",
    r"trade[- ]?offs?\b",
    r"chose\b",
    r"choose\b",
    r"chosen\b",
    r"choice\b",
    r"instead of\b",
    r"rather than\b",
    r"assum\w*",
    r"to avoid\b",
    r"avoids?\b",
    r"prevents?\b",
    r"to reduce\b",
    r"account for\b",
    r"given that\b",
    r"due to\b",
    r"therefore\b",
    r"thus\b",
    r"hence\b",
    r"which means\b",
    r"means that\b",
    r"prefer\w*",
    r"motivat\w*",
    r"rational\w*",
    r"justif\w*",
    r"the reason\b",
    r"reasons?\b",
    r"decid\w*",
    r"decision\w*",
    r"opt(?:ed)? for\b",
    r"better suited\b",
    r"more robust\b",
    r"robust to\b",
    r"otherwise\b",
    r"so (?:the|I|we|a|an|each|it|this|these|they|our|no|not|only)\b",
    r"ensures?\b",
    r"caveats?\b",
    r"risks?\b",
    r"leak\w*",
    r"over-?fit\w*",
    r"makes sense\b",
    r"worth\b",
    r"safer\b",
    r"not\s+\w+\s+enough\b",
    r"would\s+(?:otherwise|inflate|bias|hurt|leak)\w*",
    r"to keep\b",
    r"to make sure\b",
    r"as a result\b",
    r"that is why\b",
    r"this is why\b",
    r"which is why\b",
    # terse reasons in bullet lists: "drop hour (already in is_weekend)", "customer_rating: mostly missing"
    r"already\b",
    r"redundant\b",
    r"too (?:many|few|sparse|noisy|slow|small|large)\b",
    r"(?:mostly|largely) (?:missing|empty)\b",
    r"more than \d+\s?% (?:missing|empty)",
    r"not (?:available|known)\b",
    r"only (?:known|available)\b",
    r"as (?:it|they) (?:is|are|was|were)\b",
)

#: Language that reports an observation about the data.
OBSERVATION = _terms(
    r"shows?\b",
    r"suggests?\b",
    r"indicates?\b",
    r"skew\w*",
    r"imbalanc\w*",
    r"correlat\w*",
    r"outliers?\b",
    r"missing\b",
    r"most\b",
    r"majority\b",
    r"minority\b",
    r"higher\b",
    r"lower\b",
    r"more likely\b",
    r"less likely\b",
    r"distribut\w*",
    r"notice\w*",
    r"observ\w*",
    r"appears?\b",
    r"looks?\b",
    r"seems?\b",
    r"clear\w*",
    r"strong\w*",
    r"weak\w*",
    r"few\b",
    r"rare\w*",
    r"tail\b",
    r"spike\w*",
    r"peak\w*",
    r"duplicat\w*",
    r"roughly\b",
    r"about\b",
    r"around\b",
    r"\d+(?:\.\d+)?\s?%",
)

NEXT_STEPS = _terms(
    r"next steps?\b",
    r"future\b",
    r"further\b",
    r"with more time\b",
    r"given more time\b",
    r"if I had\b",
    r"improv\w*",
    r"limitations?\b",
    r"next\s*[.:]",
    r"would (?:probably |also |first )?(?:like|try|add|explore|investigate|use|need|want|help|test|validate)\b",
    r"could (?:try|add|explore|investigate|use|be)\b",
    r"to do\b",
    r"todo\b",
    r"follow[- ]?up\b",
    r"recommend\w*",
    r"monitor\w*",
    r"in production\b",
    r"deploy\w*",
    r"extend\w*",
    r"open questions?\b",
    r"caveats?\b",
    r"worth (?:trying|exploring|investigating)\b",
)

#: Metric names and numbers: what a conclusion that reports results mentions.
RESULTS = _terms(
    r"auc\b",
    r"roc\b",
    r"f1\b",
    r"precision\b",
    r"recall\b",
    r"accuracy\b",
    r"average precision\b",
    r"ap\b",
    r"mae\b",
    r"rmse\b",
    r"mse\b",
    r"r2\b",
    r"r²",
    r"r-squared\b",
    r"log[- ]?loss\b",
    r"score\w*",
    r"error\b",
    r"baseline\b",
    r"outperform\w*",
    r"best model\b",
    r"final model\b",
)
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s?%|(?<![\w.])0?\.\d+|(?<![\w.])\d+\.\d+")

CONCLUSION_HEADING = _terms(
    r"conclu\w*",
    r"summary\b",
    r"summar\w*",
    r"results?\b",
    r"findings\b",
    r"takeaways?\b",
    r"key points\b",
    r"next steps?\b",
    r"recommendations?\b",
    r"wrap[- ]?up\b",
    r"final thoughts\b",
    r"discussion\b",
    r"limitations\b",
    r"outcome\w*",
    r"tl;?dr\b",
)


@dataclass(frozen=True)
class MarkdownFacts:
    """Per markdown cell: prose words, headings, and which kinds of language it uses."""

    words: dict[int, int]
    headings: list[Heading]
    reasoning: dict[int, list[str]]
    observation: dict[int, list[str]]


def markdown_facts(view: NotebookView) -> MarkdownFacts:
    """Words, headings and reasoning or observation language of every markdown cell."""
    counts: dict[int, int] = {}
    headings: list[Heading] = []
    reasoning: dict[int, list[str]] = {}
    observation: dict[int, list[str]] = {}
    for cell in view.markdown_cells():
        text = prose(cell.source)
        counts[cell.index] = len(words(text))
        headings.extend(headings_in(cell))
        reasons = [m.group(0) for m in REASONING.finditer(text)]
        if reasons:
            reasoning[cell.index] = reasons
        seen = [m.group(0) for m in OBSERVATION.finditer(text)]
        if seen:
            observation[cell.index] = seen
    return MarkdownFacts(counts, headings, reasoning, observation)


def comment_lines(cell: Cell) -> list[tuple[int, str]]:
    """(line, text) of `#` comments in a code cell, found with a cheap scan (no tokenizer)."""
    found = []
    for number, line in enumerate(cell.lines, start=1):
        stripped = line.strip()
        if stripped.startswith("#") and not stripped.startswith("#!"):
            found.append((number, stripped.lstrip("#").strip()))
        elif " # " in line and line.count('"') % 2 == 0 and line.count("'") % 2 == 0:
            found.append((number, line.split(" # ", 1)[1].strip()))
    return found


def group_blocks(view: NotebookView, cells: Iterable[int]) -> list[list[int]]:
    """Group code cells into blocks: consecutive ones with no markdown cell between them."""
    blocks: list[list[int]] = []
    for cell in sorted(set(cells)):
        if blocks and not any(view[i].is_markdown for i in range(blocks[-1][-1] + 1, cell)):
            blocks[-1].append(cell)
        else:
            blocks.append([cell])
    return blocks


def adjacent_markdown(view: NotebookView, first: int, last: int) -> tuple[list[Cell], list[Cell]]:
    """The run of markdown cells right above `first` and the run right below `last` (no code between)."""
    above: list[Cell] = []
    index = first - 1
    while index >= 0 and view[index].is_markdown:
        above.insert(0, view[index])
        index -= 1
    below: list[Cell] = []
    index = last + 1
    while index < len(view) and view[index].is_markdown:
        below.append(view[index])
        index += 1
    return above, below
