"""The conformance suite's driver for Viva Engage (tests/network/conformance/README.md, "Adding a
network"): rse connects to the fake tenant as the champion; other people act through the fake's
own control API, and the fake is read back directly, never through the connector under test.

Plug in with one line in DRIVERS (tests/network/conformance/drivers.py):

    "engage": lambda request: EngageDriver(request.getfixturevalue("engage_tenant")),
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

from rse_cli.config import Settings
from rse_cli.domain import Community
from rse_cli.network import base
from tests.fakes.engage.fixture import PEOPLE, EngageTenant

NAMES = {
    "alice": "alice@contoso.com",
    "bob": "bob@contoso.com",
    "carol": "carol@contoso.com",
    "dave": "dave@contoso.com",
    "erin1": "erin1@contoso.com",
    "erin2": "erin2@contoso.com",
}


def _settings(tenant: EngageTenant, directory: Path) -> Settings:
    fake = tenant.fake
    table = {
        "tenant": fake.tenant_domain,
        "client_id": fake.client_id,
        "authority": fake.authority,
        "graph_url": fake.graph_url,
        "yammer_url": fake.yammer_url,
    }
    return Settings(network="engage", engage=table, store=str(directory / "rse.db"), ca_bundle=fake.ca_file)


class EngageDriver:
    id = "engage"
    # Graph returns a private community's metadata to anyone in the tenant; its feed is members' only
    private_visible = True

    def __init__(self, tenant: EngageTenant) -> None:
        self.tenant = tenant
        self.fake = fake = tenant.fake
        self.directory = Path(fake.directory)
        self.settings = _settings(tenant, self.directory)
        # the fake's clock stands at the real time: find_sent compares the server's dates with rse's clock
        fake.clock.advance(max(0.0, time.time() - fake.clock.now()))
        # creations complete at once here (tests/network/engage covers the > 30 s polling), so the
        # fake's time stays near the real time the suite compares with
        fake.community_creation_seconds = 0.0
        fake.set_admin(tenant.champion)  # the suite's champion is an admin of the network (verified admin)
        self.champion = str(fake.user(tenant.champion).yammer_id)
        self.people = {k: str(fake.user(e).yammer_id) for k, e in NAMES.items()}
        self.emails = dict(NAMES)
        self.names = {k: n for k, e in NAMES.items() for (mail, n) in PEOPLE if mail == e}

    def _mail(self, person: str) -> str:
        return str(self.fake.user(person).mail)

    def _connect_as(self, email: str) -> Any:
        from rse_cli.network.engage import build
        from rse_cli.network.engage.settings import engage_settings

        fake = self.fake

        def token(resource: str) -> Callable[[bool], str]:
            cached: dict[str, str] = {}

            def get(fresh: bool) -> str:
                if fresh or resource not in cached:
                    cached[resource] = fake.token(email, resource)
                return cached[resource]

            return get

        return build(
            self.settings,
            engage_settings(self.settings),
            graph_token=token("graph"),
            yammer_token=token("yammer"),
            sleep=fake.clock.sleep,
            clock=fake.clock.now,
        )

    def connect(self) -> base.Network:
        return self._connect_as(self.tenant.champion)  # type: ignore[no-any-return]

    def env(self) -> dict[str, str]:
        """A config file for the fake and a device-code sign-in cached in a data directory, as a
        champion's cron would have them."""
        config = self.directory / "rse-config.toml"
        data = self.directory / "rse-data"
        if not config.exists():
            s = self.settings
            config.write_text(
                tomli_w.dumps(
                    {
                        "profile": "default",
                        "profiles": {
                            "default": {
                                "network": "engage",
                                "ca_bundle": str(s.ca_bundle),
                                "store": str(s.store),
                                # the command-line path waits in real time while the fake's clock stands still: the
                                # documented limits are shown by tests/network/engage/test_pacing.py, not by every job
                                "engage": {**s.table("engage"), "rate_requests": 10_000},
                            }
                        },
                    }
                )
            )
            self.fake.graph_limiter.enabled = self.fake.yammer_limiter.enabled = False
            import os

            from rse_cli.network.engage import connector

            before = os.environ.get("RSE_DATA_DIR")
            os.environ["RSE_DATA_DIR"] = str(data)
            try:
                self.fake.auto_approve_as(self.tenant.champion, after_polls=1)
                connector.auth(s).login_device_code(lambda url, code, message: None)
            finally:
                self.fake.auto_approve_as(None)
                if before is None:
                    os.environ.pop("RSE_DATA_DIR", None)
                else:
                    os.environ["RSE_DATA_DIR"] = before
        # RSE_USER: the Yammer id `rse auth login` writes as the profile's `user`
        return {"RSE_CONFIG": str(config), "RSE_DATA_DIR": str(data), "RSE_NETWORK": "engage", "RSE_USER": self.champion}

    def new_person(self, name: str, email: str) -> str:
        return str(self.fake.add_user(email, name).yammer_id)

    def _group(self, community_id: str) -> Any:
        return next(g for g in self.fake.groups if g.community_id == community_id)

    def join(self, person: str, community: Community) -> None:
        g = self._group(community.id)
        u = self.fake.user(person)
        with self.fake.lock:
            if u not in g.members:
                g.members.append(u)

    def post(
        self,
        person: str,
        room_id: str,
        text: str,
        *,
        reply_to: str | None = None,
        thread_root: str | None = None,
        days_ago: float = 0,
    ) -> str:
        fake = self.fake
        parent = fake.message_by_id(int(reply_to or thread_root)) if (reply_to or thread_root) else None
        if thread_root and not reply_to:
            # deeper in the thread: Engage has no thread apart from the replies, so a message in a
            # thread answers its latest reply (a reply to the starter itself is a plain reply)
            replies = [m for m in fake.messages if m.thread_id == int(thread_root) and m.id != int(thread_root)]
            parent = max(replies, key=lambda m: m.id) if replies else parent
        # the fake's clock is frozen between requests: catch it up with the real time that rse's
        # clock (RSE_NOW in the jobs' tests) is compared with, so "now" is not seconds in the past
        fake.clock.advance(max(0.0, time.time() - fake.clock.now()))
        at = fake.clock.now() - days_ago * 86400
        community = None if parent is not None else self._group(room_id).display_name
        return str(fake.add_message(self._mail(person), text, community=community, reply_to=parent, at=at).id)

    def react(self, person: str, room_id: str, event_id: str, key: str = "👍") -> str:
        message = self.fake.message_by_id(int(event_id))
        self.fake.like(message, self._mail(person))
        return f"{event_id}.like.{self.fake.user(person).yammer_id}"

    def foreign_community(self) -> str:
        g = self.fake.add_community(f"Ailleurs {uuid.uuid4().hex[:6]}", owners=[NAMES["alice"]], privacy="private")
        return str(g.community_id)

    def throttled(self) -> tuple[base.Network, Callable[[], None]] | None:
        email = f"lent-{uuid.uuid4().hex[:6]}@contoso.com"
        self.fake.add_user(email, "Lent")
        network = self._connect_as(email)

        def arm() -> None:
            self.fake.fail_next(r"/messages", status=429, service="yammer", times=1000)
            network.yammer.http.rate_limit_patience = 0
            network.graph.http.rate_limit_patience = 0

        return network, arm

    def bodies(self, room_id: str) -> list[str]:
        return [m.body for m in self.fake.sent(community=self._group(room_id).display_name) if m.deleted_at is None]

    def dm_bodies(self, person: str) -> list[str]:
        u = self.fake.user(person)
        return [m.body for m in self.fake.sent(sender=self.tenant.champion, private=True) if u in (m.participants or [])]
