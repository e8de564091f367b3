"""The package's shape: stages in data order, no import cycles, small modules, thin faces.

Data flows one way: submission → execution → evidence → checks → scoring → report →
review → (similarity, across a batch) → rendering, with `pipeline` orchestrating them (and
`distributed` through a broker), `api` on top, and the faces (`cli`, `web`, `demo`,
`python -m grader`) over `api`. A module may import its own stage, earlier ones, `models`,
`errors` and `resources` (the package data); never a later stage. Imports inside
`if TYPE_CHECKING:` follow the same order but cannot form a cycle (they do not run). `make lint` runs this module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

GRADER = Path(__file__).resolve().parents[2] / "grader"
#: The stages in data order; anything may import the foundation (the package root and `FOUNDATION`).
STAGES = (
    "models",
    "submission",
    "execution",
    "evidence",
    "checks",
    "scoring",
    "report",
    "review",
    # Copying across a batch: it reads submissions (and `evidence.code`'s normaliser) and runs after the
    # reports exist; `rendering` draws its pairs and `pipeline.similarity` runs it on a graded batch.
    "similarity",
    "rendering",
    "pipeline",
    # Grading on many Docker hosts: the submitting side wraps `pipeline`'s Grader (RemoteGrader) and the
    # worker runs it; the API hands it out (`make_grader(broker=...)`, `run_worker`) to the faces.
    "distributed",
    "api",
)
FACES = ("cli", "web", "demo", "__main__")
#: What every stage may import: the exceptions and the package data.
FOUNDATION = ("errors", "resources", "pyast")
#: What the CLI and the web app may import besides their own modules.
FACE_ALLOWED = ("grader", "grader.api", "grader.errors")
MAX_LINES = 1000


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    #: Inside `if TYPE_CHECKING:` (never executed).
    typing_only: bool


def _module_name(path: Path) -> str:
    parts = path.relative_to(GRADER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in GRADER.rglob("*.py")}


def _typing_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


@cache
def _imports() -> tuple[Import, ...]:
    modules = _modules()
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"))
        typing = _typing_lines(tree)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                if target == "grader" or target.startswith("grader."):
                    while target not in modules and "." in target:
                        target = target.rsplit(".", 1)[0]
                    found.append(Import(name, target, node.lineno, node.lineno in typing))
    return tuple(found)


def _stage(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in FOUNDATION:
        return -1
    if parts[1] in FACES:
        return len(STAGES)
    return STAGES.index(parts[1])


def test_every_module_belongs_to_a_stage_or_a_face() -> None:
    strays = [m for m in _modules() if m != "grader" and m.split(".")[1] not in (*STAGES, *FACES, *FOUNDATION)]
    assert not strays, f"modules outside the stages and faces: {strays}"


def test_stages_import_only_earlier_stages() -> None:
    backwards = [
        f"{i.importer}:{i.line} imports {i.imported}" for i in _imports() if _stage(i.imported) > _stage(i.importer)
    ]
    assert not backwards, "an import runs back up the pipeline:\n" + "\n".join(backwards)


def test_faces_use_only_the_api() -> None:
    leaks = []
    for i in _imports():
        face = i.importer.split(".")[1] if "." in i.importer else ""
        if face not in ("cli", "web") or i.imported in FACE_ALLOWED:
            continue
        # `grader serve` and `grader user` are the web app's own commands.
        if i.imported.startswith("grader.web"):
            continue
        leaks.append(f"{i.importer}:{i.line} imports {i.imported}")
    assert not leaks, "the CLI and the web app reach past grader.api:\n" + "\n".join(leaks)


def test_the_executor_imports_nothing_from_the_grader() -> None:
    """It runs alone inside the sandbox image, as the `thg_executor` package."""
    outside = [
        f"{i.importer}:{i.line} imports {i.imported}"
        for i in _imports()
        if i.importer.startswith("grader.execution.executor") and not i.imported.startswith("grader.execution.executor")
    ]
    assert not outside, outside


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in _modules()}
    for i in _imports():
        if not i.typing_only and i.imported != i.importer:
            graph[i.importer].add(i.imported)
    cycles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_no_module_is_over_1000_lines() -> None:
    long = {m: n for m, p in _modules().items() if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert not long, f"split these along their seams: {long}"


def test_the_checks_find_real_problems() -> None:
    """The tests above look at real imports: a known backwards import would be caught."""
    assert Import("grader.evidence.x", "grader.rendering.y", 1, False).imported.split(".")[1] == "rendering"
    assert _stage("grader.evidence.context") < _stage("grader.rendering.cells")
    assert any(i.importer == "grader.cli" and i.imported == "grader.api" for i in _imports())
    assert any(i.typing_only for i in _imports())
    assert [sorted(c) for c in _strongly_connected({"a": {"b"}, "b": {"a"}, "c": set()}) if len(c) > 1] == [["a", "b"]]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components
