"""The one place that talks to the Docker SDK; its errors become ours here.

Callers never import `docker.errors`: every engine failure surfaces as a
`SandboxError` subclass with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import requests.exceptions
from docker.types import LogConfig, Mount, Ulimit

from grader.errors import EngineUnavailable, ImageError, SandboxError

#: Every container and volume the grader creates carries this label, so leftovers can be reaped.
LABEL = "take-home-grader"


@contextlib.contextmanager
def docker_errors(action: str) -> Iterator[None]:
    """Map Docker SDK and transport errors to `SandboxError` while doing `action`."""
    try:
        yield
    except docker.errors.ImageNotFound as exc:
        raise ImageError(f"{action}: image not found ({exc.explanation}); run `grader image build`") from exc
    except docker.errors.BuildError as exc:
        tail = "".join(str(item.get("stream", item.get("error", ""))) for item in list(exc.build_log)[-20:])
        raise ImageError(f"{action}: {exc.msg}\n{tail}") from exc
    except docker.errors.APIError as exc:
        raise SandboxError(f"{action}: the Docker engine refused: {exc.explanation or exc}") from exc
    except docker.errors.DockerException as exc:
        raise EngineUnavailable(
            f"{action}: no Docker engine answers ({exc}). Start one (`make docker` does it on Debian)."
        ) from exc
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise EngineUnavailable(f"{action}: lost the connection to the Docker engine ({exc})") from exc


class DockerClient:
    """A thin, typed wrapper over docker-py for what the grader needs."""

    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, timeout: int = 120) -> DockerClient:
        with docker_errors("connecting to Docker"):
            client = docker.from_env(timeout=timeout)
            client.ping()
        return cls(client)

    @property
    def raw(self) -> docker.DockerClient:
        return self._client

    def info(self) -> dict[str, Any]:
        with docker_errors("reading engine info"):
            return dict(self._client.info())

    # ------------------------------------------------------------------ images

    def image_exists(self, tag: str) -> bool:
        try:
            self._client.images.get(tag)
        except docker.errors.ImageNotFound:
            return False
        except docker.errors.DockerException as exc:
            raise EngineUnavailable(f"checking image {tag}: {exc}") from exc
        return True

    def image_id(self, tag: str) -> str:
        with docker_errors(f"inspecting image {tag}"):
            return str(self._client.images.get(tag).id)

    def image_labels(self, tag: str) -> dict[str, str]:
        """The image's labels ({} for an image without any)."""
        with docker_errors(f"inspecting image {tag}"):
            labels = self._client.images.get(tag).labels
        return {str(k): str(v) for k, v in (labels or {}).items()}

    def image_size(self, tag: str) -> int | None:
        """The image's size in bytes, or None if the engine does not say."""
        with docker_errors(f"inspecting image {tag}"):
            size = self._client.images.get(tag).attrs.get("Size")
        return int(size) if isinstance(size, int) else None

    def try_pull(self, reference: str, timeout: float) -> bool:
        """Pull an image if a registry answers in time; never raises."""
        result: list[bool] = []

        def pull() -> None:
            try:
                self._client.images.pull(reference)
                result.append(True)
            except Exception:  # noqa: BLE001 - offline is the normal case here
                result.append(False)

        worker = threading.Thread(target=pull, daemon=True)
        worker.start()
        worker.join(timeout)
        return bool(result and result[0])

    def import_image(self, archive: Path, tag: str, changes: list[str]) -> None:
        repository, _, version = tag.partition(":")
        self._client.api.import_image_from_file(str(archive), repository=repository, tag=version, changes=changes)
        if not self.image_exists(tag):
            raise ImageError(f"importing {archive} did not produce {tag}")

    def build(self, context: io.BytesIO, tag: str, log: Callable[[str], None]) -> None:
        stream = self._client.api.build(
            fileobj=context,
            custom_context=True,
            tag=tag,
            rm=True,
            forcerm=True,
            pull=False,
            network_mode="none",
            decode=True,
            labels={LABEL: "image"},
        )
        tail: list[str] = []
        for chunk in stream:
            if "error" in chunk:
                raise ImageError(f"image build failed: {chunk['error']}\n{''.join(tail[-30:])}")
            text = str(chunk.get("stream", ""))
            if text.strip():
                tail.append(text)
                if text.startswith("Step "):
                    log("  " + text.strip())
        if not self.image_exists(tag):
            raise ImageError(f"the build finished without producing {tag}:\n{''.join(tail[-30:])}")

    # ------------------------------------------------------------------ volumes and containers

    def create_volume(
        self, name: str, labels: dict[str, str], tmpfs_size_mb: int | None = None, uid: int | None = None
    ) -> Any:
        options: dict[str, str] = {}
        if tmpfs_size_mb is not None:
            opts = f"size={tmpfs_size_mb}m,mode=0700"
            if uid is not None:
                opts += f",uid={uid},gid={uid}"
            options = {"type": "tmpfs", "device": "tmpfs", "o": opts}
        with docker_errors(f"creating volume {name}"):
            return self._client.volumes.create(
                name=name, driver="local", driver_opts=options, labels={LABEL: "1", **labels}
            )

    def create_container(self, image: str, command: list[str], **kwargs: Any) -> Any:
        with docker_errors("creating a sandbox container"):
            return self._client.containers.create(image, command, **kwargs)

    def remove_container(self, container: Any) -> None:
        """Remove a container; one already gone (or being removed) counts as removed."""
        try:
            container.remove(force=True, v=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if exc.status_code not in (404, 409) and "No such container" not in str(exc.explanation):
                raise SandboxError(f"removing a container: {exc.explanation or exc}") from exc
        except docker.errors.DockerException as exc:
            raise EngineUnavailable(f"removing a container: {exc}") from exc

    def remove_volume(self, volume: Any) -> None:
        try:
            volume.remove(force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            if exc.status_code != 409:  # 409: still in use by a live run; its owner removes it
                raise SandboxError(f"removing volume {volume.name}: {exc.explanation}") from exc
        except docker.errors.DockerException as exc:
            raise EngineUnavailable(f"removing volume {volume.name}: {exc}") from exc

    def put_archive(self, container: Any, path: str, data: Any) -> None:
        with docker_errors("copying files into the sandbox"):
            if not container.put_archive(path, data):
                raise SandboxError("copying files into the sandbox failed")

    def get_archive(self, container: Any, path: str) -> Iterator[bytes] | None:
        """Stream a tar of `path` from the container, or None if it does not exist."""
        try:
            stream, _ = container.get_archive(path, chunk_size=256 * 1024)
        except docker.errors.NotFound:
            return None
        except docker.errors.APIError as exc:
            if exc.status_code in (404, 409):
                return None
            raise SandboxError(f"reading {path} from the sandbox: {exc.explanation}") from exc
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise SandboxError(f"reading {path} from the sandbox: {exc}") from exc
        chunks: Iterator[bytes] = iter(stream)
        return chunks

    def container_state(self, container: Any) -> dict[str, Any]:
        with docker_errors("inspecting a container"):
            container.reload()
            return dict(container.attrs.get("State", {}))

    def attach_stdin(self, container: Any) -> Any:
        with docker_errors("attaching to the sandbox's stdin"):
            return container.attach_socket(params={"stdin": 1, "stream": 1})

    def start(self, container: Any) -> None:
        with docker_errors("starting the sandbox"):
            container.start()

    def kill(self, container: Any) -> None:
        with contextlib.suppress(docker.errors.APIError, docker.errors.NotFound):
            container.kill()

    def logs_tail(self, container: Any, limit: int = 4000) -> str:
        with contextlib.suppress(Exception):
            return bytes(container.logs(tail=50)).decode("utf-8", "replace")[-limit:]
        return ""

    def containers_with_label(self, label: str = LABEL) -> list[Any]:
        with docker_errors("listing leftover containers"):
            # A container another grader removes between listing and inspecting is simply gone.
            return list(self._client.containers.list(all=True, filters={"label": label}, ignore_removed=True))

    def volumes_with_label(self, label: str = LABEL) -> list[Any]:
        with docker_errors("listing leftover volumes"):
            return list(self._client.volumes.list(filters={"label": label}))


def log_config(max_size: str = "2m") -> LogConfig:
    """Bounded json-file logs: a print flood to the raw file descriptors cannot fill the disk."""
    return LogConfig(type="json-file", config={"max-size": max_size, "max-file": "1"})


def ulimits(*, nofile: int, fsize_bytes: int, cpu_seconds: int) -> list[Ulimit]:
    """The container's ulimits: open files, file size, CPU seconds, no core dumps."""
    return [
        Ulimit(name="nofile", soft=nofile, hard=nofile),
        Ulimit(name="fsize", soft=fsize_bytes, hard=fsize_bytes),
        Ulimit(name="cpu", soft=cpu_seconds, hard=cpu_seconds + 5),
        Ulimit(name="core", soft=0, hard=0),
    ]


def volume_mount(target: str, source: str, read_only: bool) -> Mount:
    """A named-volume mount."""
    return Mount(target=target, source=source, type="volume", read_only=read_only)


def dumps_compact(data: Any) -> str:
    """JSON without spaces."""
    return json.dumps(data, separators=(",", ":"))
