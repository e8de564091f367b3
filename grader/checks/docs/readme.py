"""DOC005: a submission with more than a notebook has a README."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import COMMUNICATION
from grader.evidence.context import CheckContext
from grader.evidence.narrative.markdown import excerpt, words
from grader.models.findings import EvidenceSource, Finding, Severity

_README = re.compile(r"^readme(\.(md|txt|rst|markdown))?$", re.IGNORECASE)
_NUMBERED = re.compile(r"^(?:step[_ -]?)?\d+[_. -]", re.IGNORECASE)
_HOW_TO_RUN = re.compile(
    r"\b(?:run|install|pip|conda|jupyter|execute|requirements|order|python\s+\S+\.py|"
    r"notebook|usage|reproduc\w*)\b",
    re.IGNORECASE,
)


class ReadmeParams(Params):
    #: Files that do not make a submission more than a notebook.
    ignore: list[str] = Field(
        default_factory=lambda: [
            "requirements*.txt",
            "environment*.yml",
            "environment*.yaml",
            "pyproject.toml",
            ".gitignore",
            "LICENSE*",
            "predictions.csv",
            "*.lock",
            "runtime.txt",
            ".python-version",
            "*.png",
            "*.jpg",
            "*.svg",
        ]
    )
    #: Words a README needs to be useful.
    min_words: int = Field(default=30, ge=1, le=5000)


@check(
    id="DOC005",
    slug="readme-for-multi-file",
    category=Category.docs,
    title="Has a README when it is more than one notebook",
    params=ReadmeParams,
    followup=COMMUNICATION,
)
def readme_for_multi_file(ctx: CheckContext, params: ReadmeParams) -> CheckOutcome:
    """A submission with several notebooks or code files has a README that says what is where and how to run it.

    What it checks: when the submission holds more than one notebook, or Python modules,
    scripts or configuration besides the notebook (files matching `ignore`, such as
    `requirements.txt` or `predictions.csv`, do not count), a `README` (`.md`, `.txt`,
    `.rst`) must exist with at least `min_words` words and say how to run the work. Two
    parts (a README exists; it is substantive and says how to run); a single-notebook
    submission passes. Without a README, numbered notebooks (`01_eda.ipynb`,
    `02_model.ipynb`) are a low finding, other files a medium one.

    Why it matters: the reviewer has to know which notebook is the main one, in which
    order things run, and what `features.py` is for, before they can trust the results.

    Example: `01_eda.ipynb`, `02_model.ipynb`, `utils.py` and `config.yaml`, with no word
    about which runs first.

    Do instead: add a short `README.md`: what each file is, the order to run them, the
    environment (`pip install -r requirements.txt`), and the headline result.
    """
    files = list(ctx.submission.files)
    notebooks = set(ctx.submission.notebooks) or {f for f in files if f.endswith(".ipynb")}
    readmes = [f for f in files if _README.match(PurePosixPath(f).name)]
    extra = [
        f
        for f in files
        if f not in notebooks
        and f not in readmes
        and not _ignored(f, params.ignore)
        and not f.lower().endswith(".ipynb")
    ]
    extra_notebooks = [f for f in files if f.lower().endswith(".ipynb")]
    needed = len(extra_notebooks) > 1 or bool(extra)
    if not needed:
        if readmes:
            return CheckOutcome(message=f"single notebook; a README is present ({readmes[0]})", score=1.0)
        return CheckOutcome(message="single-notebook submission: no README needed", score=1.0)
    why = ", ".join([*extra_notebooks[1:], *extra][:6])
    if not readmes:
        # Numbered notebooks (`01_eda`, `02_model`) at least show their order; code modules say nothing.
        ordered = not extra and all(_NUMBERED.match(PurePosixPath(f).name) for f in extra_notebooks)
        return CheckOutcome(
            findings=[
                Finding(
                    message=f"The submission has more than a notebook ({why}) but no README saying what is where and "
                    "how to run it",
                    severity=Severity.low if ordered else Severity.medium,
                    evidence=[
                        ctx.evidence(
                            None,
                            source=EvidenceSource.file,
                            snippet="\n".join(sorted(files)[:20]),
                            note="files in the submission",
                        )
                    ],
                    data={"files": sorted(files)[:100]},
                )
            ],
            score=0.0,
            message="README missing",
        )
    name = sorted(readmes, key=lambda f: (f.count("/"), f))[0]
    text = ctx.submission.texts.get(name, "")
    n_words = len(words(text))
    findings = []
    score = 1.0
    if n_words < params.min_words or not _HOW_TO_RUN.search(text):
        score = 0.5
        problem = f"has only {n_words} word(s)" if n_words < params.min_words else "does not say how to run the work"
        findings.append(
            Finding(
                message=f"{name} {problem}",
                severity=Severity.low,
                evidence=[
                    ctx.evidence(None, source=EvidenceSource.file, snippet=excerpt(text, 200) or "(empty)", note=name)
                ],
            )
        )
    else:
        findings.append(
            Finding(
                message=f"{name}: {n_words} words, says how to run the work",
                severity=Severity.info,
                evidence=[ctx.evidence(None, source=EvidenceSource.file, snippet=excerpt(text, 200), note=name)],
            )
        )
    return CheckOutcome(findings=findings, score=score, message=f"README {name} ({n_words} words)")


def _ignored(path: str, patterns: list[str]) -> bool:
    pure = PurePosixPath(path)
    return any(pure.match(p) for p in patterns) or pure.name.startswith(".")
