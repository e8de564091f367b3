"""QUAL004: imports sit together at the top, not scattered through the notebook."""

from __future__ import annotations

import ast

from pydantic import Field

from grader.checks.base import Category, CheckOutcome, Params, check
from grader.checks.followups import CODE_QUALITY
from grader.evidence.context import CheckContext
from grader.models.findings import Confidence, Finding, Severity


class ScatteredImportsParams(Params):
    #: Cells below the top that may import (one late `from sklearn.metrics import ...` is common and harmless).
    max_late_cells: int = Field(default=1, ge=0, le=100)


@check(
    id="QUAL004",
    slug="scattered-imports",
    category=Category.quality,
    title="Imports are at the top",
    params=ScatteredImportsParams,
    followup=CODE_QUALITY,
)
def scattered_imports(ctx: CheckContext, params: ScatteredImportsParams) -> CheckOutcome:
    """Imports are gathered at the top of the notebook instead of scattered through it.

    What it checks: module-level `import` statements (not those inside functions). The
    top of the notebook is everything before the first statement that does work (a
    statement that is not an import, a magic, a constant or a settings call such as
    `warnings.filterwarnings` or `sns.set_theme`). Imports below it are late; more than
    `max_late_cells` cells with late imports is a finding listing them. The score is the
    share of imports at the top.

    Why it matters: the imports are the notebook's dependency list. Scattered, they hide
    what must be installed, break "run all" when a cell is moved, and often signal a
    notebook assembled from pasted fragments.

    Example: `import xgboost` in cell 31, `from sklearn.metrics import f1_score` in cells
    18, 25 and 40.

    Do instead: one imports cell at the top (standard library, third party, local),
    plus the seed and display settings.
    """
    top = True
    total = 0
    late: list[tuple[int, int, str]] = []
    for code in ctx.code.parsed():
        assert code.tree is not None
        for node in code.tree.body:
            imports = _imports(node)
            if imports:
                total += 1
                if not top:
                    late.append((code.index, node.lineno, ctx.code.snippet(code.index, node.lineno)))
            elif not _setup(node):
                top = False
    late_cells = sorted({cell for cell, _, _ in late})
    if len(late_cells) <= params.max_late_cells:
        return CheckOutcome(
            score=1.0,
            message=f"{total} import statement(s); {len(late)} below the top "
            f"(in {len(late_cells)} cell(s), {params.max_late_cells} allowed)",
        )
    first_per_cell = [next(x for x in late if x[0] == cell) for cell in late_cells]
    finding = Finding(
        message=f"{len(late)} import statement(s) are scattered through {len(late_cells)} cells below the top "
        f"(cells {', '.join(map(str, late_cells[:10]))}{', ...' if len(late_cells) > 10 else ''})",
        severity=Severity.low,
        confidence=Confidence.high,
        evidence=[ctx.evidence(cell, line) for cell, line, _ in first_per_cell[:8]],
        data={"late": [[cell, line] for cell, line, _ in late[:100]]},
    )
    return CheckOutcome(
        findings=[finding],
        score=(total - len(late)) / total if total else 1.0,
        message=f"{len(late)} of {total} import statement(s) below the top",
    )


def _imports(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return not (isinstance(node, ast.ImportFrom) and node.module == "__future__")
    # try: import xgboost / except ImportError: ...
    if isinstance(node, ast.Try):
        return any(isinstance(n, ast.Import | ast.ImportFrom) for n in node.body)
    return False


def _setup(node: ast.stmt) -> bool:
    """Statements that may sit among the imports: magics, constants, settings calls."""
    if isinstance(node, ast.Pass | ast.Import | ast.ImportFrom):
        return True
    if isinstance(node, ast.Assign | ast.AnnAssign):
        value = node.value
        return (
            value is None
            or isinstance(value, ast.Constant)
            or (isinstance(value, ast.Tuple | ast.List) and all(isinstance(e, ast.Constant) for e in value.elts))
        )
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in {
            "filterwarnings",
            "simplefilter",
            "set_option",
            "set_theme",
            "set",
            "set_style",
            "set_context",
            "seed",
            "use",
            "style",
            "rcParams",
            "update",
            "set_config",
            "init_notebook_mode",
            "set_palette",
            "print",
        } or (isinstance(node.value.func, ast.Attribute) and "rcParams" in ast.unparse(node.value.func))
    return False
