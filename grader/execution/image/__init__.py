"""Build the sandbox runtime image, offline when no registry answers.

The tag carries a hash of every input (package pins, the executor's code, the
Dockerfile and the base), so the image is rebuilt only when one of them changes.
Base: `python:3.11-slim` when it is present or can be pulled, otherwise Debian
bookworm bootstrapped locally with debootstrap and imported. Python packages
come from a wheelhouse downloaded on the host; pip inside the build never
touches the network (the build runs with `network_mode=none`).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import ImageError
from grader.execution.docker_client import DockerClient, docker_errors

HERE = Path(__file__).resolve().parent
EXECUTOR_DIR = HERE.parent / "executor"
IMAGE_REPOSITORY = "take-home-grader-runtime"
BASE_REPOSITORY = "take-home-grader-base"
SLIM_BASE = "python:3.11-slim"
SANDBOX_UID = 10001
DEBIAN_SUITE = "bookworm"
DEBOOTSTRAP_PACKAGES = ("python3", "python3-venv", "ca-certificates")
PLATFORMS = (
    "manylinux2014_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux_2_24_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_28_x86_64",
)

DOCKERFILE = """\
FROM {base} AS build
COPY wheels /tmp/wheels
COPY requirements.txt constraints.txt /tmp/
RUN {python} -m venv /opt/venv \\
 && /opt/venv/bin/python -m pip install --no-index --no-cache-dir --find-links /tmp/wheels \\
        -r /tmp/requirements.txt -c /tmp/constraints.txt \\
 && mkdir -p /opt/mplcache \\
 && MPLCONFIGDIR=/opt/mplcache /opt/venv/bin/python -c "import matplotlib.pyplot"

FROM {base}
ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    LANG=C.UTF-8 LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=/opt/thg
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/mplcache /opt/mplcache
RUN echo "candidate:x:{uid}:{uid}:candidate:/tmp/home:/usr/sbin/nologin" >> /etc/passwd \\
 && echo "candidate:x:{uid}:" >> /etc/group
COPY thg_executor /opt/thg/thg_executor
RUN /opt/venv/bin/python -m compileall -q /opt/thg && chmod -R a+rX /opt/thg
LABEL take-home-grader.inputs="{inputs}" take-home-grader.base="{base}"
USER {uid}:{uid}
WORKDIR /tmp
"""


@dataclass
class BuildReport:
    """What `grader image build` did, for the CLI to print."""

    tag: str
    built: bool
    base: str = ""
    steps: list[tuple[str, float]] = field(default_factory=list)
    total_s: float = 0.0

    def lines(self) -> Iterator[str]:
        if not self.built:
            yield f"image {self.tag} is up to date (inputs unchanged); nothing to build"
        for step, seconds in self.steps:
            yield f"  {step}: {seconds:.1f} s"
        if self.built:
            yield f"built {self.tag} from {self.base} in {self.total_s:.1f} s"


def requirements_text() -> str:
    """The image's direct package pins."""
    return (HERE / "requirements.txt").read_text(encoding="utf-8")


def constraints_text() -> str:
    """The image's full package lock."""
    return (HERE / "constraints.txt").read_text(encoding="utf-8")


def _executor_files() -> list[Path]:
    return sorted(p for p in EXECUTOR_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def inputs_hash(base: str) -> str:
    """Hash of everything that goes into the image, including the base's name."""
    digest = hashlib.sha256()
    for label, text in (
        ("requirements", requirements_text()),
        ("constraints", constraints_text()),
        ("dockerfile", DOCKERFILE),
        ("base", base),
        ("uid", str(SANDBOX_UID)),
    ):
        digest.update(f"{label}\0{text}\0".encode())
    for path in _executor_files():
        digest.update(f"{path.relative_to(EXECUTOR_DIR)}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    """The grader's cache folder (`GRADER_CACHE_DIR`, else the user cache), created if needed."""
    root = os.environ.get("GRADER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "take-home-grader"
    )
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def debootstrap_base_tag() -> str:
    """The tag of the base image bootstrapped with debootstrap for this suite and package set."""
    key = hashlib.sha256(f"{DEBIAN_SUITE}:{','.join(DEBOOTSTRAP_PACKAGES)}".encode()).hexdigest()[:12]
    return f"{BASE_REPOSITORY}:{DEBIAN_SUITE}-{key}"


def find_runtime_image(client: DockerClient) -> str | None:
    """The newest local runtime image whose inputs match this grader's code."""
    for base in (SLIM_BASE, debootstrap_base_tag()):
        tag = f"{IMAGE_REPOSITORY}:{inputs_hash(base)}"
        if client.image_exists(tag):
            return tag
    return None


def choose_base(client: DockerClient, prefer: str, log: Callable[[str], None]) -> str:
    """`slim` needs python:3.11-slim locally or from a registry; `debootstrap` never does."""
    if prefer in ("auto", "slim"):
        if client.image_exists(SLIM_BASE):
            return SLIM_BASE
        log(f"trying to pull {SLIM_BASE} ...")
        if client.try_pull(SLIM_BASE, timeout=60):
            return SLIM_BASE
        if prefer == "slim":
            raise ImageError(f"{SLIM_BASE} could not be pulled; use --base debootstrap to build offline")
        log(f"{SLIM_BASE} is not reachable: bootstrapping Debian {DEBIAN_SUITE} locally")
    return debootstrap_base_tag()


def build_image(
    client: DockerClient,
    *,
    base: str = "auto",
    force: bool = False,
    log: Callable[[str], None] = print,
) -> BuildReport:
    """Build the runtime image if its inputs changed; returns what was done."""
    started = time.monotonic()
    if not force:
        existing = find_runtime_image(client)
        if existing:
            return BuildReport(tag=existing, built=False)
    base_tag = choose_base(client, base, log)
    tag = f"{IMAGE_REPOSITORY}:{inputs_hash(base_tag)}"
    report = BuildReport(tag=tag, built=True, base=base_tag)
    if not force and client.image_exists(tag):
        return BuildReport(tag=tag, built=False)
    if base_tag != SLIM_BASE and not client.image_exists(base_tag):
        step = time.monotonic()
        _bootstrap_base(client, base_tag, log)
        report.steps.append((f"debootstrap {DEBIAN_SUITE} and import as {base_tag}", time.monotonic() - step))
    step = time.monotonic()
    wheels = _wheelhouse(log)
    report.steps.append((f"wheelhouse ({len(list(wheels.glob('*.whl')))} wheels)", time.monotonic() - step))
    step = time.monotonic()
    python = "/usr/local/bin/python3" if base_tag == SLIM_BASE else "/usr/bin/python3"
    context = _build_context(base_tag, python, wheels, inputs_hash(base_tag))
    log(f"building {tag} ...")
    with docker_errors("building the sandbox image"):
        client.build(context, tag=tag, log=log)
    report.steps.append(("docker build (offline, network none)", time.monotonic() - step))
    report.total_s = time.monotonic() - started
    return report


def _bootstrap_base(client: DockerClient, tag: str, log: Callable[[str], None]) -> None:
    debootstrap = shutil.which("debootstrap")
    if debootstrap is None:
        raise ImageError("debootstrap is not installed: apt-get install -y debootstrap (or use a registry)")
    mirror = os.environ.get("GRADER_DEBIAN_MIRROR", "http://deb.debian.org/debian")
    with tempfile.TemporaryDirectory(prefix="thg-rootfs-", dir=cache_dir()) as tmp:
        rootfs = Path(tmp) / "rootfs"
        log(f"debootstrap --variant=minbase {DEBIAN_SUITE} (about a minute) ...")
        proc = subprocess.run(
            [
                debootstrap,
                "--variant=minbase",
                f"--include={','.join(DEBOOTSTRAP_PACKAGES)}",
                DEBIAN_SUITE,
                str(rootfs),
                mirror,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ImageError(
                f"debootstrap failed (exit {proc.returncode}): {proc.stderr[-2000:] or proc.stdout[-2000:]}"
            )
        for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for item in (rootfs / cache).glob("*"):
                if item.is_file():
                    item.unlink()
        archive = Path(tmp) / "rootfs.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(archive), "."], check=True)
        log(f"importing the root filesystem as {tag} ...")
        with docker_errors("importing the bootstrapped base image"):
            client.import_image(
                archive, tag, changes=["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
            )


def _wheelhouse(log: Callable[[str], None]) -> Path:
    key = hashlib.sha256((requirements_text() + constraints_text()).encode()).hexdigest()[:16]
    target = cache_dir() / f"wheelhouse-{key}"
    if (target / ".complete").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req,
        tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as con,
    ):
        req.write(requirements_text())
        con.write(constraints_text())
    command = pip_download_command(target, con.name, ["-r", req.name])
    log("downloading wheels on the host (pip download) ...")
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    os.unlink(req.name)
    os.unlink(con.name)
    if proc.returncode != 0:
        raise ImageError(f"pip download failed: {proc.stderr[-2000:]}")
    (target / ".complete").write_text("ok\n")
    return target


def pip_download_command(target: Path, constraints: str, extra: list[str]) -> list[str]:
    """`pip download` of binary wheels for the sandbox's Python and platforms into `target`."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        "--python-version",
        "3.11",
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        *extra,
        "-c",
        constraints,
        "-d",
        str(target),
    ]
    for platform in PLATFORMS:
        command += ["--platform", platform]
    return command


def _build_context(base: str, python: str, wheels: Path, inputs: str) -> io.BytesIO:
    """An in-memory tar: Dockerfile, pins, wheels and the executor package."""
    buffer = io.BytesIO()

    def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        info.mtime = 0
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        dockerfile = DOCKERFILE.format(base=base, python=python, uid=SANDBOX_UID, inputs=inputs)
        add_bytes(tar, "Dockerfile", dockerfile.encode())
        add_bytes(tar, "requirements.txt", requirements_text().encode())
        add_bytes(tar, "constraints.txt", constraints_text().encode())
        for wheel in sorted(wheels.glob("*.whl")):
            tar.add(wheel, arcname=f"wheels/{wheel.name}")
        for path in _executor_files():
            add_bytes(tar, f"thg_executor/{path.relative_to(EXECUTOR_DIR)}", path.read_bytes())
    buffer.seek(0)
    return buffer
