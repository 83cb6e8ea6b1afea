"""Smoke test of the sandbox Synapse: start, accounts, idempotence, stale pid file, stop."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rse_cli.sandbox import synapse_config
from rse_cli.sandbox.server import SynapseServer, synapse_available

pytestmark = [pytest.mark.skipif(not synapse_available(), reason="Synapse is not installed"), pytest.mark.synapse]


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_matrix/client/versions", timeout=2, trust_env=False).is_success
    except httpx.HTTPError:
        return False


def _running(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_configure_is_idempotent_and_private(tmp_path, monkeypatch):
    monkeypatch.setattr(synapse_config, "find_free_port", lambda: 45678)
    server = SynapseServer(tmp_path / "hs")
    server.configure()
    port = server.port
    assert port == 45678  # chosen by rse, not Synapse's default 8008
    config = server.config_path.read_text()
    server.configure()
    assert server.port == port and server.config_path.read_text() == config
    # a new instance on the same directory finds the port again
    assert SynapseServer(tmp_path / "hs").port == port

    listeners = server._read_config()["listeners"]
    assert [(ln["bind_addresses"], ln["port"]) for ln in listeners] == [(["127.0.0.1"], port)]
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    for path in server.data_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert server.appservice_token
    text = server.config_path.read_text()
    assert "rc_invites:" in text and "&id" not in text  # no YAML anchors

    # default limits: rse's overrides go away, the rest stays
    SynapseServer(tmp_path / "hs", default_rate_limits=True).configure()
    config = server._read_config()
    assert not [key for key in config if key.startswith("rc_")]
    assert config["bcrypt_rounds"] == 4 and config["trusted_key_servers"] == []


def test_lifecycle(tmp_path):
    server = SynapseServer(tmp_path / "hs")
    began = time.monotonic()
    server.start()
    print(f"start() took {time.monotonic() - began:.2f} s")
    try:
        url, pid = server.url, server.status()["pid"]
        assert _answers(url)
        assert server.port != 8008
        whoami = httpx.get(
            f"{url}/_matrix/client/v3/account/whoami",
            headers={"Authorization": f"Bearer {server.appservice_token}"},
            trust_env=False,
        )
        assert whoami.json()["user_id"] == "@rse-seeder:rse.test"

        admin = server.register_user("admin", "admin-pass", admin=True, displayname="Admin")
        alice = server.register_user("alice", "alice-pass")
        assert (admin, alice) == ("@admin:rse.test", "@alice:rse.test")
        assert server.register_user("alice") == alice  # already exists: no error
        session = server.login("alice", "alice-pass", device_id="RSETEST")
        assert session["user_id"] == alice and session["device_id"] == "RSETEST"
        assert server.login(admin, "admin-pass")["access_token"]

        server.start()  # already running: nothing happens
        status = server.status()
        assert status == {
            "running": True,
            "ready": True,
            "pid": pid,
            "url": url,
            "server_name": "rse.test",
            "data_dir": str(server.data_dir),
            "configured": True,
            "stale_pid": False,
        }
        # another instance (as `rse sandbox status` would be) sees the same server
        assert SynapseServer(server.data_dir).status()["pid"] == pid

        began = time.monotonic()
        assert SynapseServer(server.data_dir).stop() is True  # as `rse sandbox down` does: another instance
        print(f"stop() took {time.monotonic() - began:.2f} s")
        assert not _running(pid)  # "stopped" means the process is gone when stop() returns
        assert not _port_in_use(server.port)
        assert not _answers(url)
        assert not server.pid_path.exists()
        assert server.stop() is False

        # stale pid files: a dead pid, then a live process that is not this Synapse
        for bogus in (_dead_pid(), os.getpid(), "garbage"):
            server.pid_path.write_text(f"{bogus}\n")
            status = server.status()
            assert status["stale_pid"] and not status["running"] and status["pid"] is None
            assert server.pid_path.exists()  # status() only reports
        assert server.stop() is False  # removes the stale file, signals nothing
        assert not server.pid_path.exists()

        # start() clears a stale pid file and comes back on the same port with the same data
        server.pid_path.write_text(f"{_dead_pid()}\n")
        server.start()
        assert server.url == url and server.status()["pid"] != pid
        assert server.login("alice", "alice-pass")["user_id"] == alice
    finally:
        server.stop()
