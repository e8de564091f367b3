"""Run a submission's notebooks with nbclient and record what each cell did.

Runs inside the sandbox (or, for tests, in a scratch folder on the host). The flow:
prepare the working folder, run each notebook top to bottom in a fresh kernel with
per-cell and whole-run deadlines, then kill every leftover process, collect the
contract files and write `execution.json`, the executed notebooks and a signed
manifest. Candidate code shares this container and uid, so nothing is written to
the results folder until every candidate process is dead.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import re
import select
import shutil
import signal
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from . import EXECUTOR_VERSION
from .shell_lines import neutralize_shell_lines

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
MAX_TRACEBACK = 8_000
MAX_ERROR_VALUE = 2_000
MAX_COLLECTED_BYTES = 50 * 1024 * 1024
MAX_TRACE_BYTES = 8 * 1024 * 1024
MAX_REDIRECT_BYTES = 512 * 1024
MAX_REDIRECTS = 200
#: Kept free in the output folder so results can be written after a disk-fill attack.
RESERVE_BYTES = 32 * 1024 * 1024
#: After a cell's own deadline, how long an interrupt may take before the kernel is killed.
INTERRUPT_GRACE_S = 8.0
KEY_PACKAGES = (
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "matplotlib",
    "seaborn",
    "imbalanced-learn",
    "xgboost",
    "xgboost-cpu",
    "lightgbm",
    "statsmodels",
    "ipykernel",
    "nbclient",
)
SEVERITY = ["ok", "errors", "output_limit", "disk_limit", "kernel_died", "timeout", "oom"]


@dataclass
class Job:
    """`job.json`: written by the host, read-only inside the sandbox."""

    in_dir: Path
    out_dir: Path
    notebooks: list[str]
    timeout_s: float = 300
    cell_timeout_s: float = 120
    max_output_bytes_per_cell: int = 2_000_000
    max_total_output_bytes: int = 30_000_000
    collect: list[str] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    #: Columns whose group is a part of each value (the assignment's `group_pattern`), for the tracer.
    group_patterns: dict[str, str] = field(default_factory=dict)
    trace: bool = True
    redirect_paths: bool = True
    threads: int = 1
    #: Only true inside a container: allows killing every other process at the end.
    sandboxed: bool = False
    #: Seconds to wait for the host to collect results before exiting.
    linger_s: float = 0

    @classmethod
    def load(cls, path: Path) -> Job:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["in_dir"] = Path(raw["in_dir"])
        raw["out_dir"] = Path(raw["out_dir"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in raw.items() if k in known})

    @property
    def work_dir(self) -> Path:
        return self.out_dir / "work"

    @property
    def results_dir(self) -> Path:
        return self.out_dir / "grader"

    @property
    def trace_dir(self) -> Path:
        return self.out_dir / "trace"

    @property
    def redirects_dir(self) -> Path:
        return self.out_dir / "redirects"


@dataclass
class CellOutcome:
    notebook: str
    local_index: int
    cell_type: str
    status: str
    duration_s: float | None = None
    execution_count: int | None = None
    error_name: str | None = None
    error_value: str | None = None
    traceback: str | None = None
    output_bytes: int = 0
    outputs_truncated: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class RunState:
    """Everything learnt during the run, kept in memory until the end."""

    def __init__(self) -> None:
        self.status = "ok"
        self.reasons: list[str] = []
        self.cells: list[CellOutcome] = []
        self.notebooks: list[dict[str, Any]] = []
        self.executed: dict[str, nbformat.NotebookNode] = {}
        self.skipped_lines: list[dict[str, Any]] = []

    def escalate(self, status: str, reason: str) -> None:
        """Record a run-level event; the most severe status wins."""
        if SEVERITY.index(status) > SEVERITY.index(self.status):
            self.status = status
        if reason and reason not in self.reasons:
            self.reasons.append(reason)


class GuardedClient(NotebookClient):
    """nbclient with output caps and a record of which cells hit their deadline."""

    def __init__(self, nb: nbformat.NotebookNode, *, job: Job, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.job = job
        self.on_cell_executed = self._on_executed
        self.last_reply: dict[str, Any] = {}
        self.timed_out: set[int] = set()
        self.cell_bytes = 0
        self.cell_truncated = False
        self.total_bytes = 0
        self.flooded = False
        self.interrupted = False

    async def _on_executed(self, cell: Any, cell_index: int, execute_reply: dict[str, Any] | None) -> None:
        self.last_reply = (execute_reply or {}).get("content", {})

    def start_cell(self) -> None:
        self.last_reply = {}
        self.cell_bytes = 0
        self.cell_truncated = False
        self.flooded = False
        self.interrupted = False

    async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> Any:
        if cell is not None:
            self.timed_out.add(id(cell))
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs: list[Any], msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
        if msg.get("msg_type") == "error":
            # Errors are always kept (trimmed): they are the evidence of what went wrong.
            content = msg.get("content", {})
            content["traceback"] = list(content.get("traceback") or [])[-40:]
            content["evalue"] = str(content.get("evalue", ""))[:MAX_ERROR_VALUE]
            return super().output(outs, msg, display_id, cell_index)
        size = _message_size(msg)
        self.cell_bytes += size
        self.total_bytes += size
        over_cell = self.cell_bytes > self.job.max_output_bytes_per_cell
        over_total = self.total_bytes > self.job.max_total_output_bytes
        if over_cell or over_total:
            if not self.cell_truncated:
                self.cell_truncated = True
                outs.append(
                    nbformat.v4.new_output(
                        "stream",
                        name="stderr",
                        text=f"[grader] output truncated: this cell wrote more than "
                        f"{self.job.max_output_bytes_per_cell:,} bytes\n",
                    )
                )
            hard = 10 * self.job.max_output_bytes_per_cell
            if self.cell_bytes > hard:
                if self.flooded and not self.interrupted and self.km is not None:
                    # Output keeps coming past the hard cap: stop the cell. (One huge
                    # message alone is only dropped; interrupting then would hit the next cell.)
                    self.interrupted = True
                    self.interrupt_task = asyncio.ensure_future(_maybe_await(self.km.interrupt_kernel()))
                self.flooded = True
            return None
        return super().output(outs, msg, display_id, cell_index)


async def _maybe_await(value: Any) -> Any:
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value


def _message_size(msg: dict[str, Any]) -> int:
    content = msg.get("content", {})
    size = len(content.get("text", "") or "")
    for value in (content.get("data") or {}).values():
        size += len(value) if isinstance(value, str) else len(json.dumps(value))
    for line in content.get("traceback") or []:
        size += len(line)
    return size


# --------------------------------------------------------------------------- the run


def run(job: Job, nonce: bytes = b"") -> dict[str, Any]:
    """Run every notebook of the job and write the results; returns execution.json."""
    started = time.monotonic()
    state = RunState()
    oom_before = _oom_kill_count()
    _prepare_out(job)
    reserve = _reserve_space(job.out_dir / "reserve")
    work_ok = _prepare_work_dir(job, state)
    deadline = started + job.timeout_s
    if work_ok:
        for rel in job.notebooks:
            asyncio.run(_run_notebook(job, rel, state, deadline, oom_before))
            _ignore_signals()
            oom_before = max(oom_before, _oom_kill_count())
    strays = _kill_strays(job)
    if strays:
        state.reasons.append(f"{strays} process(es) outlived the kernel and were killed")
    with contextlib.suppress(OSError):
        reserve.unlink()
    result = _assemble(job, state, started, strays)
    _write_results(job, state, result, nonce)
    return result


async def _run_notebook(job: Job, rel: str, state: RunState, deadline: float, oom_before: int) -> None:
    path = job.work_dir / rel
    entry: dict[str, Any] = {"path": rel, "status": "ok", "error": None}
    state.notebooks.append(entry)
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook is recorded
        entry.update(status="invalid", error=f"{type(exc).__name__}: {str(exc)[:500]}")
        state.escalate("errors", f"{rel} could not be read as a notebook")
        return
    state.executed[rel] = nb
    client = GuardedClient(
        nb,
        job=job,
        kernel_name="python3",
        timeout=int(job.cell_timeout_s),
        interrupt_on_timeout=True,
        allow_errors=True,
        record_timing=True,
        shutdown_kernel="immediate",
        iopub_timeout=4,
        startup_timeout=60,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.timeout_func = lambda cell: max(1, int(min(job.cell_timeout_s, deadline - time.monotonic())))
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    pending = list(code_cells)
    position = job.notebooks.index(rel) + 1 if rel in job.notebooks else 1
    try:
        async with client.async_setup_kernel(env=_kernel_env(job)):
            _ignore_signals()
            with contextlib.suppress(Exception):
                KERNEL_PIDS.add(client.km.provisioner.process.pid)  # type: ignore[union-attr]
            tracing = await _install_kernel_setup(client, job, rel)
            entry["tracing"] = tracing
            while pending:
                index, cell = pending[0]
                if time.monotonic() >= deadline:
                    state.escalate("timeout", f"the run exceeded its {job.timeout_s:g} s limit")
                    break
                _cell_started(job, position, len(code_cells) - len(pending) + 1, len(code_cells))
                outcome, alive = await _run_cell(client, job, rel, index, cell, state, deadline, oom_before)
                pending.pop(0)
                state.cells.append(outcome)
                _progress(job, outcome)
                if not alive:
                    break
                if outcome.status == "timeout" and time.monotonic() >= deadline:
                    break
    except DeadKernelError:
        _record_kernel_death(client, state, rel, oom_before, during="start-up")
    except Exception as exc:  # noqa: BLE001 - the kernel could not start or the client broke
        entry.update(status="failed", error=f"{type(exc).__name__}: {str(exc)[:500]}")
        state.escalate("kernel_died", f"{rel}: kernel failed ({type(exc).__name__})")
    for index, cell in pending:
        # Saved outputs of cells that never ran must not pass for reproduced ones.
        cell.outputs = []
        cell.execution_count = None
        status = "not_executed" if cell.source.strip() else "ok"
        state.cells.append(CellOutcome(rel, index, "code", status))


async def _run_cell(
    client: GuardedClient,
    job: Job,
    rel: str,
    index: int,
    cell: Any,
    state: RunState,
    deadline: float,
    oom_before: int,
) -> tuple[CellOutcome, bool]:
    """Execute one code cell; returns its outcome and whether the kernel is still usable."""
    original = cell.source
    runnable, skipped = neutralize_shell_lines(original)
    for line_no, text in skipped:
        state.skipped_lines.append({"notebook": rel, "local_index": index, "line": line_no, "text": text[:300]})
    outcome = CellOutcome(rel, index, "code", "ok")
    if not runnable.strip():
        outcome.status = "skipped" if skipped else "ok"
        cell.outputs = []
        cell.execution_count = None
        return outcome, True
    client.start_cell()
    cell.source = runnable
    budget = max(1.0, min(job.cell_timeout_s, deadline - time.monotonic())) + INTERRUPT_GRACE_S
    began = time.monotonic()
    alive = True
    task = asyncio.ensure_future(client.async_execute_cell(cell, index))
    try:
        done, _ = await asyncio.wait({task}, timeout=budget)
        if not done:
            # The kernel ignored the interrupt (e.g. SIGINT blocked around a C call): kill
            # it; later cells cannot run. nbclient turns the cancellation into a
            # DeadKernelError, so the watchdog's own record decides the status.
            task.cancel()
            if client.km is not None:
                with contextlib.suppress(Exception):
                    await _maybe_await(client.km.shutdown_kernel(now=True))
            with contextlib.suppress(BaseException):
                await task
            outcome.status = "timeout"
            outcome.error_name = "CellTimeoutError"
            outcome.error_value = "the cell did not stop when interrupted and its kernel was killed"
            state.escalate("timeout", f"{rel} cell {index} ran past its deadline and ignored the interrupt")
            alive = False
        else:
            task.result()
    except DeadKernelError:
        outcome.status = "error"
        outcome.error_name = "DeadKernelError"
        why = _record_kernel_death(client, state, rel, oom_before, during=f"cell {index}")
        outcome.error_value = why
        alive = False
    finally:
        cell.source = original
    outcome.duration_s = round(time.monotonic() - began, 4)
    outcome.output_bytes = client.cell_bytes
    outcome.outputs_truncated = client.cell_truncated
    outcome.execution_count = cell.get("execution_count")
    if outcome.status == "ok":
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is None and client.last_reply.get("status") == "error":
            error = client.last_reply
        if error is not None:
            outcome.status = "error"
            outcome.error_name = str(error.get("ename", ""))[:200]
            outcome.error_value = ANSI.sub("", str(error.get("evalue", "")))[:MAX_ERROR_VALUE]
            outcome.traceback = ANSI.sub("", "\n".join(error.get("traceback", [])))[-MAX_TRACEBACK:]
        if id(cell) in client.timed_out:
            outcome.status = "timeout"
            outcome.error_name = outcome.error_name or "CellTimeoutError"
            if time.monotonic() >= deadline - 0.5:
                state.escalate("timeout", f"the run exceeded its {job.timeout_s:g} s limit in {rel} cell {index}")
            else:
                state.escalate("timeout", f"{rel} cell {index} exceeded the {job.cell_timeout_s:g} s cell limit")
        elif client.flooded or outcome.error_name == "OutputLimitExceeded":
            outcome.status = "error"
            outcome.error_name = "OutputLimitExceeded"
            outcome.error_value = f"the cell wrote {client.cell_bytes:,} bytes of output and was interrupted"
            state.escalate("output_limit", f"{rel} cell {index} flooded its output")
        elif outcome.status == "error":
            _classify_error(outcome, state, rel, index)
    return outcome, alive


def _classify_error(outcome: CellOutcome, state: RunState, rel: str, index: int) -> None:
    value = outcome.error_value or ""
    if outcome.error_name in {"OSError", "IOError"} and ("[Errno 28]" in value or "[Errno 27]" in value):
        state.escalate("disk_limit", f"{rel} cell {index} ran out of disk space")
    elif outcome.error_name == "MemoryError":
        state.escalate("oom", f"{rel} cell {index} raised MemoryError")
    else:
        state.escalate("errors", "")


def _record_kernel_death(client: GuardedClient, state: RunState, rel: str, oom_before: int, during: str) -> str:
    code = None
    with contextlib.suppress(Exception):
        process = getattr(client.km.provisioner, "process", None)  # type: ignore[union-attr]
        if process is not None:
            code = process.poll()
    if _oom_kill_count() > oom_before:
        why = f"the kernel was killed for exceeding the memory limit ({during})"
        state.escalate("oom", f"{rel}: {why}")
    else:
        sig = ""
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                sig = f" by {signal.Signals(-code).name}"
        why = f"the kernel died{sig} during {during}" + (f" (exit code {code})" if code is not None else "")
        state.escalate("kernel_died", f"{rel}: {why}")
    return why


async def _install_kernel_setup(client: GuardedClient, job: Job, rel: str) -> str:
    """Run the grader's setup in the fresh kernel: backend, tracing, path redirects."""
    package_dir = Path(__file__).resolve().parent
    package = __package__ or "thg_executor"
    config = {
        "trace_path": str(job.trace_dir / f"{len(os.listdir(job.trace_dir)) if job.trace_dir.exists() else 0}.jsonl"),
        "notebook": rel,
        "trace": job.trace,
        "redirect_paths": job.redirect_paths,
        "data_dir": str(job.in_dir / "data"),
        "data_files": job.data_files,
        "group_patterns": job.group_patterns,
        "work_dir": str(job.work_dir),
        "redirect_log": str(job.redirects_dir / f"{job.notebooks.index(rel) if rel in job.notebooks else 0}.jsonl"),
        "max_trace_bytes": MAX_TRACE_BYTES,
        # Past this many printed characters a cell is stopped (ten times the kept output).
        "max_print_bytes": 10 * job.max_output_bytes_per_cell,
    }
    root = package_dir.parents[package.count(".")]
    code = (
        "def __thg_setup():\n"
        "    import importlib, json, sys\n"
        f"    sys.path.insert(0, {str(root)!r})\n"
        "    try:\n"
        f"        return importlib.import_module({package + '.kernel_setup'!r}).install(json.loads({json.dumps(config)!r}))\n"
        "    finally:\n"
        f"        sys.path.remove({str(root)!r})\n"
        "print(__thg_setup(), end='')\n"
        "del __thg_setup\n"
    )
    assert client.kc is not None
    try:
        reply = await _maybe_await(client.kc.execute(code, silent=False, store_history=False))
        text = await _collect_stream(client, reply, timeout=60)
    except Exception as exc:  # noqa: BLE001 - setup failure must never stop the run
        return f"failed: {type(exc).__name__}"
    return text.strip() or "failed: no answer from setup"


async def _collect_stream(client: GuardedClient, msg_id: str, timeout: float) -> str:
    """Read the setup cell's stdout without putting it in any notebook cell."""
    assert client.kc is not None
    text = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            # The blocking channel methods are added to KernelClient at run time.
            msg = await _maybe_await(client.kc.get_iopub_msg(timeout=max(0.1, end - time.monotonic())))  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - queue.Empty and friends
            break
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text.append(msg["content"].get("text", ""))
        elif msg["msg_type"] == "error":
            return f"failed: {msg['content'].get('ename')}: {str(msg['content'].get('evalue'))[:200]}"
        elif msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
            break
    # Drain the shell reply so it is not mistaken for the first cell's.
    with contextlib.suppress(Exception):
        await _maybe_await(client.kc.get_shell_msg(timeout=5))  # type: ignore[attr-defined]
    return "".join(text)[:500]


def _kernel_env(job: Job) -> dict[str, str]:
    threads = str(max(1, job.threads))
    home = "/tmp/home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": home,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        # Jupyter's inline backend: figures become image outputs, as in the candidate's notebook.
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "XDG_CACHE_HOME": "/tmp/cache",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "NUMEXPR_MAX_THREADS": threads,
        "LOKY_MAX_CPU_COUNT": threads,
    }
    if not job.sandboxed:
        # Local runs (tests) keep the caller's scratch locations.
        for key in ("HOME", "MPLCONFIGDIR", "XDG_CACHE_HOME", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR"):
            env[key] = str(job.out_dir / "home" / key.lower())
    for key in ("HOME", "MPLCONFIGDIR", "XDG_CACHE_HOME", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR"):
        with contextlib.suppress(OSError):
            os.makedirs(env[key], exist_ok=True)
    # The image ships a prebuilt matplotlib font cache; without it every run rebuilds it.
    prebuilt = Path("/opt/mplcache")
    if prebuilt.is_dir():
        for item in prebuilt.iterdir():
            if item.is_file() and not item.is_symlink():
                with contextlib.suppress(OSError):
                    shutil.copyfile(item, Path(env["MPLCONFIGDIR"]) / item.name)
    return env


# --------------------------------------------------------------------------- files


def _prepare_out(job: Job) -> None:
    for path in (job.work_dir, job.results_dir, job.trace_dir, job.redirects_dir):
        _reset_dir(path)


def _reset_dir(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    path.mkdir(mode=0o700, parents=True)


def _reserve_space(path: Path) -> Path:
    with contextlib.suppress(OSError), open(path, "wb") as handle:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(RESERVE_BYTES // len(chunk)):
            handle.write(chunk)
    return path


def _prepare_work_dir(job: Job, state: RunState) -> bool:
    """Copy the submission into the writable working folder and link the public data."""
    source = job.in_dir / "submission"
    try:
        for root, dirs, files in os.walk(source, followlinks=False):
            rel_root = Path(root).relative_to(source)
            target_root = job.work_dir / rel_root
            target_root.mkdir(parents=True, exist_ok=True)
            dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
            for name in files:
                src = Path(root) / name
                if src.is_symlink() or not src.is_file():
                    continue
                shutil.copyfile(src, target_root / name)
        data = job.in_dir / "data"
        folders = {(job.work_dir / nb).parent for nb in job.notebooks} | {job.work_dir}
        for folder in folders:
            link = folder / "data"
            if link.is_dir() and not link.is_symlink():
                # The candidate shipped a data/ folder: public files win over their copies.
                for name in job.data_files:
                    target = link / name
                    if target.exists() or target.is_symlink():
                        target.unlink()
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(data / name)
            elif not link.exists():
                link.symlink_to(data, target_is_directory=True)
    except OSError as exc:
        state.escalate(
            "disk_limit" if exc.errno in (27, 28) else "errors", f"could not prepare the working folder: {exc}"
        )
        return False
    return True


def _kill_strays(job: Job) -> int:
    """Kill every process but this one and init; return how many there were."""
    if not job.sandboxed or os.getuid() == 0:
        return 0
    me = os.getpid()
    strays = [p for p in _pids() if p not in (1, me)]
    for _ in range(50):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            break
        except PermissionError:
            break
        time.sleep(0.02)
    return len(strays)


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _read_regular(path: Path, limit: int) -> bytes | None:
    """Read a regular file without following symlinks, or None if unsafe or too big."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit + 1)[:limit]
    finally:
        os.close(fd)


def _collect(job: Job) -> tuple[dict[str, bytes], list[str]]:
    collected: dict[str, bytes] = {}
    notes: list[str] = []
    folders = [job.work_dir, *sorted({(job.work_dir / nb).parent for nb in job.notebooks} - {job.work_dir})]
    for name in job.collect:
        for folder in folders:
            path = folder / name
            if not (path.exists() or path.is_symlink()):
                continue
            data = _read_regular(path, MAX_COLLECTED_BYTES)
            if data is None:
                notes.append(
                    f"{name}: not collected (not a regular file, or larger than {MAX_COLLECTED_BYTES:,} bytes)"
                )
            else:
                collected[name] = data
            break
    return collected, notes


def _read_traces(job: Job) -> bytes:
    chunks = []
    budget = MAX_TRACE_BYTES
    if job.trace_dir.is_dir():
        for path in sorted(job.trace_dir.iterdir(), key=lambda p: p.name):
            data = _read_regular(path, budget)
            if data:
                chunks.append(data if data.endswith(b"\n") else data + b"\n")
                budget -= len(data)
            if budget <= 0:
                break
    return b"".join(chunks)


def _read_redirects(job: Job, state: RunState) -> list[dict[str, Any]]:
    """Redirect events the kernels wrote (candidate processes: parsed defensively), mapped to cells."""
    cells = {(c.notebook, c.execution_count): c.local_index for c in state.cells if c.execution_count is not None}
    events: list[dict[str, Any]] = []
    if not job.redirects_dir.is_dir():
        return events
    for path in sorted(job.redirects_dir.iterdir(), key=lambda p: p.name):
        data = _read_regular(path, MAX_REDIRECT_BYTES) or b""
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                raw = json.loads(line)
            except ValueError:
                continue
            if not isinstance(raw, dict) or raw.get("kind") not in ("redirect", "shim", "separator"):
                continue
            notebook = str(raw.get("notebook", ""))
            count = raw.get("count")
            local = cells.get((notebook, count)) if isinstance(count, int) else None
            events.append(
                {
                    "kind": raw["kind"],
                    "notebook": notebook[:500],
                    "local_index": local,
                    **{k: str(raw.get(k, ""))[:500] for k in ("requested", "resolved", "via", "detail")},
                }
            )
            if len(events) >= MAX_REDIRECTS:
                return events
    return events


def _assemble(job: Job, state: RunState, started: float, strays: int) -> dict[str, Any]:
    tracing = [nb.get("tracing", "") for nb in state.notebooks if nb.get("tracing")]
    return {
        "executor_version": EXECUTOR_VERSION,
        "status": state.status,
        "reason": "; ".join(state.reasons)[:4000],
        "duration_s": round(time.monotonic() - started, 3),
        "notebooks": state.notebooks,
        "cells": [c.as_dict() for c in state.cells],
        "tracing": "ok" if tracing and all(t == "ok" for t in tracing) else (tracing[0] if tracing else "disabled"),
        "skipped_lines": state.skipped_lines[:500],
        "redirects": _read_redirects(job, state),
        "stray_processes": strays,
        "packages": _package_versions(),
        "peak_memory_bytes": _peak_memory(),
        "oom_kills": _oom_kill_count(),
    }


def _write_results(job: Job, state: RunState, result: dict[str, Any], nonce: bytes) -> None:
    collected, notes = _collect(job)
    if notes:
        result["reason"] = "; ".join(filter(None, [result["reason"], *notes]))[:4000]
    result["collected"] = sorted(collected)
    trace = _read_traces(job)
    _reset_dir(job.results_dir)
    files: dict[str, bytes] = {}
    for number, rel in enumerate(job.notebooks):
        nb = state.executed.get(rel)
        if nb is not None:
            files[f"executed/{number}.ipynb"] = nbformat.writes(nb).encode("utf-8")
            state.notebooks[[n["path"] for n in state.notebooks].index(rel)]["executed"] = f"executed/{number}.ipynb"
    for name, data in collected.items():
        files[f"collected/{_safe_name(name)}"] = data
    if trace:
        files["trace.jsonl"] = trace
    files["execution.json"] = json.dumps(result, indent=1).encode("utf-8")
    digests = {}
    for name, data in files.items():
        target = job.results_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.write_bytes(data)
        except OSError:
            # Out of space: free the candidate's working folder and try once more.
            shutil.rmtree(job.work_dir, ignore_errors=True)
            target.write_bytes(data)
        digests[name] = hashlib.sha256(data).hexdigest()
    manifest = json.dumps(digests, sort_keys=True)
    signature = hmac.new(nonce, manifest.encode(), hashlib.sha256).hexdigest() if nonce else ""
    done = job.results_dir / "done.json"
    done.write_text(json.dumps({"files": digests, "hmac": signature}), encoding="utf-8")


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:120]


def _progress(job: Job, outcome: CellOutcome) -> None:
    with contextlib.suppress(OSError), open(job.out_dir / "progress.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(outcome.as_dict()) + "\n")


def _cell_started(job: Job, notebook: int, cell: int, cells: int) -> None:
    """One JSON line per code cell started, for the host's live "cell i of n" (ints only; see live_progress)."""
    line = {"notebook": notebook, "notebooks": len(job.notebooks), "cell": cell, "cells": cells}
    with contextlib.suppress(OSError), open(job.out_dir / "cells.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line) + "\n")


# --------------------------------------------------------------------------- system facts


def _oom_kill_count() -> int:
    for path in ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events"):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return 0


def _peak_memory() -> int | None:
    for path in ("/sys/fs/cgroup/memory/memory.max_usage_in_bytes", "/sys/fs/cgroup/memory.peak"):
        with contextlib.suppress(OSError, ValueError):
            return int(Path(path).read_text().strip())
    return None


def _package_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for name in KEY_PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    return versions


# --------------------------------------------------------------------------- entry point


def _make_non_dumpable() -> None:
    """Stop same-uid candidate processes from reading this process's memory."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4


def _read_nonce(timeout: float = 10.0) -> bytes:
    """The host writes a one-time key on stdin; it signs the results manifest."""
    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
        line = sys.stdin.readline().strip() if ready else ""
    except (OSError, ValueError):
        line = ""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
    return line.encode()


def _guard_init() -> None:
    """As PID 1 of the container, ignore signals and reap orphans.

    The kernel runs as the same uid, so it could signal this process; but inside a
    PID namespace, init only receives signals it handles, so SIGKILL/SIGTERM from
    candidate code do nothing. Orphans (daemons, fork-bomb children) re-parent to
    init: reap them, or their zombies would hold the pids limit; the kernel's own
    exit status is left for its Popen to collect.
    """
    if os.getpid() != 1:
        return
    _ignore_signals()

    def reap(_signum: int, _frame: Any) -> None:
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid in KERNEL_PIDS:
                return
            with contextlib.suppress(ChildProcessError):
                os.waitpid(info.si_pid, 0)

    signal.signal(signal.SIGCHLD, reap)


def _ignore_signals() -> None:
    """Ignore every catchable signal as PID 1; nbclient's own SIGINT/SIGTERM handlers included.

    nbclient installs loop handlers that shut the kernel down on SIGINT/SIGTERM; with
    candidate code able to send those to PID 1, they must not stay installed.
    """
    if os.getpid() != 1:
        return
    with contextlib.suppress(RuntimeError):
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
    for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGPIPE", "SIGALRM"):
        with contextlib.suppress(OSError, ValueError):
            signal.signal(getattr(signal, name), signal.SIG_IGN)


#: Kernel processes whose exit status their Popen must collect (not the init reaper).
KERNEL_PIDS: set[int] = set()


def main(argv: list[str] | None = None) -> int:
    """Run the job given on the command line inside the sandbox; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    _make_non_dumpable()
    _guard_init()
    job = Job.load(Path(argv[0]))
    nonce = _read_nonce() if job.sandboxed else b""
    os.umask(0o077)
    run(job, nonce)
    print("thg-executor: results written", flush=True)
    if job.linger_s:
        # Results live on a tmpfs volume that vanishes when this process exits:
        # wait for the host to copy them and kill the container.
        time.sleep(job.linger_s)
    return 0
