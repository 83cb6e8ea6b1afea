"""The embedded default: a real Synapse run by rse itself on 127.0.0.1, and a `sandbox` profile."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from rse_cli.config import data_dir, default_config_path, write_profile
from rse_cli.credentials import store_token
from rse_cli.errors import UsageError
from rse_cli.i18n import _

if TYPE_CHECKING:
    from rse_cli.sandbox.server import SynapseServer

PROFILE = "sandbox"
CHAMPION = "champion"


class SandboxStatus(BaseModel):
    running: bool
    url: str | None
    server_name: str
    data_dir: str
    pid: int | None
    profile: str = PROFILE
    stale_pid: bool = False


def sandbox_dir() -> Path:
    return data_dir() / "sandbox"


def server(default_rate_limits: bool = False) -> SynapseServer:
    from rse_cli.sandbox.server import SynapseServer, synapse_available

    if not synapse_available():
        raise UsageError(
            _("the sandbox needs Synapse, which is not installed"),
            hint=_("pip install 'rse-cli[sandbox]'  (or: pip install matrix-synapse)"),
        )
    return SynapseServer(sandbox_dir(), default_rate_limits=default_rate_limits)


def _password_file() -> Path:
    return sandbox_dir() / "champion.password"


def champion_password() -> str:
    path = _password_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(18))
    return path.read_text().strip()


def up(config_path: Path | None = None) -> SandboxStatus:
    """Start (or find running) the sandbox server, and log the `sandbox` profile in as its admin."""
    srv = server()
    srv.start()
    password = champion_password()
    user_id = srv.register_user(CHAMPION, password, admin=True, displayname="Camille Champion")
    path = config_path or default_config_path()
    from rse_cli.config import read_file

    section = (read_file(path).get("profiles") or {}).get(PROFILE) or {}
    device = (section.get("matrix") or {}).get("device_id") or section.get("device_id")  # the sandbox is Matrix
    answer = srv.login(user_id, password, device_id=device)
    # the champion's limits lifted, as an admin would on a real server: the demo's estimates and
    # `rse doctor` then say what they would there (and the seeded demo runs at full speed)
    srv.lift_rate_limits(user_id, answer["access_token"])
    write_profile(path, PROFILE, {"homeserver": srv.url, "user": user_id, "device_id": answer["device_id"]}, make_default=True)
    store_token(PROFILE, srv.url, user_id, answer["access_token"])
    return status()


def status() -> SandboxStatus:
    from rse_cli.sandbox.server import SynapseServer

    srv = SynapseServer(sandbox_dir())
    st = srv.status()
    return SandboxStatus(
        running=st["running"],
        url=st.get("url"),
        server_name=st["server_name"],
        data_dir=st["data_dir"],
        pid=st.get("pid"),
        stale_pid=bool(st.get("stale_pid")),
    )


def down() -> bool:
    from rse_cli.sandbox.server import SynapseServer

    return SynapseServer(sandbox_dir()).stop()


class SeedSummary(BaseModel):
    """What `rse sandbox seed` built (counts are the whole plan's) and what this run did."""

    seed: int
    people: int
    days: int
    communities: int
    rooms: int
    messages: int  # root messages
    replies: int
    thread_messages: int
    reactions: int
    memberships: int
    sent: int  # events written by this run
    skipped: int  # events found already done (a re-run, or a resumed run)
    seconds: float
    csv_path: str
    leaders: list[str]
    already_complete: bool = False


def seed(
    config_path: Path | None = None,
    *,
    seed: int = 42,
    people: int = 300,
    days: int = 90,
    reset: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Seed the running sandbox with a deterministic company; re-running it adds nothing.

    `reset` stops the sandbox, deletes its data directory and starts a fresh one first: the
    way to change --seed, --people or --days on a seeded sandbox.
    """
    from rse_cli.sandbox.seed import seed_sandbox

    if reset:
        down()
        shutil.rmtree(sandbox_dir(), ignore_errors=True)
        up(config_path)
    srv = server()
    if not srv.status()["running"]:
        raise UsageError(_("the sandbox is not running"), hint=_("run `rse sandbox up` first"))
    result = seed_sandbox(srv.url, srv.appservice_token, sandbox_dir(), seed=seed, people=people, days=days, progress=progress)
    # audits read the leaders from the config: point them at the company's leaders
    write_profile(config_path or default_config_path(), PROFILE, {"leaders": result.plan.leaders})
    counts = result.plan.counts
    return SeedSummary(
        seed=seed,
        people=counts["people"],
        days=days,
        communities=counts["communities"],
        rooms=counts["rooms"],
        messages=counts["messages"],
        replies=counts["replies"],
        thread_messages=counts["thread_messages"],
        reactions=counts["reactions"],
        memberships=counts["memberships"],
        sent=result.sent,
        skipped=result.skipped,
        seconds=round(result.seconds, 1),
        csv_path=str(result.csv_path),
        leaders=result.plan.leaders,
        already_complete=result.already_complete,
    )
