"""Infer the era of libraries a notebook was written for, and pick the runtime profile that fits.

Evidence, strongest first: library pins (`requirements*.txt`, `environment.yml`, `!pip
install` lines), versions printed in saved outputs (`pd.__version__` → `'1.3.5'`),
deprecation warnings and library paths in saved outputs, code that uses an API removed or
added at a known release (`OneHotEncoder(sparse=...)`, `sklearn.cross_validation`), and
the Python version in the notebook's metadata. Each becomes a range of versions of one
library (`pandas < 2.0`) with a weight; the chosen profile is the one that contradicts the
least weight, the closest to pinned versions on a tie, then the newest. Reads only the
submission (no Docker, no network).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grader import pyast
from grader.execution import library_changes
from grader.execution.packages import parse_environment_yml, parse_requirement
from grader.execution.profiles import RuntimeProfile, Version, parse_version
from grader.models.notebook import NotebookView
from grader.models.runtime import EvidenceKind, ProfileEvidence

#: Libraries whose versions are worth reading; a pin of anything else says little about the era.
TRACKED = ("pandas", "scikit-learn", "numpy", "matplotlib", "scipy", "seaborn", "xgboost", "lightgbm")
#: Module names (and their usual aliases) of the tracked libraries.
MODULE_NAMES = {
    "pandas": "pandas",
    "pd": "pandas",
    "sklearn": "scikit-learn",
    "numpy": "numpy",
    "np": "numpy",
    "matplotlib": "matplotlib",
    "mpl": "matplotlib",
    "scipy": "scipy",
    "seaborn": "seaborn",
    "sns": "seaborn",
    "xgboost": "xgboost",
    "xgb": "xgboost",
    "lightgbm": "lightgbm",
    "lgb": "lightgbm",
}
#: Libraries that remove APIs at major releases; the others remove them two minor releases after deprecating.
MAJOR_BREAKS = frozenset({"pandas", "numpy", "xgboost", "lightgbm"})
WEIGHTS = {
    EvidenceKind.requirements: 3,
    EvidenceKind.printed_version: 3,
    EvidenceKind.api: 2,
    EvidenceKind.saved_output: 2,
    EvidenceKind.metadata: 1,
    EvidenceKind.failure: 5,
}
#: The newest release of each library that supports a Python version: a notebook last run on
#: Python 3.7 was written for pandas 1.3 at the latest.
PYTHON_CEILINGS: dict[tuple[int, int], dict[str, Version]] = {
    (3, 6): {"pandas": (1, 1, 5), "scikit-learn": (0, 24, 2), "numpy": (1, 19, 5)},
    (3, 7): {"pandas": (1, 3, 5), "scikit-learn": (1, 0, 2), "numpy": (1, 21, 6)},
    (3, 8): {"pandas": (2, 0, 3), "scikit-learn": (1, 3, 2), "numpy": (1, 24, 4)},
    (3, 9): {"pandas": (2, 2, 3), "scikit-learn": (1, 6, 1), "numpy": (2, 0, 2)},
    (3, 10): {"pandas": (2, 3, 3), "scikit-learn": (1, 7, 2), "numpy": (2, 2, 6)},
}
#: Deprecation warnings pandas and numpy printed in a known range of releases.
WARNINGS: tuple[tuple[re.Pattern[str], str, Version, Version], ...] = (
    (re.compile(r"frame\.append method is deprecated"), "pandas", (1, 4), (2, 0)),
    (re.compile(r"iteritems is deprecated"), "pandas", (1, 5), (2, 0)),
    (re.compile(r"default value of numeric_only in \w+\.\w+ is deprecated"), "pandas", (1, 5), (2, 0)),
    (re.compile(r"pandas\.(Int64|Float64|UInt64)Index is deprecated"), "pandas", (1, 4), (2, 0)),
    (re.compile(r"Downcasting (behavior in `replace`|object dtype arrays)"), "pandas", (2, 2), (3, 0)),
    (re.compile(r"ChainedAssignmentError|chained assignment using an inplace method"), "pandas", (2, 2), (3, 0)),
    (re.compile(r"'[MYQAH]' is deprecated and will be removed"), "pandas", (2, 2), (3, 0)),
    (re.compile(r"DataFrame\.applymap has been deprecated"), "pandas", (2, 1), (3, 0)),
    (re.compile(r"SettingWithCopyWarning"), "pandas", (0, 0), (3, 0)),
    (re.compile(r"`np\.(float|int|bool|object)` is a deprecated alias"), "numpy", (1, 20), (1, 24)),
)
#: scikit-learn's "... deprecated (or renamed ...) in 1.2 and will be removed in 1.4".
_SKLEARN_DEPRECATION = re.compile(
    r"in (?:version )?(\d+\.\d+)(?:\.\d+)?,? and will be removed in (?:version )?(\d+\.\d+)", re.IGNORECASE
)
_SITE_PYTHON = re.compile(r"/python(3\.\d+)/(?:site|dist)-packages/")
_VERSION_TEXT = re.compile(r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)?(?:\.?(?:post|rc|dev|a|b)\d*)?)(?![\w.])")
_NAMED_VERSION = re.compile(
    r"\b(pandas|scikit-learn|sklearn|numpy|matplotlib|scipy|seaborn|xgboost|lightgbm)"
    r"[ \t]*(?:version)?[ \t]*(?:==|:|=)?[ \t]*v?(\d+\.\d+\.\d+)\b",
    re.IGNORECASE,
)
_PIP_LINE = re.compile(r"^\s*[!%]\s*(?:pip|pip3|python -m pip|conda)\s+install\s+(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Verdict:
    """A profile and the evidence for and against it."""

    profile: RuntimeProfile
    violated: int
    distance: int
    fits: list[ProfileEvidence]
    contradicts: list[ProfileEvidence]


def _text(version: Version | None) -> str | None:
    return ".".join(str(p) for p in version) if version is not None else None


def _evidence(
    kind: EvidenceKind,
    library: str,
    low: Version | None,
    high: Version | None,
    detail: str,
    cell: int | None = None,
) -> ProfileEvidence:
    return ProfileEvidence(
        kind=kind, library=library, low=_text(low), high=_text(high), weight=WEIGHTS[kind], detail=detail, cell=cell
    )


def horizon(library: str, version: Version) -> Version:
    """The first release that may break code written for `version` (its next major, or two minors on)."""
    major = version[0] if version else 0
    minor = version[1] if len(version) > 1 else 0
    if library in MAJOR_BREAKS or (major == 0 and library == "scikit-learn" and minor < 20):
        return (major + 1, 0)
    return (major, minor + 2)


def specifier_bounds(library: str, specifier: str) -> tuple[Version | None, Version | None] | None:
    """(low, high) of a requirement specifier: `==1.3.5` → (1.3.5, 2.0) for pandas; None if unusable."""
    low: Version | None = None
    high: Version | None = None
    for part in filter(None, (p.strip() for p in specifier.split(","))):
        match = re.match(r"^(==|>=|<=|~=|>|<|!=)\s*([\w.*]+)$", part)
        if match is None:
            continue
        op, raw = match.groups()
        version = parse_version(raw.replace(".*", ""))
        if version is None or op == "!=":
            continue
        if op == "==" and raw.endswith(".*"):
            low, high = version, (*version[:-1], version[-1] + 1)
        elif op == "==":
            low, high = version, horizon(library, version)
        elif op in (">=", ">"):
            low = version
        elif op == "<":
            high = version
        elif op == "<=":
            high = (*version, 1)
        elif op == "~=":
            low, high = version, (*version[:-2], version[-2] + 1) if len(version) > 1 else (version[0] + 1,)
    return (low, high) if low or high else None


def gather(notebooks: Sequence[tuple[str, Any]], view: NotebookView, texts: Mapping[str, str]) -> list[ProfileEvidence]:
    """Every hint at the notebook's era in the submission: pins, printed versions, warnings, APIs, metadata."""
    found: list[ProfileEvidence] = []
    found += _pins(texts)
    for cell in view.code_cells():
        found += _pip_lines(cell.source, cell.index)
        found += _printed_versions(cell.source, cell.output_text, cell.index)
        found += _saved_warnings(cell.output_text, cell.index)
        for change in library_changes.uses_in_code(cell.source):
            low, high = change.constraint()
            what = "uses an API removed in" if high else "uses an API added in"
            found.append(
                _evidence(
                    EvidenceKind.api,
                    change.library,
                    low,
                    high,
                    f"cell {cell.index} {what} {change.library} {change.release} ({change.summary})",
                    cell.index,
                )
            )
    found += _python_versions(notebooks)
    return _dedupe(found)


def _dedupe(found: Iterable[ProfileEvidence]) -> list[ProfileEvidence]:
    seen: set[tuple[str, str, str | None, str | None]] = set()
    kept = []
    for item in found:
        key = (item.kind.value, item.library, item.low, item.high)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept[:60]


def _pins(texts: Mapping[str, str]) -> list[ProfileEvidence]:
    found = []
    for rel, text in sorted(texts.items()):
        name = rel.rsplit("/", 1)[-1].lower()
        entries: list[tuple[str, str]] = []
        if name.startswith("requirements") and name.endswith(".txt"):
            entries = [parsed for line in text.splitlines()[:500] if (parsed := parse_requirement(line))]
        elif name in ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml"):
            entries = [(dist, spec) for dist, spec, _ in parse_environment_yml(text)]
        for dist, spec in entries:
            if dist in TRACKED and spec and (bounds := specifier_bounds(dist, spec)):
                found.append(_evidence(EvidenceKind.requirements, dist, *bounds, f"{rel} asks for {dist}{spec}"))
    return found


def _pip_lines(source: str, cell: int) -> list[ProfileEvidence]:
    found = []
    for match in _PIP_LINE.finditer(source):
        for token in match.group(1).split():
            parsed = parse_requirement(token.strip("'\""))
            if parsed and parsed[0] in TRACKED and parsed[1] and (bounds := specifier_bounds(*parsed)):
                found.append(
                    _evidence(
                        EvidenceKind.requirements,
                        parsed[0],
                        *bounds,
                        f"`pip install {parsed[0]}{parsed[1]}` in cell {cell}",
                        cell,
                    )
                )
    return found


def _aliases(source: str) -> dict[str, str]:
    """Local names of tracked modules in a cell (`pd` → pandas)."""
    found: dict[str, str] = {}
    try:
        tree = pyast.parse(
            "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
        )
    except (SyntaxError, ValueError, RecursionError):
        return found
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULE_NAMES:
                    found[alias.asname or alias.name] = MODULE_NAMES[alias.name]
    return found


def _printed_versions(source: str, output: str, cell: int) -> list[ProfileEvidence]:
    """`pd.__version__` in a cell whose saved output shows a version, and `pandas: 1.3.5` lines."""
    if not output:
        return []
    found = []
    names = MODULE_NAMES | _aliases(source)
    asked = [names[m] for m in re.findall(r"\b(\w+)\.__version__", source) if m in names]
    shown = [parse_version(v) for v in _VERSION_TEXT.findall(output)]
    versions = [v for v in shown if v is not None]
    pairs: list[tuple[str, Version]] = []
    if asked and len(asked) == len(versions):
        pairs = list(zip(asked, versions, strict=True))
    for name, raw in _NAMED_VERSION.findall(output):
        library = "scikit-learn" if name.lower() in ("sklearn", "scikit-learn") else name.lower()
        parsed = parse_version(raw)
        if parsed is not None:
            pairs.append((library, parsed))
    for library, version in dict(pairs).items():
        found.append(
            _evidence(
                EvidenceKind.printed_version,
                library,
                version,
                horizon(library, version),
                f"cell {cell}'s saved output shows {library} {_text(version)}",
                cell,
            )
        )
    return found


def _saved_warnings(output: str, cell: int) -> list[ProfileEvidence]:
    found = []
    for pattern, library, low, high in WARNINGS:
        if pattern.search(output):
            found.append(
                _evidence(
                    EvidenceKind.saved_output,
                    library,
                    low,
                    high,
                    f"cell {cell}'s saved output has the warning `{pattern.pattern[:60]}`",
                    cell,
                )
            )
    for line in output.splitlines():
        match = _SKLEARN_DEPRECATION.search(line)
        if match and ("sklearn" in line or "scikit-learn" in line):
            found.append(
                _evidence(
                    EvidenceKind.saved_output,
                    "scikit-learn",
                    parse_version(match.group(1)),
                    parse_version(match.group(2)),
                    f"cell {cell}'s saved output has a scikit-learn deprecation warning "
                    f"({match.group(1)} → removal in {match.group(2)})",
                    cell,
                )
            )
    for python in set(_SITE_PYTHON.findall(output)):
        found += _python_ceiling(python, f"cell {cell}'s saved output shows libraries of Python {python}", cell)
    return found


def _python_versions(notebooks: Sequence[tuple[str, Any]]) -> list[ProfileEvidence]:
    found = []
    for path, node in notebooks:
        metadata = node.get("metadata", {}) or {}
        info = metadata.get("language_info", {}) or {}
        version = str(info.get("version", "") or "")
        if version:
            found += _python_ceiling(version, f"{path} was last run on Python {version}")
    return found


def _python_ceiling(version: str, detail: str, cell: int | None = None) -> list[ProfileEvidence]:
    parsed = parse_version(version)
    if parsed is None or len(parsed) < 2:
        return []
    ceilings = PYTHON_CEILINGS.get((parsed[0], parsed[1])) if parsed[:2] >= (3, 6) else PYTHON_CEILINGS[(3, 6)]
    if not ceilings:
        return []
    return [
        _evidence(EvidenceKind.metadata, library, None, (*top[:2], top[2] + 1), detail, cell)
        for library, top in ceilings.items()
    ]


# --------------------------------------------------------------------------- choosing


def fits(evidence: ProfileEvidence, profile: RuntimeProfile) -> bool | None:
    """Whether the profile's version of the library is in the evidence's range; None if it lacks the library."""
    version = library_changes.profile_version(profile, evidence.library)
    if version is None:
        return None
    low = parse_version(evidence.low) if evidence.low else None
    high = parse_version(evidence.high) if evidence.high else None
    return (low is None or version >= low) and (high is None or version < high)


def _units(version: Version) -> int:
    """Major and minor as one number, to measure how far apart two releases are."""
    return version[0] * 100 + (version[1] if len(version) > 1 else 0)


def gap(evidence: ProfileEvidence, version: Version) -> int:
    """How many minor releases `version` lies outside the evidence's range (0 inside)."""
    low = parse_version(evidence.low) if evidence.low else None
    high = parse_version(evidence.high) if evidence.high else None
    if low is not None and version < low:
        return max(1, _units(low) - _units(version))
    if high is not None and version >= high:
        return _units(version) - _units(high) + 1
    return 0


def judge(profile: RuntimeProfile, evidence: Sequence[ProfileEvidence]) -> Verdict:
    """How well a profile fits the evidence: contradicted weight, then how far outside the ranges it lies."""
    fitting: list[ProfileEvidence] = []
    contradicting: list[ProfileEvidence] = []
    distance = 0
    for item in evidence:
        version = library_changes.profile_version(profile, item.library)
        if version is None:
            continue
        off = gap(item, version)
        (contradicting if off else fitting).append(item)
        distance += off * item.weight
    return Verdict(profile, sum(e.weight for e in contradicting), distance, fitting, contradicting)


def rank(profiles: Sequence[RuntimeProfile], evidence: Sequence[ProfileEvidence]) -> list[Verdict]:
    """Profiles from the best fit to the worst: least contradicted weight, closest pins, newest."""
    verdicts = [judge(p, evidence) for p in profiles]
    return sorted(verdicts, key=lambda v: (v.violated, v.distance, v.profile.age))
