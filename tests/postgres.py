"""A real PostgreSQL server for the tests, started once per session in a temporary directory.

It uses the binaries of Debian's `postgresql` package (/usr/lib/postgresql/*/bin) or any
initdb/pg_ctl on PATH, listens on 127.0.0.1 on a free port, trusts local connections and
runs as a non-root user (initdb refuses root: as root, the `postgres` account the package
creates is used through runuser). Each test gets its own fresh database.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self) -> None:
        self.url: str | None = None
        self.skip_reason: str | None = None
        self._stop: list[str] | None = None
        self._tmp: str | None = None

    def start(self) -> None:
        bindir = _bin_dir()
        if bindir is None:
            self.skip_reason = "PostgreSQL binaries not found (apt-get install postgresql)"
            return
        try:
            import psycopg  # noqa: F401
        except ImportError:
            self.skip_reason = "psycopg is not installed (pip install -e '.[dev]')"
            return
        as_user: list[str] = []
        owner = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                self.skip_reason = "running as root and no `postgres` user to run initdb as"
                return
            as_user = ["runuser", "-u", "postgres", "--"]
        self._tmp = tempfile.mkdtemp(prefix="rse-pg-")
        data = os.path.join(self._tmp, "data")
        if owner is not None:
            os.chown(self._tmp, owner.pw_uid, owner.pw_gid)
        os.chmod(self._tmp, 0o700)
        port = _free_port()
        run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True, text=True, timeout=120)  # noqa: E731
        try:
            run(str(bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale")
            opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={self._tmp} -c fsync=off -c max_connections=50"
            run(str(bindir / "pg_ctl"), "-D", data, "-l", os.path.join(self._tmp, "log"), "-o", opts, "-w", "-t", "60", "start")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            out = getattr(exc, "stderr", "") or ""
            raise RuntimeError(f"could not start PostgreSQL: {exc}\n{out}") from None
        self._stop = [*as_user, str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "stop"]
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        atexit.register(self.stop)

    def stop(self) -> None:
        if self._stop:
            subprocess.run(self._stop, capture_output=True, timeout=60)
            self._stop = None
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


_server = _Server()
_started = False


def server_url() -> str:
    """The admin URL of the session's server; skips the test when PostgreSQL is absent."""
    global _started
    if not _started:
        _started = True
        _server.start()
    if _server.skip_reason:
        pytest.skip(_server.skip_reason)
    assert _server.url
    return _server.url


def fresh_database() -> str:
    """A new empty database on the session's server; its URL."""
    import psycopg

    admin = server_url()
    name = f"rse_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def pg_url() -> str:
    return fresh_database()
