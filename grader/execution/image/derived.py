"""Derived sandbox images: the runtime image plus the extra packages a submission may use.

Wheels are fetched on the host the same way the runtime image's are (`pip download
--only-binary=:all:` for CPython 3.11 on manylinux x86-64, constrained by the image's
lock so nothing already installed changes version), then installed into `/opt/venv` by a
Docker build that runs with no network (`pip install --no-index`). The image is tagged
`take-home-grader-runtime:<base-hash>-extra-<set-hash>` and reused for every submission
that asks for the same set; the outcome of a set (what could not be provided and why) is
cached on disk too, so a failing set is not downloaded again for each submission.

Each runtime profile has its own lock, so wheels are resolved against the profile of the
image being extended. The build context carries every downloaded wheel except those
already installed in that image (read from the image's `installed` label): a distribution
the lock names but the image does not hold (a dependency only an extra package needs,
e.g. catboost's `graphviz`) must travel with it, or `pip --no-index` cannot resolve it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.execution.docker_client import DockerClient, docker_errors
from grader.execution.image import (
    SANDBOX_UID,
    cache_dir,
    constraints_text,
    installed_distributions,
    pip_download_command,
    wheel_distributions,
    wheelhouse_dir,
)
from grader.execution.profiles import normalise
from grader.models.execution import PackageRequest, PackageStatus

DOWNLOAD_TIMEOUT_S = 300
MAX_WHEELHOUSE_BYTES = 400 * 1024 * 1024
DERIVED_DOCKERFILE = """\
FROM {base}
USER 0:0
COPY wheels /tmp/extra-wheels
COPY constraints.txt /tmp/extra-constraints.txt
RUN /opt/venv/bin/python -m pip install --no-index --no-cache-dir --disable-pip-version-check \\
        --find-links /tmp/extra-wheels -c /tmp/extra-constraints.txt {packages} \\
 && rm -rf /tmp/extra-wheels /tmp/extra-constraints.txt
LABEL take-home-grader.extra="{label}"
USER {uid}:{uid}
WORKDIR /tmp
"""
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
_WHEEL = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+)-")


@dataclass
class DerivedImage:
    """The image to run a submission in, and what became of each package it asked for."""

    image: str
    requests: list[PackageRequest]
    built: bool = False
    log: list[str] = field(default_factory=list)


def _lock_for(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def derived_tag(base: str, packages: list[str], profile: str | None = None) -> str:
    """`take-home-grader-runtime:<base-hash>-extra-<set-hash>`: one image per base and package set."""
    repository, _, version = base.partition(":")
    key = hashlib.sha256(json.dumps([base, sorted(packages), constraints_text(profile)]).encode()).hexdigest()[:12]
    return f"{repository}:{(version or 'latest')[:40]}-extra-{key}"


def provide_packages(
    client: DockerClient,
    base: str,
    requests: list[PackageRequest],
    *,
    download: Callable[[list[str], Path], tuple[bool, str]] | None = None,
    profile: str | None = None,
) -> DerivedImage:
    """Install the allowed packages (`not_attempted` requests) into a derived image; never raises.

    `base` is the image of runtime profile `profile` (the current one by default). Returns
    the image to use (the base when nothing could be installed) and every request with its
    final status: `installed`, `no_wheel`, `conflict` or `failed`.
    """
    wanted = [r for r in requests if r.status is PackageStatus.not_attempted]
    if not wanted:
        return DerivedImage(image=base, requests=list(requests))
    specs = [f"{r.name}{r.specifier}" if r.specifier else r.name for r in wanted]
    tag = derived_tag(base, specs, profile)
    download = download or partial(pip_download, profile=profile)
    with _lock_for(tag):
        outcome = _cached_outcome(tag)
        if outcome is not None and (not outcome["installed"] or client.image_exists(tag)):
            return _result(base, tag, requests, outcome, built=False)
        outcome = _resolve(specs, wanted, tag, download)
        built = False
        if outcome["installed"]:
            try:
                _build(client, base, tag, Path(outcome["wheelhouse"]), outcome["installed"], profile)
                built = True
            except GraderError as exc:
                for name in outcome["installed"]:
                    outcome["failed"][name] = ["failed", f"the derived image could not be built: {str(exc)[:300]}"]
                outcome["installed"] = []
        if not any(status == PackageStatus.failed.value for status, _ in outcome["failed"].values()):
            _store_outcome(tag, outcome)  # a transient failure (network) is tried again next time
        return _result(base, tag, requests, outcome, built=built)


def _resolve(
    specs: list[str], wanted: list[PackageRequest], tag: str, download: Callable[[list[str], Path], tuple[bool, str]]
) -> dict[str, Any]:
    """Download the whole set; if that fails, each package alone, to say which ones cannot be had."""
    wheelhouse = cache_dir() / f"extra-{tag.rsplit('-', 1)[-1]}"
    wheelhouse.mkdir(parents=True, exist_ok=True)
    failed: dict[str, list[str]] = {}
    ok, message = download(specs, wheelhouse)
    installed: list[str] = []
    if ok:
        installed = [r.name for r in wanted]
    else:
        for request, spec in zip(wanted, specs, strict=True):
            single_ok, single_message = download([spec], wheelhouse)
            if not single_ok and request.specifier:
                # The pinned version may have no wheel for Python 3.11: try the newest compatible one.
                single_ok, single_message = download([request.name], wheelhouse)
                if single_ok:
                    request.detail = f"{request.specifier} could not be provided; installed the newest wheel instead"
            if single_ok:
                installed.append(request.name)
            else:
                failed[request.name] = [_failure_status(single_message).value, _summary(single_message)]
        if installed and not download(installed, wheelhouse)[0]:
            # Each works alone but not together.
            for name in installed:
                failed[name] = [PackageStatus.conflict.value, "the allowed packages cannot be installed together"]
            installed = []
    return {
        "installed": installed,
        "failed": failed,
        "wheelhouse": str(wheelhouse),
        "versions": _wheel_versions(wheelhouse),
        "message": _summary(message),
    }


def _failure_status(message: str) -> PackageStatus:
    text = message.lower()
    if "resolutionimpossible" in text or "conflict" in text or "cannot install" in text:
        return PackageStatus.conflict
    if "no matching distribution" in text or "could not find a version" in text:
        return PackageStatus.no_wheel
    return PackageStatus.failed


def _summary(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip().startswith("ERROR")]
    return (" ".join(lines) or message.strip()[-300:])[:400]


def _result(base: str, tag: str, requests: list[PackageRequest], outcome: dict[str, Any], built: bool) -> DerivedImage:
    installed = set(outcome["installed"])
    failed: dict[str, list[str]] = outcome["failed"]
    versions: dict[str, str] = outcome.get("versions", {})
    final = []
    for request in requests:
        if request.status is PackageStatus.not_attempted:
            if request.name in installed:
                request = request.model_copy(
                    update={
                        "status": PackageStatus.installed,
                        "version": versions.get(request.name),
                        "detail": request.detail
                        if "newest" in request.detail
                        else "installed from a binary wheel into a derived image",
                    }
                )
            else:
                status, detail = failed.get(request.name, [PackageStatus.failed.value, "not installed"])
                request = request.model_copy(update={"status": PackageStatus(status), "detail": detail})
        final.append(request)
    return DerivedImage(image=tag if installed else base, requests=final, built=built)


def pip_download(specs: list[str], target: Path, profile: str | None = None) -> tuple[bool, str]:
    """`pip download` binary wheels for the sandbox's Python and platform, constrained by the profile's lock."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as con:
        con.write(constraints_text(profile))
    command = pip_download_command(target, con.name, [])
    base_wheels = wheelhouse_dir(profile)
    if (base_wheels / ".complete").exists():
        # The image's own wheels satisfy shared dependencies without going to the index.
        command += ["--find-links", str(base_wheels)]
    command += ["--", *specs]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, check=False, timeout=DOWNLOAD_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"ERROR: pip download did not finish: {exc}"
    finally:
        os.unlink(con.name)
    return proc.returncode == 0, proc.stderr[-4000:] or proc.stdout[-4000:]


def _wheel_versions(wheelhouse: Path) -> dict[str, str]:
    versions = {}
    for wheel in wheelhouse.glob("*.whl"):
        match = _WHEEL.match(wheel.name)
        if match:
            versions[normalise(match.group("name"))] = match.group("version")
    return versions


def base_installed(client: DockerClient, base: str, profile: str | None = None) -> dict[str, str]:
    """What the base image holds: its `installed` label, else the profile's wheelhouse, else nothing known."""
    installed = installed_distributions(client, base)
    if installed is not None:
        return installed
    wheels = wheelhouse_dir(profile)
    return wheel_distributions(wheels) if (wheels / ".complete").exists() else {}


def _build(
    client: DockerClient, base: str, tag: str, wheelhouse: Path, packages: list[str], profile: str | None = None
) -> None:
    """Build the derived image offline; every wheel but those the base image already holds is sent."""
    installed = base_installed(client, base, profile)
    buffer = io.BytesIO()
    total = 0

    def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        dockerfile = DERIVED_DOCKERFILE.format(
            base=base, uid=SANDBOX_UID, packages=" ".join(packages), label=",".join(packages)[:500]
        )
        add_bytes(tar, "Dockerfile", dockerfile.encode())
        add_bytes(tar, "constraints.txt", constraints_text(profile).encode())
        for wheel in sorted(wheelhouse.glob("*.whl")):
            match = _WHEEL.match(wheel.name)
            if match and installed.get(normalise(match.group("name"))) == match.group("version"):
                continue  # pip finds it installed and needs no wheel
            total += wheel.stat().st_size
            if total > MAX_WHEELHOUSE_BYTES:
                raise GraderError(f"the extra packages exceed {MAX_WHEELHOUSE_BYTES // 2**20} MB of wheels")
            tar.add(wheel, arcname=f"wheels/{wheel.name}")
    buffer.seek(0)
    with docker_errors("building a derived sandbox image"):
        client.build(buffer, tag=tag, log=lambda line: None)


def _outcome_path(tag: str) -> Path:
    return cache_dir() / "derived" / f"{tag.replace(':', '_')}.json"


def _cached_outcome(tag: str) -> dict[str, Any] | None:
    try:
        return dict(json.loads(_outcome_path(tag).read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _store_outcome(tag: str, outcome: dict[str, Any]) -> None:
    path = _outcome_path(tag)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outcome, indent=1), encoding="utf-8")
