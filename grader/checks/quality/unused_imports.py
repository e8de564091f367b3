"""QUAL005: every imported name is used."""

from __future__ import annotations

import ast
import re

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.models.findings import Finding, Severity


class UnusedImportsParams(Params):
    #: Modules imported for their side effects, never flagged.
    side_effect_modules: list[str] = Field(
        default_factory=lambda: [
            "__future__",
            "matplotlib_inline",
            "warnings",
            "ipywidgets",
            "tqdm.auto",
            "sklearn.experimental",
            "plotly.io",
            "pandas_profiling",
            "ydata_profiling",
        ]
    )
    #: At most this many findings (one per import statement); the rest are counted in the last one.
    max_findings: int = Field(default=20, ge=1, le=500)


@check(
    id="QUAL005",
    slug="unused-imports",
    category=Category.quality,
    title="No unused imports",
    params=UnusedImportsParams,
    followup=CODE_QUALITY,
)
def unused_imports(ctx: CheckContext, params: UnusedImportsParams) -> CheckOutcome:
    """Every imported name is used somewhere in the notebook.

    What it checks: the names bound by every `import` and `from ... import` (star imports
    and side-effect modules excepted) against the names the code reads, magic lines
    included (`%time model.fit(X, y)` uses `model`). Each import statement with unused
    names is a finding; the score is the share of imported names that are used.

    Why it matters: a block of thirty imports, a third unused, is a template carried
    from project to project. It hides the real dependencies and suggests code that was
    tried and deleted without cleaning up.

    Example: `from sklearn.svm import SVC`, `import xgboost as xgb` and
    `from sklearn.model_selection import GridSearchCV` imported, never used.

    Do instead: import what you use; before submitting, run `ruff check --select F401`
    (or pylint's `unused-import`) on the exported script.
    """
    code = ctx.code
    index = ctx.narrative.scopes
    used = set(index.names_read)
    magic_text = "\n".join(
        code.view[c.index].lines[line - 1]
        for c in code.cells
        for line in c.magic_lines
        if line - 1 < len(code.view[c.index].lines)
    )
    used |= set(re.findall(r"[A-Za-z_]\w*", magic_text))
    # Names read only inside strings passed to eval/query (`df.query("x > @limit")`) are rare; ignore.
    side_effects = set(params.side_effect_modules)
    total = 0
    unused: list[tuple[int, int, list[str]]] = []
    for cell, node in index.nodes(ast.Import, ast.ImportFrom):
        assert isinstance(node, ast.Import | ast.ImportFrom)
        if isinstance(node, ast.ImportFrom) and (node.module in side_effects or node.level):
            continue
        names = []
        for alias in node.names:
            if alias.name == "*":
                continue
            if isinstance(node, ast.Import) and alias.name in side_effects:
                continue
            bound = alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
            total += 1
            if bound not in used and not bound.startswith("_"):
                names.append(bound)
        if names:
            unused.append((cell, node.lineno, names))
    findings = []
    for n, (cell, line, names) in enumerate(unused[: params.max_findings]):
        rest = unused[params.max_findings :] if n == params.max_findings - 1 else []
        more = f"; {sum(len(x[2]) for x in rest)} more unused name(s) elsewhere" if rest else ""
        findings.append(
            Finding(
                message=f"Imported but never used: {', '.join(names)} (cell {cell}){more}",
                severity=Severity.low,
                evidence=[ctx.evidence(cell, line)],
                data={"names": names},
            )
        )
    n_unused = sum(len(x[2]) for x in unused)
    return CheckOutcome(
        findings=findings,
        score=(total - n_unused) / total if total else 1.0,
        message=f"{n_unused} of {total} imported name(s) unused",
    )
