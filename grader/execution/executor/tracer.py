"""The recorder the tracing wrappers write to: budgets, row fingerprints and sketches, call context."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import threading
import weakref
from typing import Any

TRACE_VERSION = 1
#: Libraries whose modules are patched when imported.
PREFIXES = ("sklearn", "imblearn", "xgboost", "lightgbm", "category_encoders")
FIT_METHODS = ("fit", "partial_fit", "fit_transform", "fit_resample", "fit_predict")
USE_METHODS = ("transform", "predict", "predict_proba", "decision_function", "score")
SPLIT_FUNCTIONS = ("train_test_split",)
CV_FUNCTIONS = ("cross_val_score", "cross_validate", "cross_val_predict")
METRIC_MODULES = ("sklearn.metrics._classification", "sklearn.metrics._ranking", "sklearn.metrics._regression")
METRIC_NAME = re.compile(r"(_score|_error|_loss|^log_loss|^r2_score|^confusion_matrix|^classification_report)$")
PANDAS_STATS = ("mean", "median", "mode", "std", "var", "quantile", "min", "max")
GROUPBY_STATS = ("mean", "median", "transform", "agg", "aggregate")
#: Arrays with more cells than this are not hashed (shape only).
MAX_HASH_CELLS = 10_000_000
MAX_HASH_ROWS = 1_000_000
#: Row-set sketches keep at most this many hashes (consistent sampling above it).
MAX_SKETCH = 16_384
MAX_SKETCH_STAT = 16_384
#: Lineage map (transformed row → original row) size cap.
MAX_ALIAS = 2_000_000
MAX_EVENTS = 20_000
MAX_ERRORS = 200
MAX_COLUMNS = 300
MAX_FOLDS = 20
#: Single-feature predictiveness: rows and columns examined, and the time budget per fit.
PROBE_ROWS = 20_000
PROBE_COLUMNS = 200
PROBE_SECONDS = 0.5
#: Reported single-feature scores start here: LEAK009 flags near-perfect ones (min_score 0.99); the id-column
#: check (LEAK012) reads the rest to tell an id that encodes the outcome.
PROBE_REPORT = 0.9
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class Tracer:
    """The recorder; one per kernel."""

    def __init__(self, config: dict[str, Any]) -> None:
        path = str(config["trace_path"])
        limit = int(config.get("max_trace_bytes", 8 * 1024 * 1024))
        if limit <= 0:
            raise ValueError(f"max_trace_bytes must be positive, got {limit}")
        self.limit = limit
        self.handle = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the kernel's life
        self.written = 0
        self.full = False
        self.off = False
        self.seq = 0
        self.events = 0
        self.errors = 0
        self.local = threading.local()
        self.lock = threading.RLock()
        self.notebook = str(config.get("notebook", ""))
        self.work_dir = str(config.get("work_dir", "") or "")
        self.group_patterns = _group_patterns(config.get("group_patterns"))
        self.cell_prefixes = self._cell_prefixes()
        self.rowsets: dict[bytes, int] = {}
        self.alias: dict[int, int] = {}
        self.via: dict[int, int] = {}
        self.alias_full = False
        self.tokens: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self.token_ids: dict[int, int] = {}
        self.generations: dict[int, int] = {}
        self.next_token = 0
        self.run = 0
        self.objects: dict[int, tuple[Any, int, int]] = {}
        self.outputs: dict[bytes, int] = {}
        self.probed: set[tuple[int, str]] = set()
        self.index_cache: list[tuple[Any, dict[str, Any] | None]] = []
        #: id of a statistic's result → (weak reference, event seq), to link `fillna(df.mean())`.
        self.stats_out: dict[int, tuple[Any, int]] = {}
        self.error_kinds: set[str] = set()

    # ------------------------------------------------------------------ output

    def _cell_prefixes(self) -> tuple[str, ...]:
        prefixes = ["<ipython-input-", os.path.join(tempfile.gettempdir(), f"ipykernel_{os.getpid()}")]
        if self.work_dir:
            prefixes.append(self.work_dir.rstrip("/") + "/")
        return tuple(prefixes)

    def write(self, record: dict[str, Any]) -> None:
        if self.full:
            return
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        with self.lock:
            if self.written + len(line) > self.limit - 200:
                self.full = True
                note = json.dumps({"kind": "truncated", "at": self.seq}) + "\n"
                self.handle.write(note)
                self.handle.flush()
                return
            self.handle.write(line)
            self.handle.flush()
            self.written += len(line)

    def error(self, where: str, exc: BaseException) -> None:
        self.errors += 1
        if self.errors > MAX_ERRORS:
            self.off = True
            return
        kind = f"{where}:{type(exc).__name__}"
        if kind in self.error_kinds and self.errors > 20:
            return
        self.error_kinds.add(kind)
        with contextlib.suppress(Exception):
            self.write({"kind": "error", "where": where[:80], "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        if self.errors >= MAX_ERRORS:
            self.off = True
            with contextlib.suppress(Exception):
                self.write({"kind": "disabled", "reason": f"{MAX_ERRORS} internal errors"})

    # ------------------------------------------------------------------ call context

    @property
    def depth(self) -> int:
        return getattr(self.local, "depth", 0)

    def enter(self) -> None:
        self.local.depth = self.depth + 1

    def leave(self) -> None:
        self.local.depth = max(0, self.depth - 1)

    def is_user_frame(self, frame: Any) -> bool:
        return frame is not None and frame.f_code.co_filename.startswith(self.cell_prefixes)

    def recording(self, caller: Any) -> bool:
        """Record only calls made directly from the candidate's code, outside other traced calls."""
        return (
            not self.off
            and not self.full
            and self.depth == 0
            and self.events < MAX_EVENTS
            and self.is_user_frame(caller)
        )

    def where(self, caller: Any) -> dict[str, Any]:
        """Execution count of the running cell and the line in it (outermost user frame)."""
        line = None
        frame = caller
        hops = 0
        while frame is not None and hops < 60:
            if self.is_user_frame(frame):
                line = frame.f_lineno
            frame = frame.f_back
            hops += 1
        # `run` numbers the cells as they start; `cell` records map it to the execution count.
        return {"run": self.run, "line": line}

    def next_seq(self) -> int:
        self.seq += 1
        self.events += 1
        return self.seq

    # ------------------------------------------------------------------ fingerprints

    def rowset(self, hashes: Any, n: int, cap: int = MAX_SKETCH) -> int | None:
        """Write a row-set sketch once and return its id; `hashes` is a uint64 numpy array."""
        np = sys.modules.get("numpy")
        if np is None or hashes is None:
            return None
        unique = np.unique(hashes)
        k = 1
        while unique.size // k > cap:
            k *= 2
        if k > 1:
            unique = unique[(unique & np.uint64(k - 1)) == 0]
        data = unique.astype("<u8", copy=False).tobytes()
        key = hashlib.blake2b(data + k.to_bytes(8, "little") + n.to_bytes(8, "little"), digest_size=16).digest()
        with self.lock:
            found = self.rowsets.get(key)
            if found is not None:
                return found
            rid = len(self.rowsets) + 1
            self.rowsets[key] = rid
        self.write(
            {
                "kind": "rows",
                "id": rid,
                "n": int(n),
                "k": k,
                "u": int(unique.size),
                "h": base64.b64encode(data).decode("ascii"),
            }
        )
        return rid

    def content_hashes(self, obj: Any) -> Any:
        """One uint64 per row of a 2-D table (or per element of a 1-D array), or None."""
        pd = sys.modules.get("pandas")
        np = sys.modules.get("numpy")
        if pd is None or np is None:
            return None
        if getattr(obj, "ndim", 0) >= 1 and len(obj) > MAX_HASH_ROWS:
            return None
        if isinstance(obj, pd.DataFrame):
            if obj.shape[0] * max(1, obj.shape[1]) > MAX_HASH_CELLS:
                return None
            return pd.util.hash_pandas_object(obj, index=False).to_numpy()
        if isinstance(obj, pd.Series):
            if obj.shape[0] > MAX_HASH_CELLS:
                return None
            return pd.util.hash_pandas_object(obj, index=False).to_numpy()
        if isinstance(obj, np.ndarray):
            if obj.size > MAX_HASH_CELLS or obj.ndim == 0 or obj.ndim > 2 or obj.dtype.kind not in "biufcMmOUSb?":
                return None
            if obj.ndim == 1:
                return pd.util.hash_pandas_object(pd.Series(obj, copy=False), index=False).to_numpy()
            return pd.util.hash_pandas_object(pd.DataFrame(obj, copy=False), index=False).to_numpy()
        return None

    def index_hashes(self, obj: Any) -> Any:
        pd = sys.modules.get("pandas")
        if pd is None or not isinstance(obj, (pd.DataFrame, pd.Series)):
            return None
        index = obj.index
        if len(index) > MAX_HASH_CELLS:
            return None
        return (
            pd.util.hash_pandas_object(index, index=False).to_numpy()
            if not isinstance(index, pd.MultiIndex)
            else pd.util.hash_pandas_object(index.to_frame(index=False), index=False).to_numpy()
        )

    def index_rowset(self, obj: Any, cap: int) -> int | None:
        """Row-set of the pandas index labels; cached per Index object (immutable)."""
        pd = sys.modules.get("pandas")
        if pd is None or not isinstance(obj, (pd.DataFrame, pd.Series)):
            return None
        index = obj.index
        for cached, value in self.index_cache:
            if cached is index and value is not None and value.get("cap") == cap:
                return int(value["id"])
        hashes = self.index_hashes(obj)
        rid = self.rowset(hashes, len(index), cap) if hashes is not None else None
        self.index_cache.insert(0, (index, {"id": rid, "cap": cap}))
        del self.index_cache[8:]
        return rid

    def origins(self, hashes: Any) -> tuple[Any, list[int]]:
        """Map content hashes through the lineage map; also the transform events they went through."""
        np = sys.modules["numpy"]
        if not self.alias:
            return hashes, []
        alias = self.alias
        mapped = np.fromiter((alias.get(int(h), int(h)) for h in hashes), dtype=np.uint64, count=len(hashes))
        via: set[int] = set()
        for h in hashes[: min(len(hashes), 5000)]:
            step = self.via.get(int(h))
            if step is not None:
                via.add(step)
                if len(via) >= 20:
                    break
        return mapped, sorted(via)

    def link(self, before: Any, after: Any, seq: int) -> None:
        """Row i of `after` is row i of `before`, transformed by event `seq`."""
        if before is None or after is None or len(before) != len(after) or self.alias_full:
            return
        alias = self.alias
        for old, new in zip(before.tolist(), after.tolist()):
            if new == old:
                continue
            alias[new] = alias.get(old, old)
            self.via[new] = seq
        if len(alias) > MAX_ALIAS:
            self.alias_full = True

    def describe(
        self, obj: Any, cap: int = MAX_SKETCH, *, content: bool = True, want_hashes: bool = False
    ) -> tuple[dict[str, Any], Any]:
        """A compact description of a data argument, and its raw content hashes (or None)."""
        info: dict[str, Any] = {"type": type(obj).__name__}
        shape = getattr(obj, "shape", None)
        if isinstance(shape, tuple):
            info["shape"] = [int(s) if isinstance(s, int) else None for s in shape[:2]]
        elif isinstance(obj, (list, tuple)):
            info["shape"] = [len(obj)]
        pd = sys.modules.get("pandas")
        if pd is not None and isinstance(obj, pd.DataFrame):
            info["cols"] = [str(c)[:100] for c in list(obj.columns[:MAX_COLUMNS])]
            if obj.shape[1] > MAX_COLUMNS:
                info["cols_truncated"] = int(obj.shape[1])
        elif pd is not None and isinstance(obj, pd.Series) and obj.name is not None:
            info["name"] = str(obj.name)[:100]
        raw = None
        if content:
            try:
                raw = self.content_hashes(obj)
            except Exception as exc:  # noqa: BLE001 - e.g. unhashable cells: no fingerprint
                info["hash_error"] = type(exc).__name__
                raw = None
            if raw is not None and getattr(obj, "ndim", 2) == 1:
                # A column's values say nothing about row identity; its digest says which vector it is.
                info["digest"] = digest(raw)
            elif raw is not None:
                mapped, via = self.origins(raw)
                info["rows"] = self.rowset(mapped, len(raw), cap)
                if via:
                    info["via"] = via
        index = self.index_rowset(obj, cap)
        if index is not None:
            info["index"] = index
        return info, (raw if want_hashes or content else None)

    def token(self, obj: Any) -> int:
        try:
            found = self.tokens.get(obj)
        except TypeError:
            found = self.token_ids.get(id(obj))
        if found is not None:
            return found
        self.next_token += 1
        try:
            self.tokens[obj] = self.next_token
        except TypeError:
            self.token_ids[id(obj)] = self.next_token
        return self.next_token

    def remember(self, obj: Any, seq: int, part: int) -> None:
        """Object identity of a split output or prediction, for linking later calls."""
        try:
            ref = weakref.ref(obj)
        except TypeError:
            return
        self.objects[id(obj)] = (ref, seq, part)
        if len(self.objects) > 5000:
            for key in list(self.objects)[:1000]:
                self.objects.pop(key, None)

    def lookup(self, obj: Any) -> tuple[int, int] | None:
        entry = self.objects.get(id(obj))
        if entry is None:
            return None
        ref, seq, part = entry
        return (seq, part) if ref() is obj else None

    # ------------------------------------------------------------------ estimators

    def estimator_info(self, est: Any) -> dict[str, Any]:
        cls = type(est)
        info: dict[str, Any] = {"cls": cls.__name__, "module": (cls.__module__ or "")[:80], "inst": self.token(est)}
        steps = getattr(est, "steps", None)
        if isinstance(steps, list):
            info["steps"] = [type(s[1]).__name__ for s in steps[:20] if isinstance(s, tuple) and len(s) >= 2]
        inner = getattr(est, "estimator", None)
        if inner is not None and hasattr(inner, "fit"):
            info["inner"] = type(inner).__name__
            inner_steps = getattr(inner, "steps", None)
            if isinstance(inner_steps, list):
                info["inner_steps"] = [
                    type(s[1]).__name__ for s in inner_steps[:20] if isinstance(s, tuple) and len(s) >= 2
                ]
        if cls.__name__.endswith("SearchCV") or hasattr(est, "param_grid") or hasattr(est, "param_distributions"):
            info["search"] = True
            info["cv"] = cv_info(getattr(est, "cv", None))
        info["predictor"] = any(hasattr(cls, m) for m in ("predict", "predict_proba")) and not hasattr(cls, "split")
        info["transformer"] = hasattr(cls, "transform") or hasattr(cls, "fit_resample")
        return info


def digest(hashes: Any) -> str:
    """A short digest of a row set's hashes."""
    return hashlib.blake2b(hashes.astype("<u8", copy=False).tobytes(), digest_size=8).hexdigest()


def ipython() -> Any:
    """The running IPython shell, if any."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    getter = getattr(module, "get_ipython", None)
    return getter() if getter else None


def cv_info(cv: Any) -> dict[str, Any] | None:
    """What a `cv=` argument says: a fold count or a splitter's class and settings."""
    if cv is None:
        return None
    if isinstance(cv, int):
        return {"n": cv}
    info: dict[str, Any] = {"cls": type(cv).__name__}
    for attr in ("shuffle", "n_splits", "gap", "test_size"):
        value = getattr(cv, attr, None)
        if isinstance(value, (bool, int, float)) or value is None:
            info[attr] = value
    return info


def small(value: Any) -> Any:
    """A value short enough for a trace event (long strings cut, objects by type name)."""
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, str):
        return value[:80]
    return type(value).__name__


def _group_patterns(raw: Any) -> dict[str, re.Pattern[str]]:
    """The assignment's group patterns by column; one that does not compile is left out."""
    patterns: dict[str, re.Pattern[str]] = {}
    for column, pattern in (raw or {}).items() if isinstance(raw, dict) else ():
        with contextlib.suppress(re.error, TypeError):
            patterns[str(column)] = re.compile(str(pattern))
    return patterns
