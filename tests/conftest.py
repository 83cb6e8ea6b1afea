"""Test fixtures: one real Synapse for the whole session (SQLite, 127.0.0.1, a free port).

Rate limits are raised on this server; tests/network/test_default_limits.py starts its own
server with Synapse's defaults. Tests drive `rse` through Typer's CliRunner with an isolated
config and data directory each.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from rse_cli.sandbox.server import SynapseServer, synapse_available
from tests.fakes.engage.fixture import engage_fake, engage_tenant  # noqa: F401 - the Viva Engage fake, for every suite

PASSWORD = "correct horse battery staple"


@dataclass
class Homeserver:
    server: SynapseServer
    admin: str
    admin_token: str
    users: dict[str, str]  # localpart -> user id

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, method: str, path: str, token: str | None = None, **kw):
        """Read the server's state back directly, independently of rse."""
        r = httpx.request(
            method, self.url + path, headers={"Authorization": f"Bearer {token or self.admin_token}"}, timeout=30, **kw
        )
        r.raise_for_status()
        return r.json()

    def token(self, localpart: str) -> str:
        return self.server.login(localpart, PASSWORD)["access_token"]


def _start(data_dir: Path, *, default_rate_limits: bool) -> Homeserver:
    srv = SynapseServer(data_dir, default_rate_limits=default_rate_limits)
    srv.start()
    admin = srv.register_user("admin", PASSWORD, admin=True, displayname="Camille Admin")
    users = {}
    for local, name in [
        ("alice", "Alice Martin"),
        ("bob", "Bob Durand"),
        ("carol", "Carol Petit"),
        ("dave", "Dave Leroy"),
        ("erin1", "Erin Moreau"),
        ("erin2", "Erin Moreau"),
    ]:
        users[local] = srv.register_user(local, PASSWORD, displayname=name)
    hs = Homeserver(srv, admin, srv.login("admin", PASSWORD)["access_token"], users)
    hs.api(
        "PUT",
        f"/_synapse/admin/v2/users/{users['alice']}",
        json={"threepids": [{"medium": "email", "address": "alice@example.org"}]},
    )
    return hs


@pytest.fixture(scope="session")
def homeserver(tmp_path_factory) -> Homeserver:
    if not synapse_available():
        pytest.skip("matrix-synapse is not installed (pip install -e '.[dev]')")
    hs = _start(tmp_path_factory.mktemp("synapse"), default_rate_limits=False)
    yield hs
    hs.server.stop()


@dataclass
class Rse:
    """Runs `rse` commands in-process with an isolated config and data directory."""

    home: Path
    runner: CliRunner

    def __call__(self, *args: str, input: str | None = None, ok: bool = True):
        from rse_cli.cli import app

        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"rse {' '.join(args)} exited {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    def json(self, *args: str, input: str | None = None):
        return json.loads(self(*args, "--json", input=input).stdout)


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch):
    """Tests read English unless they ask for French: the developer's own LANG never leaks in, and a
    test that switched the process to French leaves it in English for the next one."""
    from rse_cli import i18n

    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    i18n.activate("en")


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> Path:
    """No real config, keyring or token of the developer's can leak into a test."""
    for name in list(os.environ):
        if name.startswith("RSE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RSE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("RSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RSE_KEYRING", "0")
    return tmp_path


@pytest.fixture
def rse(isolated, homeserver, monkeypatch) -> Rse:
    """`rse` logged in as the server admin through environment variables (as cron would)."""
    monkeypatch.setenv("RSE_HOMESERVER", homeserver.url)
    monkeypatch.setenv("RSE_USER", homeserver.admin)
    monkeypatch.setenv("RSE_TOKEN", homeserver.admin_token)
    return Rse(isolated, CliRunner())


@pytest.fixture
def cli(isolated) -> Rse:
    """`rse` with no credentials at all."""
    return Rse(isolated, CliRunner())


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- the seeded sandbox: one per test session, shared by every test of the planted situations --

SEED_SIZE = ("--seed", "42", "--people", "60", "--days", "60")


@dataclass
class Seeded:
    home: Path
    env: dict[str, str]
    summary: dict
    plan: object  # rse_cli.sandbox.plan.Plan: the planted facts


def _apply_env(mp: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in list(os.environ):
        if name.startswith("RSE_"):
            mp.delenv(name)
    for name, value in env.items():
        mp.setenv(name, value)


@pytest.fixture(scope="session")
def seeded_sandbox(tmp_path_factory) -> Seeded:
    """`rse sandbox up` + `rse sandbox seed` (small but with every planted situation), once."""
    if not synapse_available():
        pytest.skip("matrix-synapse is not installed (pip install -e '.[dev]')")
    from rse_cli.sandbox.seed import seeded_plan
    from rse_cli.services.sandbox import sandbox_dir

    home = tmp_path_factory.mktemp("seeded")
    env = {"RSE_CONFIG_DIR": str(home / "config"), "RSE_DATA_DIR": str(home / "data"), "RSE_KEYRING": "0"}
    rse = Rse(home, CliRunner())
    with pytest.MonkeyPatch.context() as mp:
        _apply_env(mp, env)
        rse("sandbox", "up")
        summary = rse.json("sandbox", "seed", *SEED_SIZE)
        plan = seeded_plan(sandbox_dir())
    try:
        yield Seeded(home, env, summary, plan)
    finally:
        with pytest.MonkeyPatch.context() as mp:
            _apply_env(mp, env)
            rse("sandbox", "down", ok=False)


@pytest.fixture
def sandbox_rse(seeded_sandbox, monkeypatch) -> Rse:
    """`rse` on the seeded sandbox's `sandbox` profile (shared store: sync state persists)."""
    _apply_env(monkeypatch, seeded_sandbox.env)
    return Rse(seeded_sandbox.home, CliRunner())


# -- the in-memory reference network (tests/fakes/memory.py) -----------------------------------


def _memory_world(flavour: str):
    from rse_cli.network import base
    from tests.fakes import memory

    base.register(flavour, memory.CONNECTORS[flavour])
    world = memory.new_world(flavour)
    try:
        yield world
    finally:
        memory.WORLDS.pop(world.url, None)


@pytest.fixture
def memory_world():
    """A fresh in-memory network with rooms (connector `memory`); settings with
    `network = "memory"` and `homeserver = world.url` connect to it, with `world.token(person)`."""
    yield from _memory_world("memory")


@pytest.fixture
def memory_feed_world():
    """The same, as a feed network (connector `memory-feed`: one feed per community, direct
    membership, no moderator role, no server idempotency)."""
    yield from _memory_world("memory-feed")


# -- markers (registered in pyproject.toml) ----------------------------------------------------
# Applied here from what a test uses, so a new test is marked without anyone remembering to:
# `make test-fast` leaves out every test that starts or talks to a server.
_SERVER_FIXTURES = {
    "homeserver": "synapse",  # the session's Synapse (and every fixture built on it: rse, sandbox_rse)
    "seeded_sandbox": "synapse",
    "pg_url": "slow",  # a PostgreSQL server started for the session
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        for fixture, marker in _SERVER_FIXTURES.items():
            if fixture in used:
                item.add_marker(marker)
        if item.get_closest_marker("default_limits"):
            item.add_marker("synapse")  # it starts its own Synapse, with default limits
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker("fuzz")
