"""Build the sandbox runtime image, offline when no registry answers.

One image per runtime profile (`grader.execution.profiles`: `current` and older eras of
the stack), tagged `take-home-grader-runtime:<profile>-<hash>`. The hash covers every
input (the profile's pins and lock, the executor's code, the Dockerfile and the base),
so an image is rebuilt only when one of them changes.
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
from grader.execution.profiles import RuntimeProfile, default_profile, get_profile, load_profiles, normalise

HERE = Path(__file__).resolve().parent
EXECUTOR_DIR = HERE.parent / "executor"
IMAGE_REPOSITORY = "take-home-grader-runtime"
BASE_REPOSITORY = "take-home-grader-base"
SLIM_BASE = "python:3.11-slim"
SANDBOX_UID = 10001
DEBIAN_SUITE = "bookworm"
#: libgomp1: the OpenMP runtime LightGBM's wheel links against (not in the minimal base).
DEBOOTSTRAP_PACKAGES = ("python3", "python3-venv", "ca-certificates", "libgomp1")
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
LABEL take-home-grader.inputs="{inputs}" take-home-grader.base="{base}" take-home-grader.profile="{profile}" \\
      take-home-grader.installed="{installed}"
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
    profile: str = "current"
    #: Uncompressed size of the image, when known.
    size_bytes: int | None = None

    def lines(self) -> Iterator[str]:
        size = f", {self.size_bytes / 1e6:,.0f} MB" if self.size_bytes else ""
        if not self.built:
            yield f"profile {self.profile}: image {self.tag} is up to date (inputs unchanged){size}; nothing to build"
        for step, seconds in self.steps:
            yield f"  {step}: {seconds:.1f} s"
        if self.built:
            yield f"profile {self.profile}: built {self.tag} from {self.base} in {self.total_s:.1f} s{size}"


def _profile(profile: RuntimeProfile | str | None) -> RuntimeProfile:
    if profile is None:
        return default_profile()
    return profile if isinstance(profile, RuntimeProfile) else get_profile(profile)


def requirements_text(profile: RuntimeProfile | str | None = None) -> str:
    """The pins of a profile's image (the current profile's by default)."""
    return _profile(profile).requirements_text()


def constraints_text(profile: RuntimeProfile | str | None = None) -> str:
    """The full lock of a profile's image (the current profile's by default)."""
    return _profile(profile).constraints_text()


def _executor_files() -> list[Path]:
    return sorted(p for p in EXECUTOR_DIR.rglob("*.py") if "__pycache__" not in p.parts)


def inputs_hash(base: str, profile: RuntimeProfile | str | None = None) -> str:
    """Hash of everything that goes into a profile's image, including the base's name."""
    chosen = _profile(profile)
    digest = hashlib.sha256()
    for label, text in (
        ("profile", chosen.name),
        ("requirements", chosen.requirements_text()),
        ("constraints", chosen.constraints_text()),
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


def image_tag(base: str, profile: RuntimeProfile | str | None = None) -> str:
    """`take-home-grader-runtime:<profile>-<inputs hash>`."""
    chosen = _profile(profile)
    return f"{IMAGE_REPOSITORY}:{chosen.name}-{inputs_hash(base, chosen)}"


def find_runtime_image(client: DockerClient, profile: RuntimeProfile | str | None = None) -> str | None:
    """The local image of a profile (the current one by default) whose inputs match this grader's code."""
    chosen = _profile(profile)
    for base in (SLIM_BASE, debootstrap_base_tag()):
        tag = image_tag(base, chosen)
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
    profile: RuntimeProfile | str | None = None,
) -> BuildReport:
    """Build a profile's runtime image (the current one by default) if its inputs changed."""
    chosen = _profile(profile)
    started = time.monotonic()
    if not force:
        existing = find_runtime_image(client, chosen)
        if existing:
            return BuildReport(tag=existing, built=False, profile=chosen.name, size_bytes=client.image_size(existing))
    base_tag = choose_base(client, base, log)
    tag = image_tag(base_tag, chosen)
    report = BuildReport(tag=tag, built=True, base=base_tag, profile=chosen.name)
    if not force and client.image_exists(tag):
        return BuildReport(tag=tag, built=False, profile=chosen.name, size_bytes=client.image_size(tag))
    if base_tag != SLIM_BASE and not client.image_exists(base_tag):
        step = time.monotonic()
        _bootstrap_base(client, base_tag, log)
        report.steps.append((f"debootstrap {DEBIAN_SUITE} and import as {base_tag}", time.monotonic() - step))
    step = time.monotonic()
    wheels = _wheelhouse(log, chosen)
    report.steps.append((f"wheelhouse ({len(list(wheels.glob('*.whl')))} wheels)", time.monotonic() - step))
    step = time.monotonic()
    python = "/usr/local/bin/python3" if base_tag == SLIM_BASE else "/usr/bin/python3"
    context = _build_context(base_tag, python, wheels, inputs_hash(base_tag, chosen), chosen)
    log(f"building {tag} ...")
    with docker_errors("building the sandbox image"):
        client.build(context, tag=tag, log=log)
    report.steps.append(("docker build (offline, network none)", time.monotonic() - step))
    report.total_s = time.monotonic() - started
    report.size_bytes = client.image_size(tag)
    return report


def build_all_images(
    client: DockerClient, *, base: str = "auto", force: bool = False, log: Callable[[str], None] = print
) -> list[BuildReport]:
    """Build every profile's image that is missing or out of date, newest profile first."""
    profiles = load_profiles()
    if base == "auto" and (force or any(find_runtime_image(client, p) is None for p in profiles)):
        # Decide the base once: a registry that does not answer is asked only once.
        base = "slim" if choose_base(client, base, log) == SLIM_BASE else "debootstrap"
    return [build_image(client, base=base, force=force, log=log, profile=p) for p in profiles]


def installed_distributions(client: DockerClient, image: str) -> dict[str, str] | None:
    """Distributions installed in a runtime image (name → version), from its label; None if unknown."""
    label = client.image_labels(image).get("take-home-grader.installed")
    if not label:
        return None
    found = {}
    for item in label.split(","):
        name, _, version = item.partition("==")
        if name and version:
            found[normalise(name)] = version
    return found


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


def wheelhouse_dir(profile: RuntimeProfile | str | None = None) -> Path:
    """Where a profile's wheels are downloaded to (complete once `.complete` exists)."""
    chosen = _profile(profile)
    key = hashlib.sha256((chosen.requirements_text() + chosen.constraints_text()).encode()).hexdigest()[:16]
    return cache_dir() / f"wheelhouse-{key}"


def _wheelhouse(log: Callable[[str], None], profile: RuntimeProfile) -> Path:
    target = wheelhouse_dir(profile)
    if (target / ".complete").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req,
        tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as con,
    ):
        req.write(profile.requirements_text())
        con.write(profile.constraints_text())
    command = pip_download_command(target, con.name, ["-r", req.name])
    log(f"downloading the {profile.name} profile's wheels on the host (pip download) ...")
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


def wheel_distributions(wheels: Path) -> dict[str, str]:
    """Normalised name → version of every wheel in a folder."""
    found = {}
    for wheel in wheels.glob("*.whl"):
        name, _, rest = wheel.name.partition("-")
        found[normalise(name)] = rest.split("-", 1)[0]
    return found


def _build_context(base: str, python: str, wheels: Path, inputs: str, profile: RuntimeProfile) -> io.BytesIO:
    """An in-memory tar: Dockerfile, pins, wheels and the executor package."""
    buffer = io.BytesIO()

    def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o644
        info.mtime = 0
        tar.addfile(info, io.BytesIO(data))

    with tarfile.open(fileobj=buffer, mode="w") as tar:
        # The wheelhouse is exactly the resolution of the pins, so it is what gets installed.
        installed = ",".join(f"{n}=={v}" for n, v in sorted(wheel_distributions(wheels).items()))
        dockerfile = DOCKERFILE.format(
            base=base, python=python, uid=SANDBOX_UID, inputs=inputs, profile=profile.name, installed=installed
        )
        add_bytes(tar, "Dockerfile", dockerfile.encode())
        add_bytes(tar, "requirements.txt", profile.requirements_text().encode())
        add_bytes(tar, "constraints.txt", profile.constraints_text().encode())
        for wheel in sorted(wheels.glob("*.whl")):
            tar.add(wheel, arcname=f"wheels/{wheel.name}")
        for path in _executor_files():
            add_bytes(tar, f"thg_executor/{path.relative_to(EXECUTOR_DIR)}", path.read_bytes())
    buffer.seek(0)
    return buffer
