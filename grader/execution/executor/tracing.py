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
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import importlib.abc
import importlib.machinery
import inspect
import json
import os
import re
import sys
import tempfile
import threading
import time
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
PROBE_REPORT = 0.97
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")

_STATE: Tracer | None = None


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
                return value["id"]
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
                info["digest"] = _digest(raw)
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
            info["cv"] = _cv_info(getattr(est, "cv", None))
        info["predictor"] = any(hasattr(cls, m) for m in ("predict", "predict_proba")) and not hasattr(cls, "split")
        info["transformer"] = hasattr(cls, "transform") or hasattr(cls, "fit_resample")
        return info


def _digest(hashes: Any) -> str:
    return hashlib.blake2b(hashes.astype("<u8", copy=False).tobytes(), digest_size=8).hexdigest()


def _ipython() -> Any:
    module = sys.modules.get("IPython")
    if module is None:
        return None
    getter = getattr(module, "get_ipython", None)
    return getter() if getter else None


def _cv_info(cv: Any) -> dict[str, Any] | None:
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


def _small(value: Any) -> Any:
    if isinstance(value, (bool, int, float)) or value is None:
        return value
    if isinstance(value, str):
        return value[:80]
    return type(value).__name__


# --------------------------------------------------------------------------- recording helpers


def _record_estimator_call(
    t: Tracer, method: str, est: Any, args: tuple[Any, ...], kwargs: dict[str, Any], caller: Any
) -> dict[str, Any] | None:
    """Everything known before the call runs; completed by `_finish_estimator_call`."""
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "call", "seq": seq, "method": method, **t.where(caller)}
    event.update(t.estimator_info(est))
    x = args[0] if args else kwargs.get("X", kwargs.get("x"))
    y = args[1] if len(args) > 1 else kwargs.get("y")
    if x is not None:
        info, raw = t.describe(x)
        link = t.lookup(x)
        if link:
            info["obj"] = list(link)
        event["x"] = info
        event["_raw"] = raw
    if y is not None and method in ("fit", "partial_fit", "fit_transform", "fit_resample", "score", "fit_predict"):
        info, _ = t.describe(y, content=True)
        link = t.lookup(y)
        if link:
            info["obj"] = list(link)
        event["y"] = info
    if method in ("fit", "partial_fit", "fit_transform", "fit_resample"):
        gen = t.generations.get(event["inst"], 0) + 1
        t.generations[event["inst"]] = gen
        event["gen"] = gen
        with contextlib.suppress(Exception):
            event["repr"] = repr(est)[:200].replace("\n", " ")
        extras = {k: _small(v) for k, v in kwargs.items() if k not in ("X", "y", "x", "eval_set")}
        if extras:
            event["call_kwargs"] = dict(list(extras.items())[:10])
        eval_set = kwargs.get("eval_set")
        if isinstance(eval_set, (list, tuple)) and eval_set:
            sets = []
            for pair in list(eval_set)[:4]:
                if isinstance(pair, (list, tuple)) and pair:
                    info, _ = t.describe(pair[0])
                    sets.append(info)
            event["eval_set"] = sets
        stopping = kwargs.get("early_stopping_rounds")
        params = {}
        with contextlib.suppress(Exception):
            params = est.get_params(deep=False) if hasattr(est, "get_params") else {}
        if stopping is None:
            stopping = params.get("early_stopping_rounds")
        callbacks = kwargs.get("callbacks") or params.get("callbacks") or []
        if stopping or any("early_stopping" in repr(c) for c in (callbacks if isinstance(callbacks, list) else [])):
            event["early_stopping"] = True
    else:
        event["gen"] = t.generations.get(event["inst"], 0)
    return event


def _finish_estimator_call(
    t: Tracer, event: dict[str, Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    method = event["method"]
    raw = event.pop("_raw", None)
    if method in ("fit_transform", "transform") and raw is not None:
        out_raw = t.content_hashes(result) if result is not None and not isinstance(result, tuple) else None
        if out_raw is not None and len(out_raw) == len(raw):
            t.link(raw, out_raw, event["seq"])
            event["out"] = {"shape": list(getattr(result, "shape", ()))[:2]}
    elif method == "fit_resample" and isinstance(result, tuple) and result:
        out_raw = t.content_hashes(result[0])
        if out_raw is not None and raw is not None:
            np = sys.modules["numpy"]
            original = np.isin(out_raw, raw)
            mapped, _ = t.origins(out_raw)
            event["out"] = {
                "rows": t.rowset(mapped, len(out_raw)),
                "shape": list(getattr(result[0], "shape", ()))[:2],
                "synthetic": t.rowset(out_raw[~original], int((~original).sum())),
                "n_synthetic": int((~original).sum()),
            }
    elif method in ("predict", "predict_proba", "decision_function") and result is not None:
        digests = _output_digests(t, result)
        if digests:
            event["out_digests"] = digests
            for digest in digests:
                t.outputs[bytes.fromhex(digest)] = event["seq"]
        t.remember(result, event["seq"], 0)
    elif method == "score" and isinstance(result, (int, float)):
        event["value"] = float(result)
    if method in ("fit", "partial_fit", "fit_transform", "fit_resample"):
        _after_fit(t, event, est, args, kwargs)
    t.write(event)


def _output_digests(t: Tracer, result: Any) -> list[str]:
    np = sys.modules.get("numpy")
    if np is None:
        return []
    digests = []
    arr = result if isinstance(result, np.ndarray) else None
    if arr is None:
        to_numpy = getattr(result, "to_numpy", None)
        if to_numpy is None:
            return []
        return [d for d in [_maybe_digest(t, result)] if d]
    if arr.ndim == 1:
        d = _maybe_digest(t, arr)
        return [d] if d else []
    if arr.ndim == 2:
        for column in range(min(arr.shape[1], 3)):
            d = _maybe_digest(t, arr[:, column])
            if d:
                digests.append(d)
    return digests


def _maybe_digest(t: Tracer, values: Any) -> str | None:
    hashes = t.content_hashes(values)
    return _digest(hashes) if hashes is not None else None


def _after_fit(t: Tracer, event: dict[str, Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Facts only available once fitted: the columns a pipeline used, search results, feature probes."""
    if event.get("search"):
        with contextlib.suppress(Exception):
            event["best_params"] = {str(k)[:60]: _small(v) for k, v in list(est.best_params_.items())[:20]}
        with contextlib.suppress(Exception):
            event["best_score"] = float(est.best_score_)
    names = None
    with contextlib.suppress(Exception):
        if getattr(est, "steps", None) and len(est.steps) > 1:
            names = est[:-1].get_feature_names_out()
    if names is None:
        with contextlib.suppress(Exception):
            names = getattr(est, "feature_names_in_", None)
    if names is not None:
        with contextlib.suppress(Exception):
            event["features"] = [str(n)[:120] for n in list(names)[:MAX_COLUMNS]]
    if event.get("predictor") and not event.get("search") and "y" in event and "x" in event:
        x = args[0] if args else kwargs.get("X")
        y = args[1] if len(args) > 1 else kwargs.get("y")
        key = (event["x"].get("rows") or -1, event["y"].get("digest") or "")
        if key not in t.probed and x is not None and y is not None:
            t.probed.add(key)
            try:
                probes = _probe_features(x, y)
            except Exception as exc:  # noqa: BLE001 - a failed probe is only noted
                t.error("probe", exc)
                probes = None
            if probes:
                event["probe"] = probes


def _probe_features(x: Any, y: Any) -> list[dict[str, Any]]:
    """Columns that alone predict the target almost perfectly (in-sample, read-only)."""
    np = sys.modules["numpy"]
    pd = sys.modules.get("pandas")
    started = time.monotonic()
    yv = y.to_numpy() if hasattr(y, "to_numpy") else np.asarray(y)
    if yv.ndim != 1 or yv.shape[0] < 20:
        return []
    n = min(yv.shape[0], PROBE_ROWS)
    yv = yv[:n]
    if yv.dtype.kind not in "biuf":
        return []
    finite_y = np.isfinite(yv.astype(float))
    classes = np.unique(yv[finite_y])
    if classes.size < 2:
        return []
    binary = classes.size == 2
    if not binary and classes.size <= 20:
        return []  # multiclass: no cheap single-feature score
    columns: list[tuple[str, Any]] = []
    if pd is not None and isinstance(x, pd.DataFrame):
        for name in list(x.columns[:PROBE_COLUMNS]):
            columns.append((str(name)[:100], x[name].iloc[:n]))
    elif isinstance(x, np.ndarray) and x.ndim == 2 and x.dtype.kind in "biuf":
        for j in range(min(x.shape[1], PROBE_COLUMNS)):
            columns.append((f"x{j}", x[:n, j]))
    else:
        return []
    found = []
    target = (yv == classes[1]).astype(float) if binary else yv.astype(float)
    for name, column in columns:
        if time.monotonic() - started > PROBE_SECONDS:
            break
        values = column.to_numpy() if hasattr(column, "to_numpy") else column
        if values.dtype.kind in "biuf":
            v = values.astype(float)
            keep = np.isfinite(v) & finite_y
            if keep.sum() < 20 or np.unique(v[keep][:2000]).size < 2:
                continue
            score = _auc(v[keep], target[keep]) if binary else abs(_corr(v[keep], target[keep]))
            kind = "numeric"
        elif binary and pd is not None:
            codes, uniques = pd.factorize(pd.Series(values, copy=False))
            if len(uniques) < 2 or len(uniques) > 50:
                continue
            keep = finite_y
            sums = np.bincount(codes[keep] + 1, weights=target[keep], minlength=len(uniques) + 1)
            counts = np.bincount(codes[keep] + 1, minlength=len(uniques) + 1)
            rate = sums / np.maximum(counts, 1)
            score = _auc(rate[codes[keep] + 1], target[keep])
            kind = "categorical"
        else:
            continue
        if score >= PROBE_REPORT:
            found.append(
                {"col": name, "score": round(float(score), 4), "kind": kind, "metric": "auc" if binary else "abs_corr"}
            )
        if len(found) >= 20:
            break
    return found


def _auc(values: Any, target: Any) -> float:
    """max(AUC, 1 - AUC) of one score against a 0/1 target, ties counted half."""
    np = sys.modules["numpy"]
    positives = target == 1
    n_pos = int(positives.sum())
    n_neg = int(target.size - n_pos)
    if n_pos == 0 or n_neg == 0:
        return 0.5
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(values.size, dtype=float)
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    average = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(average, counts)
    auc = (ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)
    return max(auc, 1.0 - auc)


def _corr(a: Any, b: Any) -> float:
    np = sys.modules["numpy"]
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


# --------------------------------------------------------------------------- splits, CV and metrics


def _record_split(t: Tracer, caller: Any, arrays: tuple[Any, ...], options: dict[str, Any], result: Any) -> None:
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "split", "seq": seq, "function": "train_test_split", **t.where(caller)}
    event["shuffle"] = bool(options.get("shuffle", True))
    event["stratify"] = options.get("stratify") is not None
    for key in ("test_size", "train_size", "random_state"):
        if key in options:
            event[key] = _small(options[key])
    parts = []
    if isinstance(result, list) and len(result) == 2 * len(arrays):
        for number, source in enumerate(arrays):
            train, test = result[2 * number], result[2 * number + 1]
            entry: dict[str, Any] = {}
            entry["input"], source_hashes = t.describe(source, want_hashes=True)
            entry["train"], train_hashes = t.describe(train, want_hashes=True)
            entry["test"], test_hashes = t.describe(test, want_hashes=True)
            t.remember(train, seq, 2 * number)
            t.remember(test, seq, 2 * number + 1)
            if number == 0:
                _split_structure(entry, train, test)
                with contextlib.suppress(Exception):
                    order = _split_order(source, train, test, source_hashes, train_hashes, test_hashes)
                    if order is not None:
                        entry["order"] = order
            parts.append(entry)
    event["parts"] = parts
    t.write(event)


def _split_order(
    source: Any, train: Any, test: Any, source_hashes: Any, train_hashes: Any, test_hashes: Any
) -> dict[str, int] | None:
    """Where the held-out rows sat in the input's row order: how many come before the last training row."""
    np = sys.modules["numpy"]
    pd = sys.modules.get("pandas")
    if (
        pd is not None
        and all(isinstance(o, (pd.DataFrame, pd.Series)) for o in (source, train, test))
        and source.index.is_unique
    ):
        train_pos = source.index.get_indexer(train.index)
        test_pos = source.index.get_indexer(test.index)
    elif (
        source_hashes is not None
        and train_hashes is not None
        and test_hashes is not None
        and getattr(source, "ndim", 1) == 2
    ):
        train_pos = np.flatnonzero(np.isin(source_hashes, train_hashes))
        test_pos = np.flatnonzero(np.isin(source_hashes, test_hashes))
    else:
        return None
    train_pos, test_pos = train_pos[train_pos >= 0], test_pos[test_pos >= 0]
    if not len(train_pos) or not len(test_pos):
        return None
    return {
        "test_before_last_train": int((test_pos < train_pos.max()).sum()),
        "n_test": len(test_pos),
        "n_train": len(train_pos),
    }


def _split_structure(entry: dict[str, Any], train: Any, test: Any) -> None:
    """Time spans of date-like columns and entity overlap of id-like columns on each side."""
    pd = sys.modules.get("pandas")
    if pd is None or not isinstance(train, pd.DataFrame) or not isinstance(test, pd.DataFrame):
        return
    spans = {}
    groups = {}
    for name in list(train.columns[:MAX_COLUMNS]):
        column = train[name]
        kind = column.dtype.kind
        label = str(name)[:100]
        if kind == "M" or (kind in "OUT" or str(column.dtype).startswith(("str", "string"))):
            first = column.dropna().head(1)
            if kind == "M" or (len(first) and isinstance(first.iloc[0], str) and DATE_LIKE.match(first.iloc[0])):
                with contextlib.suppress(Exception):
                    spans[label] = {
                        "train": [str(column.min())[:32], str(column.max())[:32]],
                        "test": [str(test[name].min())[:32], str(test[name].max())[:32]],
                    }
                continue
        if len(groups) < 30 and (
            kind in "OUT" or str(column.dtype).startswith(("str", "string", "category")) or label.lower().endswith("id")
        ):
            with contextlib.suppress(Exception):
                left = set(column.dropna().unique().tolist()[:200_000])
                right = set(test[name].dropna().unique().tolist()[:200_000])
                if len(left) > 1:
                    groups[label] = {
                        "train": len(left),
                        "test": len(right),
                        "shared": len(left & right),
                        "test_rows_shared": int(test[name].isin(left).sum()),
                    }
    if spans:
        entry["time_spans"] = spans
    if groups:
        entry["groups"] = groups


def _record_folds(t: Tracer, caller: Any, splitter: Any, x: Any, generator: Any) -> Any:
    """Wrap a splitter's `split` generator: record each fold as it is produced."""
    seq = t.next_seq()
    base: dict[str, Any] = {
        "kind": "folds",
        "seq": seq,
        "cls": type(splitter).__name__,
        **t.where(caller),
        "cv": _cv_info(splitter),
    }
    hashes = None
    try:
        info, raw = t.describe(x, want_hashes=True)
        base["x"] = info
        if raw is not None:
            hashes, _ = t.origins(raw)
    except Exception as exc:  # noqa: BLE001
        t.error("folds", exc)
    folds: list[dict[str, Any]] = []
    try:
        for number, (train_idx, test_idx) in enumerate(generator):
            if number < MAX_FOLDS:
                with contextlib.suppress(Exception):
                    fold: dict[str, Any] = {"n_train": len(train_idx), "n_test": len(test_idx)}
                    if len(train_idx) and len(test_idx):
                        fold["test_before_train_end"] = int((test_idx < train_idx.max()).sum())
                    if hashes is not None and len(hashes) > int(max(test_idx.max(initial=0), train_idx.max(initial=0))):
                        fold["test"] = t.rowset(hashes[test_idx], len(test_idx))
                    folds.append(fold)
            yield train_idx, test_idx
    finally:
        base["folds"] = folds
        with contextlib.suppress(Exception):
            t.write(base)


def _record_cv(
    t: Tracer, caller: Any, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "cv", "seq": seq, "function": function, **t.where(caller)}
    est = args[0] if args else kwargs.get("estimator")
    if est is not None:
        event.update(t.estimator_info(est))
    x = args[1] if len(args) > 1 else kwargs.get("X")
    if x is not None:
        event["x"], _ = t.describe(x)
    cv = kwargs.get("cv", args[3] if len(args) > 3 and function != "cross_val_predict" else None)
    event["cv"] = _cv_info(cv) if cv is not None else {"n": 5}
    event["groups"] = kwargs.get("groups") is not None
    np = sys.modules.get("numpy")
    if (
        np is not None
        and isinstance(result, np.ndarray)
        and result.ndim == 1
        and result.size <= 100
        and result.dtype.kind == "f"
        and function == "cross_val_score"
    ):
        event["scores"] = [round(float(v), 6) for v in result.tolist()]
    t.write(event)


def _record_metric(
    t: Tracer, caller: Any, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "metric", "seq": seq, "function": function, **t.where(caller)}
    y_true = args[0] if args else kwargs.get("y_true")
    y_pred = args[1] if len(args) > 1 else kwargs.get("y_pred", kwargs.get("y_score", kwargs.get("y_prob")))
    if y_true is not None:
        event["y_true"], _ = t.describe(y_true)
        link = t.lookup(y_true)
        if link:
            event["y_true"]["obj"] = list(link)
    if y_pred is not None:
        info: dict[str, Any] = {}
        digest = _maybe_digest(t, y_pred) if getattr(y_pred, "ndim", 1) == 1 else None
        if digest:
            info["digest"] = digest
            source = t.outputs.get(bytes.fromhex(digest))
            if source is not None:
                info["from"] = source
        link = t.lookup(y_pred)
        if link:
            info["obj"] = list(link)
        event["y_pred"] = info
    if isinstance(result, (int, float)):
        event["value"] = float(result)
    else:
        with contextlib.suppress(Exception):
            event["value"] = float(result)
    t.write(event)


def _record_stat(
    t: Tracer,
    caller: Any,
    owner: str,
    method: str,
    obj: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    result: Any,
) -> None:
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "stat", "seq": seq, "owner": owner, "method": method, **t.where(caller)}
    pd = sys.modules.get("pandas")
    frame = obj
    if owner.endswith("GroupBy"):
        frame = getattr(obj, "obj", None)
        with contextlib.suppress(Exception):
            keys = getattr(obj, "keys", None)
            event["by"] = [str(k)[:80] for k in (keys if isinstance(keys, list) else [keys])][:5]
    if frame is not None:
        event["shape"] = list(getattr(frame, "shape", ()))[:2]
        index = t.index_rowset(frame, MAX_SKETCH_STAT)
        if index is not None:
            event["index"] = index
        if pd is not None and isinstance(frame, pd.Series) and frame.name is not None:
            event["name"] = str(frame.name)[:100]
    if method == "fillna":
        value = args[0] if args else kwargs.get("value")
        event["value_type"] = type(value).__name__
        origin = t.stats_out.get(id(value))
        if origin is not None and origin[0]() is value:
            event["value_from"] = origin[1]
    else:
        with contextlib.suppress(TypeError):
            t.stats_out[id(result)] = (weakref.ref(result), seq)
            if len(t.stats_out) > 2000:
                for key in list(t.stats_out)[:500]:
                    t.stats_out.pop(key, None)
    t.write(event)


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
                event = _record_estimator_call(t, method, self, args, kwargs, caller)
            except Exception as exc:  # noqa: BLE001 - the tracer never breaks a call
                t.error(f"{method}:before", exc)
            result = func(self, *args, **kwargs)
            if event is not None:
                try:
                    _finish_estimator_call(t, event, self, args, kwargs, result)
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
            return _record_folds(t, caller, self, x, generator)
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
                        _record_split(t, caller, args, kwargs, result)
                    elif kind == "cv":
                        _record_cv(t, caller, name, args, kwargs, result)
                    else:
                        _record_metric(t, caller, name, args, kwargs, result)
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
                    _record_stat(t, caller, owner, method, self, args, kwargs, result)
                except Exception as exc:  # noqa: BLE001
                    t.error(f"{owner}.{method}", exc)
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
        shell = _ipython()
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
        shell = _ipython()
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
