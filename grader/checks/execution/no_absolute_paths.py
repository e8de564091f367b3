"""EXE004: files are read and written through relative paths, not the author's machine."""

from __future__ import annotations

import ast
import re

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, Scope, check
from grader.checks.followups import ABSOLUTE_PATH
from grader.evidence.context import CheckContext
from grader.models.findings import Confidence, Finding, Severity

_WINDOWS = re.compile(r"^[A-Za-z]:[\\/]")
_UNC = re.compile(r"^\\\\[^\\\s]+\\")
_HOME = re.compile(r"^~[\\/]|^~$")
_KNOWN_ROOTS = re.compile(
    r"^/(?:Users|home|content|mnt|Volumes|kaggle|root|tmp|data|opt|var|workspace|gdrive|"
    r"dbfs|media|srv|private|storage|scratch|shared|notebooks|drive|datasets)(?:/|$)"
)
_UNIX = re.compile(r"^/(?:[^/\s\\][^/\\]*/)*[^/\s\\][^/\\]*/?$")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_NOT_A_PATH = re.compile(r"://|[\n\t*?^$|{}<>]|\\[dws]")
#: Calls that read, write or locate files.
_IO = re.compile(
    r"^(?:read_\w+|to_\w+|open|load\w*|dump\w*|save\w*|savefig|Path|PurePath|join|chdir|listdir|"
    r"glob|iglob|exists|isfile|isdir|makedirs|mkdir|scandir|walk|mount|append|insert|"
    r"genfromtxt|loadtxt|fromfile|tofile|ExcelWriter|ZipFile|copy\w*|move|rmtree|remove|"
    r"expanduser|abspath|realpath|DataFrame\.from_\w+|imread|imwrite|write_\w+|export\w*|"
    r"ProfileReport|connect|create_engine)$"
)


class AbsolutePathParams(Params):
    #: Severity of an absolute path that reaches a file operation (or a path variable).
    severity: Severity = Severity.medium
    max_findings: int = Field(default=10, ge=1, le=100)


@check(
    id="EXE004",
    slug="no-absolute-paths",
    category=Category.execution,
    title="No absolute or machine-specific paths",
    scope=Scope.code,
    params=AbsolutePathParams,
    followup=ABSOLUTE_PATH,
)
def no_absolute_paths(ctx: CheckContext, params: AbsolutePathParams) -> CheckOutcome:
    """Data is read and results are written through paths relative to the project, not the author's machine.

    What it checks: string literals (f-string heads included) that are absolute or
    machine-specific paths: `/Users/...`, `/home/...`, `/content/drive/...` (Colab),
    `/kaggle/input/...`, `C:\\...`, `\\\\server\\share`, `~/...`. One that reaches a file
    operation (`read_csv`, `open`, `to_csv`, `Path`, `os.path.join`, `savefig`, `chdir`,
    `sys.path.append`, `drive.mount` ...) or is stored in a variable is a finding of
    `severity`; one elsewhere is low.

    Why it matters: the notebook only runs on the author's laptop. Reviewers, CI and the
    grader's sandbox see `FileNotFoundError`, and a path like `/Users/jane/Downloads`
    also leaks personal details.

    Example: `df = pd.read_csv("/Users/jane/Downloads/churn/train.csv")`.

    Do instead: read from a path relative to the notebook (`data/train.csv`), or build it
    from one configurable root (`DATA_DIR = Path("data")`).
    """
    findings: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    index = ctx.narrative.scopes
    parents = index.parent
    for cell, node in index.nodes(ast.Constant, ast.JoinedStr):
        literal = _literal(node)
        if literal is None or not _machine_path(literal):
            continue
        if isinstance(node, ast.Constant) and isinstance(parents.get(id(node)), ast.JoinedStr):
            continue  # the f-string as a whole is examined
        if _docstring(node, parents):
            continue
        key = (cell, getattr(node, "lineno", 0))
        if key in seen:
            continue
        seen.add(key)
        use = _use(node, parents)
        severity = params.severity if use else Severity.low
        findings.append(
            Finding(
                message=f"Machine-specific path {literal[:120]!r}" + (f" used in {use}" if use else ""),
                severity=severity,
                confidence=Confidence.high if use else Confidence.medium,
                evidence=[ctx.evidence(cell, key[1])],
                data={"path": literal[:300]},
            )
        )
    total = len(findings)
    if total > params.max_findings:
        findings = findings[: params.max_findings]
        findings[-1] = findings[-1].model_copy(
            update={"message": findings[-1].message + f" ({total - params.max_findings} more)"}
        )
    return CheckOutcome(findings=findings, score=0.0 if findings else 1.0, message=f"{total} machine-specific path(s)")


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.JoinedStr)
        and node.values
        and isinstance(node.values[0], ast.Constant)
        and isinstance(node.values[0].value, str)
    ):
        return node.values[0].value + "{}"
    return None


def _machine_path(text: str) -> bool:
    """True for an absolute, home or drive path; False for URLs, regexes, '/' separators and prose."""
    text = text.strip()
    if len(text) < 3 or len(text) > 400 or "://" in text or "\n" in text:
        return False
    if _WINDOWS.match(text) or _UNC.match(text) or _HOME.match(text):
        return True
    body = text.replace("{}", "x")
    if not body.startswith("/") or body.startswith("//") or " / " in body or _NOT_A_PATH.search(body):
        return False
    if not _UNIX.match(body):
        return False
    segments = [s for s in body.strip("/").split("/") if s]
    if not segments or not any(c.isalpha() for c in segments[0]):
        return False
    return bool(_KNOWN_ROOTS.match(body) or len(segments) >= 2 or _EXTENSION.search(body))


def _docstring(node: ast.AST, parents: dict[int, ast.AST]) -> bool:
    parent = parents.get(id(node))
    return isinstance(parent, ast.Expr)


def _use(node: ast.AST, parents: dict[int, ast.AST]) -> str | None:
    """The file operation (or variable) the literal flows into, looking up its enclosing expressions."""
    current: ast.AST | None = node
    while current is not None:
        parent = parents.get(id(current))
        if isinstance(parent, ast.Call) and current is not parent.func:
            func = parent.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if _IO.match(name):
                return f"{name}()"
        if isinstance(parent, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            return "a path variable"
        if isinstance(parent, ast.stmt):
            return None
        current = parent
    return None
