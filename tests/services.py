"""Real Redis and PostgreSQL servers for tests: free loopback ports, throw-away folders.

The Makefile's `services` target installs Debian's `redis-server` and `postgresql`.
PostgreSQL refuses to run as root, so as root it runs as `nobody`. Set
GRADER_SKIP_SERVICES=1 to skip these tests on a machine without them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _need(program: str, package: str) -> str:
    if os.environ.get("GRADER_SKIP_SERVICES") == "1":
        pytest.skip("GRADER_SKIP_SERVICES=1")
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"{program} is not installed: run `make services` (Debian's {package})")
    return path


class RedisServer:
    """`redis-server` with an append-only file, so a restart keeps the queue (as a broker should)."""

    def __init__(self, folder: Path) -> None:
        self.binary = _need("redis-server", "redis-server")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the server keeps it
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not start: {(self.folder / 'redis.log').read_text()[-2000:]}")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: the append-only file is flushed
            self.process.wait(timeout=20)
        self.process = None

    def restart(self, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()


class PostgresServer:
    """A PostgreSQL cluster made with `initdb` in a temporary folder, trusting loopback connections."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
        if not found:
            _need("initdb", "postgresql")
        self.bin = found[-1].parent if found else Path(_need("initdb", "postgresql")).parent
        self.root = Path(tempfile.mkdtemp(prefix="thg-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL will not run as root.
            self.as_user = ["runuser", "-u", "nobody", "--"]
            os.chmod(self.root, 0o755)
            os.chown(self.root, 65534, 65534)
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "grader", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            [*self.as_user, str(self.bin / program), *args], capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise AssertionError(f"{program} failed: {result.stdout[-1500:]}{result.stderr[-1500:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://grader@127.0.0.1:{self.port}/{database}"

    def create_schema(self, name: str) -> str:
        """A new, empty schema; returns a URL whose connections work in it (much quicker than a database)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)
