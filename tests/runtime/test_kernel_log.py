"""The host kernel's log tells an OOM kill from a kill from inside when the engine's flag is missing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from grader.execution import sandbox
from grader.execution.docker_client import LABEL
from grader.execution.kernel_log import oom_killed_in

CONTAINER = "d88c883423874db7b14aedec4796a2b950fd2ed31a335ffec90b45aeade44cae"
OTHER = "5f0c9a1b2e3d4c5b6a79808f7e6d5c4b3a291807f6e5d4c3b2a1908f7e6d5c4b"


def _oom_record(cgroup: str) -> str:
    return (
        "6,81234,22656196252,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
        f"cpuset={cgroup.rsplit('/', 1)[-1]},mems_allowed=0,oom_memcg={cgroup},task_memcg={cgroup},"
        "task=python,pid=32582,uid=10001\n"
    )


def _log(tmp_path: Path, *records: str) -> str:
    path = tmp_path / "kmsg"
    path.write_text("".join(records))
    return str(path)


@pytest.mark.parametrize("cgroup", [f"/docker/{CONTAINER}", f"/system.slice/docker-{CONTAINER}.scope"])
def test_an_oom_kill_in_the_containers_memory_cgroup_is_found(tmp_path: Path, cgroup: str) -> None:
    assert oom_killed_in(CONTAINER, _log(tmp_path, _oom_record(cgroup)))


def test_an_oom_kill_elsewhere_or_no_oom_record_is_not(tmp_path: Path) -> None:
    assert not oom_killed_in(CONTAINER, _log(tmp_path, _oom_record(f"/docker/{OTHER}")))
    # The container's id in another record (its cpuset on some other message) is not an OOM kill.
    assert not oom_killed_in(CONTAINER, _log(tmp_path, f"6,1,2,-;cpuset={CONTAINER} started\n"))
    assert not oom_killed_in("", _log(tmp_path, _oom_record(f"/docker/{CONTAINER}")))


def test_an_unreadable_log_is_no_evidence(tmp_path: Path) -> None:
    assert not oom_killed_in(CONTAINER, str(tmp_path / "missing"))


class _Exited:
    id = CONTAINER

    def __init__(self) -> None:
        self.reads = 0

    def container_state(self, container: Any) -> dict[str, Any]:
        self.reads += 1
        return {"ExitCode": 137, "OOMKilled": False}


def test_the_kernel_log_settles_an_exit_the_engine_never_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(sandbox, "oom_killed_in", lambda name: seen.append(name) or name == CONTAINER)
    client = _Exited()
    state = sandbox._settled(client, client, {"ExitCode": 137, "OOMKilled": False})  # type: ignore[arg-type]
    assert state["OOMKilled"] is True and seen == [CONTAINER] and client.reads == 0


# --------------------------------------------------------------------------- the real kernel


def _run_to_exit(docker_client: Any, image: str, code: str, kill: bool = False) -> tuple[str, dict[str, Any]]:
    container = docker_client.raw.containers.create(
        image,
        ["python3", "-c", code],
        mem_limit="96m",
        memswap_limit="96m",
        network_mode="none",
        pids_limit=64,
        user="10001",
        labels={LABEL: "1", f"{LABEL}.owner": sandbox.current_owner()},
    )
    try:
        container.start()
        if kill:
            time.sleep(1)
            container.kill()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            container.reload()
            if not container.attrs["State"]["Running"]:
                break
            time.sleep(0.2)
        return str(container.id), dict(container.attrs["State"])
    finally:
        container.remove(force=True, v=True)


@pytest.mark.docker
def test_the_real_kernel_log_records_an_oom_kill_and_not_a_self_kill(docker_client, runtime_image) -> None:  # type: ignore[no-untyped-def]
    if not Path("/dev/kmsg").exists():
        pytest.skip("no kernel log to read on this host")
    hog, state = _run_to_exit(docker_client, runtime_image, "x = []\nwhile True: x.append(bytearray(16 << 20))")
    assert state["ExitCode"] == 137
    assert oom_killed_in(hog)
    # A SIGKILL that is not the OOM killer's (here the engine's own kill) leaves no such record.
    killed, state = _run_to_exit(docker_client, runtime_image, "import time; time.sleep(60)", kill=True)
    assert state["ExitCode"] == 137 and not state["OOMKilled"]
    assert not oom_killed_in(killed)
