"""An exited sandbox's state is re-read until the engine has recorded an OOM kill (no Docker)."""

from __future__ import annotations

from typing import Any

import pytest

from grader.execution import sandbox


class States:
    """A stand-in for the Docker client that returns one inspected state after another."""

    def __init__(self, *states: dict[str, Any]) -> None:
        self.states = list(states)
        self.reads = 0

    def container_state(self, container: Any) -> dict[str, Any]:
        self.reads += 1
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


def test_a_sigkill_exit_waits_for_the_engine_to_record_the_oom_kill() -> None:
    client = States({"ExitCode": 137, "OOMKilled": True})
    first = {"ExitCode": 137, "OOMKilled": False}
    state = sandbox._settled(client, object(), first)  # type: ignore[arg-type]
    assert state["OOMKilled"] is True and client.reads == 1


def test_a_kill_from_inside_stays_a_kill_after_the_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "OOM_SETTLE_S", 0.3)
    client = States({"ExitCode": 137, "OOMKilled": False})
    state = sandbox._settled(client, object(), {"ExitCode": 137, "OOMKilled": False})  # type: ignore[arg-type]
    assert state["OOMKilled"] is False and client.reads >= 1


@pytest.mark.parametrize("state", [{"ExitCode": 0, "OOMKilled": False}, {"ExitCode": 137, "OOMKilled": True}])
def test_other_exits_are_read_once(state: dict[str, Any]) -> None:
    client = States(state)
    assert sandbox._settled(client, object(), state) == state  # type: ignore[arg-type]
    assert client.reads == 0
