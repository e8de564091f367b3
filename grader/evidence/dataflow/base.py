"""What every rule set of the interpreter shares: its state, and the operations they call on each other.

The interpreter is one object whose methods are grouped by what they interpret:
statements (`interpreter`), expressions, calls and methods. Each group is a class
deriving from `InterpreterBase`, which holds the state and declares the operations
one group uses from another, so each can be type-checked on its own.
"""

from __future__ import annotations

import ast
import itertools
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from grader.evidence.code import CodeCell, CodeIndex
from grader.evidence.dataflow.values import Data, DataflowResult, Est, Eval, Frame, Func, Loop, Site, Tag, Value


class InterpreterBase:
    """The interpreter's state, and the operations shared between its rule sets."""

    MAX_INLINE_DEPTH = 4
    #: Statements evaluated per notebook before the analysis stops (hostile or generated code).
    MAX_STEPS = 200_000
    #: Loops nested deeper than this run their body once instead of twice.
    MAX_REPEATED_LOOPS = 3

    def __init__(
        self,
        code: CodeIndex,
        *,
        target: str | None = None,
        time_column: str | None = None,
        group_column: str | None = None,
        modules: dict[str, str] | None = None,
    ) -> None:
        self.code = code
        #: The submission's own modules (`features.py` → "features") and their source.
        self.module_sources = dict(modules or {})
        self.module_envs: dict[str, dict[str, Value]] = {}
        self.loading_module: str | None = None
        self.result = DataflowResult(target=target)
        self.time_column = time_column
        self.group_column = group_column
        self.globals: dict[str, Value] = {}
        self.frames: list[Frame] = []
        self.cell: CodeCell | None = None
        self.counter = itertools.count(1)
        self.loop_stack: list[Loop] = []
        self.call_depth = 0
        self.active_functions: list[ast.AST] = []
        #: Comparisons averaged or summed where they stand (`np.mean(pred != y)`): hand-made metrics.
        self.reduced_compares: set[int] = set()
        self.keys: dict[Any, Any] = {}
        self.pending_cuts: dict[tuple[Any, ...], int] = {}
        self.selection_keys: set[tuple[int, int, int]] = set()
        #: Cells of the functions being inlined (innermost last; None for module code) and the outermost call.
        self.def_cells: list[CodeCell | None] = []
        self.call_sites: list[tuple[int, int]] = []
        self.call_nodes: list[int] = []
        self._select_sites: dict[str, Site] = {}
        self.steps = 0

    # ---------------------------------------------------------------- shared operations

    def mark_sweep(self, node: ast.AST, est: Est) -> None:
        """An estimator built or re-parameterised from loop variables: each such loop sweeps values.

        Every enclosing loop whose variable the call reads counts, not only the innermost
        (`for n in sizes: for c in criteria: Tree(max_leaf_nodes=n)` sweeps `n`).
        """
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for loop in reversed(self.loop_stack):
            if used & set(loop.targets):
                loop.sweeps = True
                if est.sweep_loop is None:
                    est.sweep_loop = loop.id

    @abstractmethod
    def inline(self, node: ast.Call, func: Func, args: list[Value], kwargs: dict[str, Value]) -> Value: ...

    @abstractmethod
    def select(self, node: ast.AST, scores: frozenset[int], how: str) -> None: ...

    @abstractmethod
    def metric(self, node: ast.AST, function: str, args: list[Value], kwargs: dict[str, Value]) -> Value: ...

    @abstractmethod
    def estimator_score(self, node: ast.AST, function: str, est: Est, data: Data, tags: frozenset[Tag]) -> Eval: ...

    @staticmethod
    @abstractmethod
    def rows_of(data: Data) -> frozenset[Tag]: ...

    @abstractmethod
    def statistic(self, node: ast.Call, data: Data, method: str, *, target: bool = False) -> Data: ...

    @abstractmethod
    def informed_by_target(self, key: Data) -> bool: ...

    @abstractmethod
    def chosen_columns(self, node: ast.AST, base: Data, key: Data) -> Data: ...

    @abstractmethod
    def expr(self, node: ast.expr | None) -> Value: ...

    @abstractmethod
    def column(self, frame: Data, column: str, node: ast.AST) -> Data: ...

    @abstractmethod
    def _is_target_col(self, frame: Data, column: str) -> bool: ...

    @abstractmethod
    def new_id(self) -> int: ...

    @abstractmethod
    def keyed(self, kind: str, node: ast.AST, make: Any) -> Any: ...

    @abstractmethod
    def site(self, node: ast.AST) -> Site: ...

    @property
    @abstractmethod
    def loops(self) -> tuple[int, ...]: ...

    @abstractmethod
    def lookup(self, name: str) -> Value: ...

    @abstractmethod
    def _in_module_function(self) -> bool: ...

    @abstractmethod
    def module_value(self, qual: str) -> Value: ...

    @abstractmethod
    def bind(self, name: str, value: Value) -> None: ...

    @abstractmethod
    def body(self, statements: Sequence[ast.stmt]) -> None: ...

    @abstractmethod
    def assign(
        self, target: ast.expr, value: Value, source: ast.expr | None = None, *, augment: bool = False
    ) -> None: ...

    @abstractmethod
    def _recombines(self, tags: frozenset[Tag]) -> bool: ...

    @abstractmethod
    def estimator_method(
        self, node: ast.Call, est: Est, method: str, args: list[Value], kwargs: dict[str, Value]
    ) -> Value: ...

    @abstractmethod
    def utils_resample(self, node: ast.Call, args: list[Value], upsample: bool) -> Value: ...

    @abstractmethod
    def data_method(
        self, node: ast.Call, data: Data, method: str, args: list[Value], kwargs: dict[str, Value]
    ) -> Value: ...

    @abstractmethod
    def _merge(self, left: Data, right: Data | None) -> Data: ...

    @abstractmethod
    def element_of(self, value: Value) -> Value: ...

    @abstractmethod
    def column_sites(self, value: Value) -> dict[str, Site]: ...

    @abstractmethod
    def column_names(self, value: Value) -> list[str]: ...
