"""Runtime tracer: runs inside the candidate's kernel and records what the data went through.

Installed by `kernel_setup.install` before the candidate's first cell. It wraps the
scikit-learn (and imbalanced-learn, xgboost, lightgbm, category_encoders) methods
that learn from data or use what was learnt (`fit`, `fit_transform`, `fit_resample`,
`partial_fit`, `transform`, `predict`, `score`, ...), the split functions and
splitters, the cross-validation helpers, the metric functions and pandas'
whole-frame statistics, and records one JSON line per call made *from the
candidate's code*: the cell (IPython's execution count), the line, the class, and
a fingerprint of the rows the call saw. Rows are fingerprinted by 64-bit hashes of
their contents (and of their pandas index labels); the data itself is never
written. Large row sets are sampled consistently (only hashes whose low bits are
zero are kept), so sets recorded at different moments can still be intersected.

Rules it keeps, because the candidate's results must not change:

- calls pass through with the same arguments and return the same objects; the
  tracer only reads its inputs (no copies that alter dtypes, no writes);
- it never draws random numbers and never touches the warnings machinery;
- every exception inside the tracer is swallowed and recorded; after too many,
  the tracer stops recording but the wrappers keep passing calls through;
- per-call budgets: arrays above `MAX_HASH_CELLS` are not hashed, row sets are
  sampled down to a fixed size, and the trace file is capped at `max_trace_bytes`.

Patching is lazy: a meta-path finder wraps each module of the traced libraries
right after it is imported, so the candidate's imports work as usual.

This module holds the wrappers, the patching and `install`; the recorder is in
`tracer`, what is recorded of each kind of call in `recording`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import inspect
import os
import sys
from typing import Any

from .recording import (
    finish_estimator_call,
    record_column_lineage,
    record_cv,
    record_estimator_call,
    record_folds,
    record_metric,
    record_split,
    record_stat,
)
from .tracer import (
    CV_FUNCTIONS,
    FIT_METHODS,
    GROUPBY_STATS,
    METRIC_MODULES,
    METRIC_NAME,
    PANDAS_STATS,
    PREFIXES,
    SPLIT_FUNCTIONS,
    TRACE_VERSION,
    USE_METHODS,
    Tracer,
    ipython,
)

_STATE: Tracer | None = None


# --------------------------------------------------------------------------- wrappers


#: Ids of our wrappers. An attribute marker would not do: `functools.wraps` in other
#: libraries' decorators copies `__dict__`, so their wrappers would look like ours.
_WRAPPERS: set[int] = set()


def _traced(func: Any) -> bool:
    return id(func) in _WRAPPERS


def _mark(wrapper: Any) -> Any:
    _WRAPPERS.add(id(wrapper))
    return wrapper


def _wrap_method(func: Any, method: str) -> Any:
    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        t = _STATE
        if t is None:
            return func(self, *args, **kwargs)
        caller = sys._getframe(1)
        if not t.recording(caller):
            t.enter()
            try:
                return func(self, *args, **kwargs)
            finally:
                t.leave()
        event = None
        t.enter()
        try:
            try:
                event = record_estimator_call(t, method, self, args, kwargs, caller)
            except Exception as exc:  # noqa: BLE001 - the tracer never breaks a call
                t.error(f"{method}:before", exc)
            result = func(self, *args, **kwargs)
            if event is not None:
                try:
                    finish_estimator_call(t, event, self, args, kwargs, result)
                except Exception as exc:  # noqa: BLE001
                    t.error(f"{method}:after", exc)
            return result
        finally:
            t.leave()

    return _mark(wrapper)


def _wrap_split_method(func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        t = _STATE
        generator = func(self, *args, **kwargs)
        if t is None:
            return generator
        caller = sys._getframe(1)
        if not t.recording(caller):
            return generator
        try:
            x = args[0] if args else kwargs.get("X")
            return record_folds(t, caller, self, x, generator)
        except Exception as exc:  # noqa: BLE001
            t.error("split", exc)
            return generator

    return _mark(wrapper)


def _wrap_function(func: Any, kind: str, name: str) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = _STATE
        if t is None:
            return func(*args, **kwargs)
        caller = sys._getframe(1)
        record = t.recording(caller)
        t.enter()
        try:
            result = func(*args, **kwargs)
            if record:
                try:
                    if kind == "split":
                        record_split(t, caller, args, kwargs, result)
                    elif kind == "cv":
                        record_cv(t, caller, name, args, kwargs, result)
                    else:
                        record_metric(t, caller, name, args, kwargs, result)
                except Exception as exc:  # noqa: BLE001
                    t.error(name, exc)
            return result
        finally:
            t.leave()

    return _mark(wrapper)


def _wrap_stat(func: Any, owner: str, method: str) -> Any:
    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        t = _STATE
        if t is None:
            return func(self, *args, **kwargs)
        caller = sys._getframe(1)
        record = t.recording(caller)
        t.enter()
        try:
            result = func(self, *args, **kwargs)
            if record:
                try:
                    record_stat(t, caller, owner, method, self, args, kwargs, result)
                except Exception as exc:  # noqa: BLE001
                    t.error(f"{owner}.{method}", exc)
            return result
        finally:
            t.leave()

    return _mark(wrapper)


def _wrap_lineage(func: Any, method: str) -> Any:
    """New columns from named series (pandas keeps a series' name through `notna`, `map`, `str.len`...):
    `df["new"] = df["old"].notna()` (`__setitem__`) and `df.assign(new=df["old"] * 2)` record their lineage."""

    @functools.wraps(func)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        t = _STATE
        if t is None:
            return func(self, *args, **kwargs)
        caller = sys._getframe(1)
        record = t.recording(caller)
        t.enter()
        try:
            result = func(self, *args, **kwargs)
            if record:
                try:
                    columns = {args[0]: args[1]} if method == "__setitem__" and len(args) == 2 else kwargs
                    record_column_lineage(t, caller, columns)
                except Exception as exc:  # noqa: BLE001
                    t.error(f"DataFrame.{method}", exc)
            return result
        finally:
            t.leave()

    return _mark(wrapper)


# --------------------------------------------------------------------------- patching


def _patch_class_method(cls: type, name: str, make: Any) -> bool:
    raw = cls.__dict__.get(name)
    if raw is None:
        return False
    if inspect.isfunction(raw):
        if _traced(raw):
            return False
        setattr(cls, name, make(raw))
        return True
    # scikit-learn's `available_if` descriptors keep the function in `.fn`.
    inner = getattr(raw, "fn", None)
    if inspect.isfunction(inner) and not _traced(inner):
        with contextlib.suppress(AttributeError, TypeError):
            raw.fn = make(inner)
            return True
    return False


def patch_module(module: Any) -> int:
    """Wrap the traced methods and functions a library module defines; returns how many."""
    name = getattr(module, "__name__", "") or ""
    count = 0
    if name == "pandas":
        return _patch_pandas(module)
    if not name.startswith(PREFIXES):
        return 0
    namespace = getattr(module, "__dict__", {})
    for attr, value in list(namespace.items()):
        if isinstance(value, type) and value.__module__ == name:
            for method in FIT_METHODS + USE_METHODS:
                count += _patch_class_method(value, method, lambda f, m=method: _wrap_method(f, m))
            if name.startswith("sklearn.model_selection") and "split" in value.__dict__:
                count += _patch_class_method(value, "split", _wrap_split_method)
        elif inspect.isfunction(value) and not _traced(value):
            kind = None
            if attr in SPLIT_FUNCTIONS:
                kind = "split"
            elif attr in CV_FUNCTIONS:
                kind = "cv"
            elif name in METRIC_MODULES and not attr.startswith("_") and METRIC_NAME.search(attr):
                kind = "metric"
            if kind is not None and value.__module__ == name:
                setattr(module, attr, _wrap_function(value, kind, attr))
                count += 1
    return count


def _patch_pandas(pd: Any) -> int:
    count = 0
    for owner in (getattr(pd, "DataFrame", None), getattr(pd, "Series", None)):
        if owner is None:
            continue
        for method in (*PANDAS_STATS, "fillna"):
            func = getattr(owner, method, None)
            if inspect.isfunction(func) and not _traced(func):
                setattr(owner, method, _wrap_stat(func, owner.__name__, method))
                count += 1
    frame = getattr(pd, "DataFrame", None)
    if frame is not None:
        for method in ("__setitem__", "assign"):
            func = frame.__dict__.get(method)
            if inspect.isfunction(func) and not _traced(func):
                setattr(frame, method, _wrap_lineage(func, method))
                count += 1
    with contextlib.suppress(Exception):
        from pandas.core.groupby import generic

        for owner in (generic.SeriesGroupBy, generic.DataFrameGroupBy):
            for method in GROUPBY_STATS:
                func = getattr(owner, method, None)
                if inspect.isfunction(func) and not _traced(func):
                    setattr(owner, method, _wrap_stat(func, owner.__name__, method))
                    count += 1
    return count


class _PatchingLoader(importlib.abc.Loader):
    """Delegates to the real loader, then patches the module it executed."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        t = _STATE
        if t is not None:
            try:
                patch_module(module)
            except Exception as exc:  # noqa: BLE001 - never break an import
                t.error(f"patch:{module.__name__}", exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _PatchingFinder(importlib.abc.MetaPathFinder):
    """Finds traced libraries' modules with the normal path finder and wraps their loader."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "pandas" and not fullname.startswith(PREFIXES):
            return None
        if fullname.split(".")[0] not in ("pandas", *PREFIXES):
            return None
        try:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        except Exception:  # noqa: BLE001 - let the normal machinery report it
            return None
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _PatchingLoader(spec.loader)
        return spec


_FINDER: _PatchingFinder | None = None


def install(config: dict[str, Any]) -> None:
    """Start tracing in this kernel; raises (leaving nothing installed) if it cannot."""
    global _STATE, _FINDER
    if _STATE is not None:
        return
    tracer = Tracer(config)
    try:
        tracer.write(
            {
                "kind": "header",
                "version": TRACE_VERSION,
                "notebook": tracer.notebook,
                "pid": os.getpid(),
                "python": sys.version.split()[0],
            }
        )
        _STATE = tracer
        _FINDER = _PatchingFinder()
        sys.meta_path.insert(0, _FINDER)
        for name in sorted(sys.modules):
            if name == "pandas" or name.split(".")[0] in PREFIXES:
                module = sys.modules.get(name)
                if module is not None:
                    patch_module(module)
        shell = ipython()
        if shell is not None:
            shell.events.register("pre_run_cell", _pre_run_cell)
            shell.events.register("post_run_cell", _post_run_cell)
    except Exception:
        uninstall()
        with contextlib.suppress(Exception):
            tracer.handle.close()
        raise


def _pre_run_cell(info: Any) -> None:
    t = _STATE
    if t is None:
        return
    t.run += 1
    with contextlib.suppress(Exception):
        shell = ipython()
        record: dict[str, Any] = {
            "kind": "cell",
            "run": t.run,
            "started": int(shell.execution_count) if shell is not None else None,
        }
        cell_id = getattr(info, "cell_id", None)
        if isinstance(cell_id, str):
            record["cell_id"] = cell_id[:80]
        t.write(record)


def _post_run_cell(result: Any) -> None:
    """The execution count IPython gave the cell (its numbering differs between versions)."""
    t = _STATE
    if t is None:
        return
    with contextlib.suppress(Exception):
        count = getattr(result, "execution_count", None)
        t.write(
            {
                "kind": "cell_done",
                "run": t.run,
                "count": int(count) if count is not None else None,
                "error": bool(getattr(result, "error_in_exec", None)),
            }
        )


def uninstall() -> None:
    """Stop recording (wrappers stay but pass calls straight through)."""
    global _STATE, _FINDER
    _STATE = None
    if _FINDER is not None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(_FINDER)
        _FINDER = None
