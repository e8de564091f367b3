"""Data-path redirects: runs inside the candidate's kernel, next to the tracer.

Real submissions read their data from the author's machine: `C:\\Users\\jane\\train.csv`,
`/content/drive/MyDrive/churn/train.csv` (Colab), `../input/train.csv` (Kaggle), or from
the web: `https://raw.githubusercontent.com/jane/heart/main/heart.csv`. When such a read
fails because the file does not exist (or, for an http(s) address, before it fails: the
sandbox has no network), and the file's name matches a file of the submission or, failing
that, a public data file of the assignment, the read is retried on that file and the event
is written as one JSON line (requested path, resolved file, cell). A reviewer would do the
same by hand; the grader says that it did.

Rules it keeps, because the candidate's results must not change:

- a read of a file that exists is never touched: `open` tries the real call first and
  only a `FileNotFoundError` in a read mode, raised under the candidate's own code, is
  looked at; pandas and numpy readers are redirected only when their path does not exist;
- only files already visible inside the sandbox are candidates (the public data folder and
  the working folder), and the read runs with the candidate's own permissions, so nothing
  new becomes readable;
- writes are never redirected;
- `google.colab` is provided as a stub only when no real module of that name exists, so a
  `drive.mount()` line does nothing instead of stopping the cell;
- a CSV that pandas reads as one column whose name holds separators is reported (the data
  is not re-read: the separator is the candidate's choice).

Every internal failure is swallowed: redirecting is best-effort and never breaks a read.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib.abc
import importlib.machinery
import io
import json
import os
import re
import sys
import tempfile
import threading
import urllib.parse
from typing import Any

MAX_EVENTS = 200
#: Files of the working folder examined per lookup (a submission holds at most 2,000).
MAX_SCAN = 5_000
MAX_TEXT = 500
READ_MODES = re.compile(r"^[rbtU]*$")
#: Reader functions whose first argument (or the named one) is a path, by module.
READERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pandas": (
        (
            "read_csv",
            "read_table",
            "read_excel",
            "read_parquet",
            "read_json",
            "read_feather",
            "read_pickle",
            "read_fwf",
            "read_stata",
            "read_sas",
            "read_spss",
            "read_orc",
            "read_xml",
            "ExcelFile",
        ),
        ("filepath_or_buffer", "io", "path", "path_or_buf", "path_or_buffer"),
    ),
    "numpy": (("loadtxt", "genfromtxt", "load", "fromfile"), ("fname", "file")),
}
SEPARATOR_READERS = ("read_csv", "read_table")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
#: Addresses whose file name may stand for a local file (no network in the sandbox).
WEB = re.compile(r"^https?://", re.IGNORECASE)
DRIVE = re.compile(r"^[A-Za-z]:")

_REAL_OPEN = builtins.open
_STATE: Redirector | None = None


class Redirector:
    """Finds the file a failed read meant, and records what it did."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.data_dir = str(config.get("data_dir") or "")
        self.data_files = [str(f) for f in config.get("data_files") or [] if isinstance(f, str)]
        self.work_dir = str(config.get("work_dir") or "")
        self.notebook = str(config.get("notebook", ""))
        self.log_path = str(config.get("redirect_log") or "")
        self.events = 0
        self.seen: set[tuple[str, str, int | None]] = set()
        self.lock = threading.RLock()
        self.local = threading.local()
        prefixes = ["<ipython-input-", os.path.join(tempfile.gettempdir(), f"ipykernel_{os.getpid()}")]
        if self.work_dir:
            prefixes.append(self.work_dir.rstrip("/") + "/")
        self.prefixes = tuple(prefixes)

    # ------------------------------------------------------------------ lookup

    def _files(self) -> list[tuple[list[str], str, str, int]]:
        """(path parts, real path, shown path, preference) for every candidate file.

        The submission's own files come first (preference 0): a notebook written against its
        own copy of a file (renamed columns, a cleaned version) must read that copy, and only
        a name the submission lacks falls back to the assignment's public file (preference 1).
        """
        found: list[tuple[list[str], str, str, int]] = []
        if self.data_dir:
            for rel in self.data_files:
                real = os.path.join(self.data_dir, rel)
                if os.path.isfile(real) and not os.path.islink(real):
                    found.append((["data", *rel.split("/")], real, f"data/{rel}", 1))
        if self.work_dir and os.path.isdir(self.work_dir):
            scanned = 0
            for root, dirs, files in os.walk(self.work_dir, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d)))
                for name in sorted(files):
                    scanned += 1
                    if scanned > MAX_SCAN:
                        return found
                    real = os.path.join(root, name)
                    if os.path.islink(real) or not os.path.isfile(real):
                        continue
                    rel = os.path.relpath(real, self.work_dir).replace(os.sep, "/")
                    found.append((rel.split("/"), real, rel, 0))
        return found

    def resolve(self, requested: str) -> tuple[str, str] | None:
        """The (real path, shown path) a missing `requested` file most likely meant, or None."""
        if not requested or len(requested) > 4096 or "\0" in requested:
            return None
        if URL.match(requested):
            if not WEB.match(requested):
                return None
            # Only the path names the file: host, query and fragment say nothing about it.
            requested = urllib.parse.unquote(urllib.parse.urlsplit(requested).path)
        text = requested.replace("\\", "/")
        text = DRIVE.sub("", text, count=1)
        parts = [p for p in text.split("/") if p not in ("", ".", "..", "~")]
        if not parts:
            return None
        name = parts[-1]
        files = self._files()
        exact = [f for f in files if f[0][-1] == name]
        matches = exact or [f for f in files if f[0][-1].lower() == name.lower()]
        if not matches:
            return None
        wanted = [p.lower() for p in parts]

        def rank(entry: tuple[list[str], str, str, int]) -> tuple[int, int, int, str]:
            have = [p.lower() for p in entry[0]]
            common = 0
            while common < min(len(have), len(wanted)) and have[-1 - common] == wanted[-1 - common]:
                common += 1
            return (entry[3], -common, len(have), entry[2])

        best = min(matches, key=rank)
        return best[1], best[2]

    # ------------------------------------------------------------------ recording

    def from_candidate(self, depth: int = 2, hops: int = 40) -> bool:
        """Whether the candidate's code (a cell or a module of the submission) is on the stack."""
        try:
            frame: Any = sys._getframe(depth)
        except ValueError:
            return False
        while frame is not None and hops > 0:
            if frame.f_code.co_filename.startswith(self.prefixes):
                return True
            frame = frame.f_back
            hops -= 1
        return False

    def record(self, kind: str, requested: str, resolved: str, via: str, detail: str = "") -> None:
        count = _execution_count()
        key = (kind, requested[:MAX_TEXT], count)
        with self.lock:
            if key in self.seen or self.events >= MAX_EVENTS or not self.log_path:
                return
            self.seen.add(key)
            self.events += 1
            line = (
                json.dumps(
                    {
                        "kind": kind,
                        "notebook": self.notebook,
                        "count": count,
                        "requested": requested[:MAX_TEXT],
                        "resolved": resolved[:MAX_TEXT],
                        "via": via[:80],
                        "detail": detail[:MAX_TEXT],
                    }
                )
                + "\n"
            )
            with _REAL_OPEN(self.log_path, "a", encoding="utf-8") as handle:
                handle.write(line)

    def redirect(self, path: Any, via: str) -> str | None:
        """The real path to read instead of a missing `path` (recording the event), or None."""
        if getattr(self.local, "busy", False):
            return None
        self.local.busy = True
        try:
            if isinstance(path, bytes) or not isinstance(path, str | os.PathLike):
                return None
            requested = os.fspath(path)
            if not isinstance(requested, str) or os.path.lexists(requested):
                return None
            found = self.resolve(requested)
            if found is None:
                return None
            real, shown = found
            self.record("redirect", requested, shown, via)
            return real
        except Exception:  # noqa: BLE001 - redirecting must never break a read
            return None
        finally:
            self.local.busy = False


def _shell() -> Any:
    with contextlib.suppress(Exception):
        from IPython import get_ipython

        return get_ipython()
    return None


def _execution_count() -> int | None:
    """The running cell's execution count (IPython bumps `shell.execution_count` before the cell runs)."""
    with contextlib.suppress(Exception):
        result = getattr(getattr(_shell(), "displayhook", None), "exec_result", None)
        count = getattr(result, "execution_count", None)
        if isinstance(count, int):
            return count
    return None


# --------------------------------------------------------------------------- open


def _make_open(real: Any) -> Any:
    """`open` that retries a failed read of a missing file on the file it most likely meant."""

    @functools.wraps(real)
    def opener_with_redirect(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        try:
            return real(file, mode, *args, **kwargs)
        except FileNotFoundError:
            target = None
            state = _STATE
            if state is not None and isinstance(mode, str) and READ_MODES.match(mode) and kwargs.get("opener") is None:
                with contextlib.suppress(Exception):
                    if state.from_candidate():
                        target = state.redirect(file, "open")
            if target is None:
                raise
        return real(target, mode, *args, **kwargs)

    opener_with_redirect.__thg_redirect__ = True  # type: ignore[attr-defined]
    return opener_with_redirect


_open = _make_open(_REAL_OPEN)


# --------------------------------------------------------------------------- readers


def _wrap_reader(func: Any, name: str, arg_names: tuple[str, ...]) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        state = _STATE
        requested: Any = None
        if state is not None:
            try:
                if args:
                    requested = args[0]
                    target = state.redirect(requested, name) if state.from_candidate() else None
                    if target is not None:
                        args = (target, *args[1:])
                else:
                    key = next((k for k in arg_names if k in kwargs), None)
                    if key is not None:
                        requested = kwargs[key]
                        target = state.redirect(requested, name) if state.from_candidate() else None
                        if target is not None:
                            kwargs = {**kwargs, key: target}
            except Exception:  # noqa: BLE001 - fall through to the real call unchanged
                pass
        result = func(*args, **kwargs)
        if state is not None and name in SEPARATOR_READERS:
            with contextlib.suppress(Exception):
                _check_separator(state, requested, kwargs, result)
        return result

    wrapper.__thg_redirect__ = True  # type: ignore[attr-defined]
    return wrapper


def _check_separator(state: Redirector, requested: Any, kwargs: dict[str, Any], frame: Any) -> None:
    """A CSV read as one column whose header holds a separator was read with the wrong one."""
    columns = getattr(frame, "columns", None)
    if columns is None or len(columns) != 1 or not isinstance(requested, str | os.PathLike):
        return
    header = str(columns[0])
    used = kwargs.get("sep", kwargs.get("delimiter"))
    for sep, label in ((",", "commas"), (";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
        if sep in header and sep != used:
            shown = f"{used!r}" if used is not None else "the default ','"
            state.record(
                "separator",
                os.fspath(requested),
                "",
                "read_csv",
                f"read with {shown} it has one column named {header[:120]!r}: the file is separated by {label}",
            )
            return


def _patch_module(module: Any, short: str) -> None:
    names, arg_names = READERS[short]
    for name in names:
        func = getattr(module, name, None)
        if func is None or getattr(func, "__thg_redirect__", False):
            continue
        if isinstance(func, type):
            continue  # classes (ExcelFile) keep their identity; their paths go through open()
        setattr(module, name, _wrap_reader(func, name, arg_names))


class _PatchingLoader(importlib.abc.Loader):
    """Delegates to the real loader, then wraps the module's readers."""

    def __init__(self, inner: Any, short: str) -> None:
        self._inner = inner
        self._short = short

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        with contextlib.suppress(Exception):
            _patch_module(module, self._short)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _ReaderFinder(importlib.abc.MetaPathFinder):
    """Asks the finders after it for pandas and numpy, and wraps the loader they return."""

    def __init__(self) -> None:
        self._local = threading.local()

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in READERS or getattr(self._local, "busy", False):
            return None
        self._local.busy = True
        try:
            spec = None
            for finder in list(sys.meta_path):
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
        except Exception:  # noqa: BLE001 - let the normal machinery report it
            return None
        finally:
            self._local.busy = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        spec.loader = _PatchingLoader(spec.loader, fullname)
        return spec


# --------------------------------------------------------------------------- google.colab


def _mount(
    mountpoint: str = "/content/drive", force_remount: bool = False, timeout_ms: int = 120_000, readonly: bool = False
) -> None:
    """`google.colab.drive.mount` in the sandbox: nothing to mount; reads below it are redirected."""
    del force_remount, timeout_ms, readonly
    state = _STATE
    if state is not None:
        with contextlib.suppress(Exception):
            state.record(
                "shim",
                f"drive.mount({mountpoint!r})",
                "",
                "google.colab.drive.mount",
                "Google Drive is not available; reads of files below it are redirected by name",
            )
    with contextlib.suppress(Exception):
        print(f"[grader] google.colab is not available: drive.mount({mountpoint!r}) did nothing", file=sys.stderr)


class _ColabLoader(importlib.abc.Loader):
    def create_module(self, spec: Any) -> Any:
        return None

    def exec_module(self, module: Any) -> None:
        module.__thg_stub__ = True
        if module.__name__ == "google.colab.drive":
            module.mount = _mount
            module.flush_and_unmount = lambda *args, **kwargs: None


class _ColabFinder(importlib.abc.MetaPathFinder):
    """Last on the meta path: only reached when no real `google.colab` exists."""

    NAMES = ("google", "google.colab", "google.colab.drive")

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in self.NAMES:
            return None
        return importlib.machinery.ModuleSpec(fullname, _ColabLoader(), is_package=fullname != "google.colab.drive")


# --------------------------------------------------------------------------- install


def install(config: dict[str, Any]) -> None:
    """Start redirecting failed reads in this kernel."""
    global _STATE
    if _STATE is not None:
        return
    _STATE = Redirector(config)
    builtins.open = _open
    io.open = _open
    shell = _shell()
    user_ns = getattr(shell, "user_ns", None)
    if (
        isinstance(user_ns, dict)
        and callable(user_ns.get("open"))
        and not getattr(user_ns["open"], "__thg_redirect__", False)
    ):
        # IPython puts its own `open` (guarding fds 0-2) in the user namespace: wrap that one too.
        user_ns["open"] = _make_open(user_ns["open"])
    sys.meta_path.insert(0, _ReaderFinder())
    sys.meta_path.append(_ColabFinder())
    for short in READERS:
        module = sys.modules.get(short)
        if module is not None:
            with contextlib.suppress(Exception):
                _patch_module(module, short)
