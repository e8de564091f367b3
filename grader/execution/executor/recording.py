"""What the tracer records of each kind of call: estimator fits and uses, feature probes, splits, folds, cross-validation, metrics and statistics."""

from __future__ import annotations

import contextlib
import re
import sys
import time
import weakref
from typing import Any

from .tracer import (
    DATE_LIKE,
    MAX_COLUMNS,
    MAX_FOLDS,
    MAX_SKETCH_STAT,
    PROBE_COLUMNS,
    PROBE_REPORT,
    PROBE_ROWS,
    PROBE_SECONDS,
    Tracer,
    cv_info,
    digest,
    small,
)


def record_estimator_call(
    t: Tracer, method: str, est: Any, args: tuple[Any, ...], kwargs: dict[str, Any], caller: Any
) -> dict[str, Any] | None:
    """Everything known before the call runs; completed by `finish_estimator_call`."""
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
        extras = {k: small(v) for k, v in kwargs.items() if k not in ("X", "y", "x", "eval_set")}
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
        params: dict[str, Any] = {}
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


def finish_estimator_call(
    t: Tracer, event: dict[str, Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    """Complete an estimator call's event with what it returned, then write it."""
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
    return digest(hashes) if hashes is not None else None


def _after_fit(t: Tracer, event: dict[str, Any], est: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Facts only available once fitted: the columns a pipeline used, search results, feature probes."""
    if event.get("search"):
        with contextlib.suppress(Exception):
            event["best_params"] = {str(k)[:60]: small(v) for k, v in list(est.best_params_.items())[:20]}
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
    return float(max(auc, 1.0 - auc))


def _corr(a: Any, b: Any) -> float:
    np = sys.modules["numpy"]
    a = a - a.mean()
    b = b - b.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / denominator) if denominator > 0 else 0.0


# --------------------------------------------------------------------------- splits, CV and metrics


def record_split(t: Tracer, caller: Any, arrays: tuple[Any, ...], options: dict[str, Any], result: Any) -> None:
    """A `train_test_split`: the rows of each side and how the split was made."""
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "split", "seq": seq, "function": "train_test_split", **t.where(caller)}
    event["shuffle"] = bool(options.get("shuffle", True))
    event["stratify"] = options.get("stratify") is not None
    for key in ("test_size", "train_size", "random_state"):
        if key in options:
            event[key] = small(options[key])
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
                _split_structure(entry, train, test, t.group_patterns)
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


def _split_structure(
    entry: dict[str, Any], train: Any, test: Any, patterns: dict[str, re.Pattern[str]] | None = None
) -> None:
    """Time spans of date-like columns and entity overlap of id-like columns on each side.

    A column with a group pattern (the assignment's `group_pattern`) is compared by the part of
    each value the pattern picks (the speaker of a recording), not by the whole value.
    """
    patterns = patterns or {}
    pd = sys.modules.get("pandas")
    if pd is None or not isinstance(train, pd.DataFrame) or not isinstance(test, pd.DataFrame):
        return
    spans: dict[Any, Any] = {}
    groups: dict[Any, Any] = {}
    for name in list(train.columns[:MAX_COLUMNS]):
        column = train[name]
        kind = column.dtype.kind
        label = str(name)[:100]
        if label in patterns:
            with contextlib.suppress(Exception):
                stats = _pattern_groups(column, test[name], patterns[label])
                if stats is not None:
                    groups[label] = stats
            continue
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


def _pattern_groups(train: Any, test: Any, pattern: re.Pattern[str]) -> dict[str, int] | None:
    """Group overlap of two columns whose group is the part of each value `pattern` picks."""

    def group(value: Any) -> Any:
        match = pattern.search(str(value))
        return None if match is None else (match.group(1) if match.groups() else match.group(0))

    left_groups = train.dropna().head(200_000).map(group).dropna()
    right_groups = test.dropna().head(200_000).map(group).dropna()
    left = set(left_groups.tolist())
    if len(left) <= 1:
        return None
    right = set(right_groups.tolist())
    return {
        "train": len(left),
        "test": len(right),
        "shared": len(left & right),
        "test_rows_shared": int(right_groups.isin(left).sum()),
    }


def record_folds(t: Tracer, caller: Any, splitter: Any, x: Any, generator: Any) -> Any:
    """Wrap a splitter's `split` generator: record each fold as it is produced."""
    seq = t.next_seq()
    base: dict[str, Any] = {
        "kind": "folds",
        "seq": seq,
        "cls": type(splitter).__name__,
        **t.where(caller),
        "cv": cv_info(splitter),
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


def record_cv(
    t: Tracer, caller: Any, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    """A cross-validation helper call: the estimator, the data and the folds."""
    seq = t.next_seq()
    event: dict[str, Any] = {"kind": "cv", "seq": seq, "function": function, **t.where(caller)}
    est = args[0] if args else kwargs.get("estimator")
    if est is not None:
        event.update(t.estimator_info(est))
    x = args[1] if len(args) > 1 else kwargs.get("X")
    if x is not None:
        event["x"], _ = t.describe(x)
    cv = kwargs.get("cv", args[3] if len(args) > 3 and function != "cross_val_predict" else None)
    event["cv"] = cv_info(cv) if cv is not None else {"n": 5}
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


def record_metric(
    t: Tracer, caller: Any, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
) -> None:
    """A metric call: the rows its labels and predictions came from."""
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


def record_stat(
    t: Tracer,
    caller: Any,
    owner: str,
    method: str,
    obj: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    result: Any,
) -> None:
    """A whole-frame statistic (mean, median...): the rows it was computed on."""
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


def record_column_lineage(t: Tracer, caller: Any, columns: dict[Any, Any]) -> None:
    """New columns made from a named series (`df["flag"] = df["reason"].notna()`): which column each came from."""
    pd = sys.modules.get("pandas")
    if pd is None:
        return
    for key, value in list(columns.items())[:20]:
        if not isinstance(key, str) or not isinstance(value, pd.Series) or value.name is None:
            continue
        source = str(value.name)[:120]
        if source == key:
            continue
        event = {"kind": "derive", "seq": t.next_seq(), "col": key[:120], "sources": [source], **t.where(caller)}
        t.write(event)
