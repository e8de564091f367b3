"""The host kernel's own record of a container's OOM kill, for when the engine misses it.

Docker sets `State.OOMKilled` from an event the runtime's shim receives from the container's
memory cgroup. Under gVisor (runsc) the whole sandbox dies at once and the shim sometimes
loses that event: the container then exits with 137 and `OOMKilled` false for good, although
the host kernel killed it for exceeding its memory limit. The kernel logs every such kill with
the memory cgroup it happened in (`oom_memcg=/docker/<id>`); where the grader runs beside the
engine as root it can read that log (`/dev/kmsg`) and tell an OOM kill from a kill from inside.
Elsewhere the log cannot be read and the engine's flag is the only evidence.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator

KMSG = "/dev/kmsg"
#: At most this much of the kernel log is read (its ring buffer is far smaller in practice).
MAX_LOG_BYTES = 32 * 1024 * 1024

_OOM_KILL = re.compile(r"oom-kill:.*?\boom_memcg=([^,\s]+)")


def _records(path: str) -> Iterator[str]:
    """Each record now in the kernel log, oldest first; nothing if the log cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return
    total = 0
    try:
        while total < MAX_LOG_BYTES:
            try:
                record = os.read(fd, 8192)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # the record was overwritten while reading: skip it
                    continue
                return
            if not record:
                return
            total += len(record)
            # "<priority>,<sequence>,<time>,<flags>;<message>" with continuation lines after.
            yield record.decode("utf-8", "replace").partition(";")[2]
    finally:
        os.close(fd)


def oom_killed_in(cgroup_name: str, path: str = KMSG) -> bool:
    """Whether the kernel log records an OOM kill inside the memory cgroup called `cgroup_name`.

    `cgroup_name` is the last part of the cgroup's path (Docker's container id, under
    `/docker/<id>` with the cgroupfs driver or `/system.slice/docker-<id>.scope` with systemd's).
    """
    if not cgroup_name:
        return False
    for message in _records(path):
        match = _OOM_KILL.search(message)
        if match and cgroup_name in match.group(1).rsplit("/", 1)[-1]:
            return True
    return False
