"""Run a submission's notebooks in a locked-down container and bring back evidence.

Layout inside the container:

- `/sandbox/in` (named volume, mounted read-only): `job.json`, `submission/`, `data/`
  (the assignment's public files only). Filled through a never-started loader
  container, so it works against a remote engine too.
- `/sandbox/out` (tmpfs-backed named volume, size-capped, the only writable place
  besides `/tmp`): `work/` (the candidate's working folder) and `grader/` (results).
- `/tmp`: a size-capped tmpfs.

The container has no network, no capabilities, no new privileges, a read-only
root, memory = memory+swap, a CPU quota, a pids limit, ulimits and a non-root
uid. The host keeps its own wall-clock deadline and always removes what it
created. Results are collected while the executor lingers (the tmpfs volume
vanishes when the container exits) and are verified with a one-time key sent
over stdin, which candidate code never sees.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import socket
import tarfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import SandboxError, UntrustedOutputError
from grader.execution.docker_client import (
    LABEL,
    DockerClient,
    log_config,
    ulimits,
    volume_mount,
)
from grader.execution.image import SANDBOX_UID
from grader.execution.kernel_log import oom_killed_in
from grader.execution.live_progress import MAX_FILE_BYTES, CellFeed, CellListener
from grader.execution.results import (
    ChunkReader,
    CollectedResults,
    ExecutorCell,
    manifest_is_signed,
    parse_progress,
    read_results_tar,
    verify_and_parse,
)
from grader.execution.seccomp import profile_json
from grader.models.assignment import RunLimits

IN_DIR = "/sandbox/in"
OUT_DIR = "/sandbox/out"
#: Time the container may take to start the executor and its first kernel.
STARTUP_MARGIN_S = 45.0
#: How long the executor waits for the host to copy its results before exiting.
LINGER_S = 120.0
MAX_INPUT_BYTES = 512 * 1024 * 1024
GVISOR_PIDS_OVERHEAD = 512


def current_owner() -> str:
    """Which grader process creates a container (`host:pid`): reaping skips live owners' runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


#: How often the host copies the (unsigned) progress log while a run goes on.
PROGRESS_EVERY_S = 0.5
#: Exit code of a process ended by SIGKILL (the OOM killer's, or a kill from inside).
SIGKILL_EXIT = 137
#: How long an exited sandbox's state is re-read for the engine to record an OOM kill.
OOM_SETTLE_S = 2.0


@dataclass(frozen=True)
class SandboxSettings:
    """How sandboxes are run on this host; limits per run come from the assignment."""

    image: str
    #: None is the engine's default (runc); "runsc" selects gVisor where it is registered.
    runtime: str | None = None
    #: JSON text of the seccomp profile; the grader's current one by default, None for the engine's built-in.
    seccomp_profile: str | None = field(default_factory=profile_json)
    uid: int = SANDBOX_UID
    #: CPUs the container may use, e.g. "0" or "0,1"; None leaves the engine's choice.
    cpuset: str | None = None
    trace: bool = True
    redirect_paths: bool = True


@dataclass
class SandboxResult:
    """Everything the host learnt from one sandbox run."""

    results: CollectedResults | None
    #: Cells from the unsigned progress log, when the run was cut short from outside.
    partial_cells: list[ExecutorCell] = field(default_factory=list)
    host_timeout: bool = False
    exit_code: int | None = None
    oom_killed: bool = False
    error: str | None = None
    startup_s: float = 0.0
    wall_s: float = 0.0
    container_id: str = ""
    log_tail: str = ""


@dataclass(frozen=True)
class SandboxInput:
    """Files for one run: the submission's and the assignment's public data."""

    submission_files: dict[str, Path]
    data_files: dict[str, Path]
    notebooks: list[str]
    collect: list[str]
    limits: RunLimits
    #: A derived image with the submission's extra packages; None runs in `SandboxSettings.image`.
    image: str | None = None
    #: Columns whose group is a part of each value, and the pattern that picks it (for the tracer).
    group_patterns: dict[str, str] = field(default_factory=dict)


def reap_leftovers(client: DockerClient, *, everything: bool = False, owner: str | None = None) -> int:
    """Remove containers and volumes a crashed grader left behind; returns how many.

    A container is a leftover once its `expires` label has passed or the grader
    process that owns it (on this host) is gone; `everything=True` removes every
    labelled one (`grader reap`), `owner=` only those of one grader process.
    """
    count = 0
    now = time.time()
    for container in client.containers_with_label():
        labels = container.labels
        if owner is not None and labels.get(f"{LABEL}.owner") != owner:
            continue
        expires = labels.get(f"{LABEL}.expires", "0")
        if (
            everything
            or owner is not None
            or not expires.isdigit()
            or int(expires) < now
            or _owner_is_dead(labels.get(f"{LABEL}.owner", ""))
        ):
            client.remove_container(container)
            count += 1
    in_use = {m.get("Name") for c in client.containers_with_label() for m in c.attrs.get("Mounts", [])}
    for volume in client.volumes_with_label():
        labels = volume.attrs.get("Labels") or {}
        if owner is not None and labels.get(f"{LABEL}.owner") != owner:
            continue
        if volume.name not in in_use and (
            everything or owner is not None or _owner_is_dead(labels.get(f"{LABEL}.owner", ""))
        ):
            client.remove_volume(volume)
            count += 1
    return count


def _owner_is_dead(owner: str) -> bool:
    """Whether the grader process named by an owner label (`host:pid`) is gone from this host."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def run_in_sandbox(
    client: DockerClient, settings: SandboxSettings, job: SandboxInput, *, on_cell: CellListener | None = None
) -> SandboxResult:
    """Run the job in a fresh container; never leaves the container or its volumes behind.

    `on_cell` hears each code cell as it starts ("cell i of n"), read from the container while it runs.
    """
    run_id = uuid.uuid4().hex[:12]
    expires = time.time() + job.limits.timeout_seconds + STARTUP_MARGIN_S + LINGER_S + 60
    labels = {
        LABEL: "1",
        f"{LABEL}.run": run_id,
        f"{LABEL}.expires": str(int(expires)),
        f"{LABEL}.owner": current_owner(),
    }
    nonce = secrets.token_hex(32)
    created: list[Any] = []
    volumes: list[Any] = []
    started = time.monotonic()
    result = SandboxResult(results=None)
    try:
        in_volume = client.create_volume(f"thg-in-{run_id}", labels)
        volumes.append(in_volume)
        out_volume = client.create_volume(
            f"thg-out-{run_id}", labels, tmpfs_size_mb=job.limits.output_mb, uid=settings.uid
        )
        volumes.append(out_volume)
        _load_inputs(client, settings, job, in_volume.name, labels, created)
        container = client.create_container(
            job.image or settings.image,
            ["/opt/venv/bin/python", "-m", "thg_executor", f"{IN_DIR}/job.json"],
            **_container_options(settings, job.limits, in_volume.name, out_volume.name, labels),
        )
        created.append(container)
        result.container_id = container.id
        socket = client.attach_stdin(container)
        client.start(container)
        _send_nonce(socket, nonce)
        result.startup_s = time.monotonic() - started
        _wait_and_collect(client, container, job.limits, nonce.encode(), result, CellFeed(on_cell))
    finally:
        for container in created:
            client.remove_container(container)
        for volume in volumes:
            client.remove_volume(volume)
        result.wall_s = time.monotonic() - started
    return result


def _send_nonce(socket: Any, nonce: str) -> None:
    raw = getattr(socket, "_sock", socket)
    try:
        raw.sendall(nonce.encode() + b"\n")
    finally:
        try:
            raw.close()
        except OSError:
            pass


def _container_options(
    settings: SandboxSettings, limits: RunLimits, in_volume: str, out_volume: str, labels: dict[str, str]
) -> dict[str, Any]:
    threads = str(max(1, int(limits.cpus)))
    security = ["no-new-privileges"]
    if settings.seccomp_profile:
        security.append(f"seccomp={settings.seccomp_profile}")
    options: dict[str, Any] = {
        "user": f"{settings.uid}:{settings.uid}",
        "labels": labels,
        "network_mode": "none",
        "read_only": True,
        "mounts": [volume_mount(IN_DIR, in_volume, True), volume_mount(OUT_DIR, out_volume, False)],
        "tmpfs": {"/tmp": f"size={limits.tmp_mb}m,mode=1777,nosuid,nodev"},
        "mem_limit": f"{limits.memory_mb}m",
        "memswap_limit": f"{limits.memory_mb}m",
        "nano_cpus": int(limits.cpus * 1e9),
        "pids_limit": limits.pids,
        "cap_drop": ["ALL"],
        "security_opt": security,
        "ulimits": ulimits(
            nofile=1024,
            fsize_bytes=max(limits.output_mb, limits.tmp_mb, 64) * 1024 * 1024,
            cpu_seconds=int(limits.timeout_seconds * max(1.0, limits.cpus) + STARTUP_MARGIN_S + 60),
        ),
        "log_config": log_config(),
        # The executor is PID 1: candidate code (same uid) cannot signal it, and it reaps orphans.
        "init": False,
        "stdin_open": True,
        "environment": {
            "PATH": "/opt/venv/bin:/usr/local/bin:/usr/bin:/bin",
            "HOME": "/tmp/home",
            "LANG": "C.UTF-8",
            "PYTHONPATH": "/opt/thg",
            "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            "LOKY_MAX_CPU_COUNT": threads,
        },
        "working_dir": "/tmp",
        "shm_size": "64m",
        "hostname": "sandbox",
    }
    if settings.runtime:
        options["runtime"] = settings.runtime
    if settings.runtime == "runsc":
        # gVisor's sentry and gofer are Go programs whose OS threads count against the
        # host pids cgroup; sandboxed processes are not host processes there.
        options["pids_limit"] = limits.pids + GVISOR_PIDS_OVERHEAD
    if settings.cpuset:
        options["cpuset_cpus"] = settings.cpuset
    return options


def _load_inputs(
    client: DockerClient,
    settings: SandboxSettings,
    job: SandboxInput,
    volume: str,
    labels: dict[str, str],
    created: list[Any],
) -> None:
    """Fill the input volume through a loader container that is never started."""
    loader = client.create_container(
        settings.image,
        ["true"],
        labels=labels,
        network_mode="none",
        mounts=[volume_mount("/load", volume, False)],
        user="0:0",
    )
    created.append(loader)
    spec = {
        "in_dir": IN_DIR,
        "out_dir": OUT_DIR,
        "notebooks": job.notebooks,
        "timeout_s": job.limits.timeout_seconds,
        "cell_timeout_s": job.limits.cell_timeout_seconds,
        "max_output_bytes_per_cell": job.limits.max_output_bytes_per_cell,
        "max_total_output_bytes": max(30_000_000, 4 * job.limits.max_output_bytes_per_cell),
        "collect": job.collect,
        "data_files": sorted(job.data_files),
        "group_patterns": dict(job.group_patterns),
        "trace": settings.trace,
        "redirect_paths": settings.redirect_paths,
        "threads": max(1, int(job.limits.cpus)),
        "sandboxed": True,
        "linger_s": LINGER_S,
    }
    archive = _input_archive(spec, job, settings.uid)
    client.put_archive(loader, "/load", archive)
    client.remove_container(loader)
    created.remove(loader)


def _input_archive(spec: dict[str, Any], job: SandboxInput, uid: int) -> io.BytesIO:
    buffer = io.BytesIO()
    total = 0

    def add_dir(tar: tarfile.TarFile, name: str) -> None:
        info = tarfile.TarInfo(name)
        info.type = tarfile.DIRTYPE
        info.mode = 0o555
        info.uid = info.gid = 0
        tar.addfile(info)

    def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o444
        info.uid = info.gid = 0
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        add_file(tar, "job.json", json.dumps(spec, indent=1).encode())
        for folder, files in (("submission", job.submission_files), ("data", job.data_files)):
            add_dir(tar, folder)
            made: set[str] = {folder}
            for rel, path in sorted(files.items()):
                parts = rel.split("/")
                for depth in range(1, len(parts)):
                    sub = "/".join([folder, *parts[:depth]])
                    if sub not in made:
                        add_dir(tar, sub)
                        made.add(sub)
                data = path.read_bytes()
                total += len(data)
                if total > MAX_INPUT_BYTES:
                    raise SandboxError(f"the submission and data exceed {MAX_INPUT_BYTES:,} bytes")
                add_file(tar, f"{folder}/{rel}", data)
    del uid
    buffer.seek(0)
    return buffer


def _wait_and_collect(
    client: DockerClient, container: Any, limits: RunLimits, nonce: bytes, result: SandboxResult, cells: CellFeed
) -> None:
    """Poll for the signed manifest until the host deadline, then collect or salvage."""
    deadline = time.monotonic() + limits.timeout_seconds + STARTUP_MARGIN_S
    interval = 0.1
    next_progress = time.monotonic() + PROGRESS_EVERY_S
    while True:
        done = client.get_archive(container, f"{OUT_DIR}/grader/done.json")
        # A manifest the candidate planted fails the signature check and is ignored:
        # the executor's real one replaces it once every candidate process is dead.
        if done is not None and manifest_is_signed(_single_file(done, 64 * 1024), nonce):
            _fetch_cells(client, container, cells)
            files = client.get_archive(container, f"{OUT_DIR}/grader")
            if files is not None:
                try:
                    result.results = verify_and_parse(read_results_tar(files), nonce)
                except UntrustedOutputError as exc:
                    result.error = str(exc)
                break
        if time.monotonic() >= next_progress:
            # Keep a copy of the progress log: if the whole sandbox dies (an OOM under
            # gVisor), the tmpfs goes with it, and this is the only record of what ran.
            next_progress = time.monotonic() + PROGRESS_EVERY_S
            _fetch_progress(client, container, result)
            _fetch_cells(client, container, cells)
        state = client.container_state(container)
        if not state.get("Running", False):
            state = _settled(client, container, state)
            result.exit_code = state.get("ExitCode")
            result.oom_killed = bool(state.get("OOMKilled"))
            if result.results is None:
                result.error = result.error or _exit_reason(state)
            break
        if time.monotonic() >= deadline:
            result.host_timeout = True
            _fetch_progress(client, container, result)
            client.kill(container)
            state = client.container_state(container)
            result.oom_killed = bool(state.get("OOMKilled"))
            break
        time.sleep(interval)
        interval = min(0.5, interval * 1.5)
    if result.results is not None:
        result.error = None
    result.log_tail = client.logs_tail(container)
    client.kill(container)


def _settled(client: DockerClient, container: Any, state: dict[str, Any]) -> dict[str, Any]:
    """The exited container's state once the engine has had time to record an OOM kill.

    A SIGKILL exit (137) is an OOM kill or a kill from inside. The engine learns of the exit
    and of the OOM event separately; under gVisor the whole sandbox goes at once, and the
    exit can be seen before `OOMKilled` is set. Look again for a moment before calling it
    a kill from inside. Sometimes the engine never learns of it at all: the host kernel's log,
    where it can be read, settles it (`kernel_log`).
    """
    # The kernel logs the OOM kill before it sends the signal: one read of its log is enough.
    if _unexplained_kill(state) and oom_killed_in(str(getattr(container, "id", "") or "")):
        return {**state, "OOMKilled": True}
    deadline = time.monotonic() + OOM_SETTLE_S
    while _unexplained_kill(state) and time.monotonic() < deadline:
        time.sleep(0.2)
        state = client.container_state(container)
    return state


def _unexplained_kill(state: dict[str, Any]) -> bool:
    return state.get("ExitCode") == SIGKILL_EXIT and not state.get("OOMKilled")


def _fetch_progress(client: DockerClient, container: Any, result: SandboxResult) -> None:
    try:
        progress = client.get_archive(container, f"{OUT_DIR}/progress.jsonl")
    except SandboxError:
        return
    if progress is not None:
        cells = parse_progress(_single_file(progress, 16 * 1024 * 1024))
        if len(cells) >= len(result.partial_cells):
            result.partial_cells = cells


def _fetch_cells(client: DockerClient, container: Any, cells: CellFeed) -> None:
    """Pass the cells started since the last look to the listener, if there is one."""
    if cells.listener is None:
        return
    try:
        data = client.get_archive(container, f"{OUT_DIR}/cells.jsonl")
    except SandboxError:
        return
    if data is not None:
        cells.update(_single_file(data, MAX_FILE_BYTES))


def _exit_reason(state: dict[str, Any]) -> str:
    if state.get("OOMKilled"):
        return "the whole sandbox was killed for exceeding its memory limit"
    return f"the sandbox exited (code {state.get('ExitCode')}) before writing its results"


def _single_file(chunks: Any, cap: int) -> bytes:
    """The first regular file in a tar stream, if it is within `cap` bytes."""
    reader = io.BufferedReader(ChunkReader(iter(chunks), cap + 1024 * 1024))
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if member.isreg() and member.size <= cap:
                    handle = tar.extractfile(member)
                    return handle.read(cap) if handle else b""
    except (tarfile.TarError, UntrustedOutputError):
        return b""
    return b""


def default_settings(image: str, **overrides: Any) -> SandboxSettings:
    """Sandbox settings for an image (the runtime from `GRADER_RUNTIME` unless given)."""
    runtime = overrides.pop("runtime", None) or os.environ.get("GRADER_RUNTIME") or None
    return SandboxSettings(image=image, runtime=runtime, **overrides)
