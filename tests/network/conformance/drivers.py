"""Drivers: what the conformance suite and the end-to-end tests need from each network under test,
besides the connector itself.

A driver gives the connection rse uses (as the champion, an admin of the network), and acts as
other people out of band (they post, reply, react, join) and reads the network back without
going through the connector under test, so that a connector cannot pass by agreeing with itself.

Adding a network (e.g. the Viva Engage fake): write a class with the attributes and methods of
`Driver` below, and one entry in `DRIVERS` (see README.md in this directory).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import httpx

from rse_cli.config import Settings
from rse_cli.domain import Community
from rse_cli.network import base
from tests.fakes import memory

if TYPE_CHECKING:
    import pytest

    from tests.conftest import Homeserver


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Driver(Protocol):
    id: str  # the pytest id: matrix, memory, memory-feed, engage…
    settings: Settings  # the profile rse would use (offline addressing is built from it)
    champion: str  # the person id rse acts as: an admin of the network
    people: dict[str, str]  # alice, bob, carol, dave -> person id; erin1, erin2 share the name "Erin Moreau"
    emails: dict[str, str]  # the people above who have an e-mail address -> it (alice at least)
    names: dict[str, str]  # the same people -> display name
    private_visible: (
        bool  # anyone finds a private community by its id (Viva Engage: Graph shows its name); only its conversation is closed
    )

    def connect(self) -> base.Network:
        """A fresh connection as the champion (state persists between connections)."""

    def env(self) -> dict[str, str]:
        """RSE_* variables that make `rse` act as the champion on this network (as cron would)."""

    def new_person(self, name: str, email: str) -> str:
        """Register someone new with an e-mail address; their person id."""

    def join(self, person: str, community: Community) -> None:
        """The person becomes a member of the community and of all its rooms."""

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
        """The person posts (a reply, a message in a thread), now or backdated; the event id."""

    def react(self, person: str, room_id: str, event_id: str, key: str = "👍") -> str: ...

    def foreign_community(self) -> str:
        """The id of a community someone else created, which the champion cannot see."""

    def throttled(self) -> tuple[base.Network, Callable[[], None]] | None:
        """A connection as an account of its own, and a function that makes the network refuse that
        account's next writes with 429 for longer than the connection is willing to wait (None:
        this network cannot be made to)."""

    def bodies(self, room_id: str) -> list[str]:
        """Message bodies in a room or feed, oldest first, read without the connector."""

    def dm_bodies(self, person: str) -> list[str]:
        """Bodies of what the champion sent the person privately, read without the connector."""


# -- the real Synapse of the test session -------------------------------------------------------


class MatrixDriver:
    id = "matrix"
    private_visible = False  # a room one has not joined is refused outright

    def __init__(self, hs: Homeserver) -> None:
        self.hs = hs
        self.settings = Settings(homeserver=hs.url, user=hs.admin)
        self.champion = hs.admin
        self.people = {k: v for k, v in hs.users.items() if k in {"alice", "bob", "carol", "dave", "erin1", "erin2"}}
        self.emails = {"alice": "alice@example.org"}
        self.names = {
            "alice": "Alice Martin",
            "bob": "Bob Durand",
            "carol": "Carol Petit",
            "dave": "Dave Leroy",
            "erin1": "Erin Moreau",
            "erin2": "Erin Moreau",
        }

    def connect(self) -> base.Network:
        return base.connector("matrix").connect(self.settings, token=self.hs.admin_token)

    def env(self) -> dict[str, str]:
        return {"RSE_HOMESERVER": self.hs.url, "RSE_USER": self.hs.admin, "RSE_TOKEN": self.hs.admin_token}

    def _as(self, person: str, method: str, path: str, *, ts: int | None = None, **kw: Any) -> Any:
        """Act as anyone through the sandbox's application service (which may also backdate)."""
        params = {"user_id": person, **({"ts": ts} if ts is not None else {})}
        r = httpx.request(
            method,
            self.hs.url + path,
            params=params,
            timeout=30,
            headers={"Authorization": f"Bearer {self.hs.server.appservice_token}"},
            **kw,
        )
        r.raise_for_status()
        return r.json()

    def new_person(self, name: str, email: str) -> str:
        local = unique("p").replace("-", "")
        pid = self.hs.server.register_user(local, "pw-" + local, displayname=name)
        self.hs.api("PUT", f"/_synapse/admin/v2/users/{quote(pid)}", json={"threepids": [{"medium": "email", "address": email}]})
        return pid

    def join(self, person: str, community: Community) -> None:
        for rid in [community.id, *(r.id for r in community.rooms)]:
            self.hs.api("POST", f"/_synapse/admin/v1/join/{quote(rid)}", json={"user_id": person})

    def _send(self, person: str, room_id: str, etype: str, content: dict[str, Any], days_ago: float = 0) -> str:
        ts = int((time.time() - days_ago * 86400) * 1000) if days_ago else None
        return self._as(
            person, "PUT", f"/_matrix/client/v3/rooms/{quote(room_id)}/send/{etype}/{unique('t')}", ts=ts, json=content
        )["event_id"]

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
        content: dict[str, Any] = {"msgtype": "m.text", "body": text}
        if thread_root:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": reply_to is None,
                "m.in_reply_to": {"event_id": reply_to or thread_root},
            }
        elif reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        return self._send(person, room_id, "m.room.message", content, days_ago)

    def react(self, person: str, room_id: str, event_id: str, key: str = "👍") -> str:
        return self._send(
            person, room_id, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        )

    def foreign_community(self) -> str:
        body = {"name": unique("Ailleurs"), "preset": "private_chat", "creation_content": {"type": "m.space"}}
        return self._as(self.people["alice"], "POST", "/_matrix/client/v3/createRoom", json=body)["room_id"]

    def throttled(self) -> tuple[base.Network, Callable[[], None]] | None:
        local = unique("lent").replace("-", "")
        pid = self.hs.server.register_user(local, "pw-" + local, displayname="Lent")
        token = self.hs.server.login(local, "pw-" + local)["access_token"]
        network = base.connector("matrix").connect(Settings(homeserver=self.hs.url, user=pid), token=token)

        def arm() -> None:
            # Synapse's per-user override (integers only): one message a second, no burst beyond one
            self.hs.api(
                "POST",
                f"/_synapse/admin/v1/users/{quote(pid)}/override_ratelimit",
                json={"messages_per_second": 1, "burst_count": 1},
            )
            network.http.rate_limit_patience = 0  # type: ignore[attr-defined]  # wait for nothing: raise at once

        return network, arm

    def bodies(self, room_id: str) -> list[str]:
        chunk = self.hs.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/messages", params={"dir": "b", "limit": 500})[
            "chunk"
        ]
        return [e["content"].get("body", "") for e in reversed(chunk) if e["type"] == "m.room.message"]

    def dm_bodies(self, person: str) -> list[str]:
        direct = self.hs.api("GET", f"/_matrix/client/v3/user/{quote(self.hs.admin)}/account_data/m.direct")
        return [b for room in direct.get(person, []) for b in self.bodies(room)]


# -- the in-memory reference network, in either flavour -------------------------------------------


class MemoryDriver:
    private_visible = False

    def __init__(self, flavour: str) -> None:
        self.id = flavour
        self.world = memory.new_world(flavour)
        base.register(flavour, memory.CONNECTORS[flavour])
        w = self.world
        self.champion = w.add_person("Camille Admin", "admin@example.org", admin=True)
        self.names = {
            "alice": "Alice Martin",
            "bob": "Bob Durand",
            "carol": "Carol Petit",
            "dave": "Dave Leroy",
            "erin1": "Erin Moreau",
            "erin2": "Erin Moreau",
        }
        self.emails = {"alice": "alice@example.org"}
        self.people = {k: w.add_person(name, self.emails.get(k)) for k, name in self.names.items()}
        self.token = w.token(self.champion)
        # built without validation: config.py still accepts only `network = "matrix"` and Matrix user ids
        self.settings = Settings.model_construct(
            **{**Settings().model_dump(), "network": flavour, "homeserver": w.url, "user": self.champion}
        )

    def close(self) -> None:
        self.world.throttle(0)
        memory.WORLDS.pop(self.world.url, None)

    def connect(self) -> base.Network:
        return base.connector(self.id).connect(self.settings, token=self.token)

    def env(self) -> dict[str, str]:
        return {"RSE_NETWORK": self.id, "RSE_HOMESERVER": self.world.url, "RSE_USER": self.champion, "RSE_TOKEN": self.token}

    def new_person(self, name: str, email: str) -> str:
        return self.world.add_person(name, email)

    def join(self, person: str, community: Community) -> None:
        self.world.join(person, community.id)

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
        with self.world.backdated(days_ago):
            return self.world.post(person, room_id, text, reply_to=reply_to, thread_root=thread_root)

    def react(self, person: str, room_id: str, event_id: str, key: str = "👍") -> str:
        return self.world.react(person, room_id, event_id, key)

    def foreign_community(self) -> str:
        return self.world.create_community(self.people["alice"], unique("Ailleurs")).id

    def throttled(self) -> tuple[base.Network, Callable[[], None]] | None:
        person = self.world.add_person("Lent", None, admin=True)
        network = base.connector(self.id).connect(self.settings, token=self.world.token(person))
        return network, lambda: self.world.throttle(10**6)

    def bodies(self, room_id: str) -> list[str]:
        return self.world.bodies(room_id)

    def dm_bodies(self, person: str) -> list[str]:
        return self.world.dm_bodies(self.champion, person)


# pytest id -> how to build the driver from the test's `request` (session fixtures come through it)
DRIVERS: dict[str, Callable[[pytest.FixtureRequest], Driver]] = {
    "matrix": lambda request: MatrixDriver(request.getfixturevalue("homeserver")),
    "memory": lambda request: MemoryDriver("memory"),
    "memory-feed": lambda request: MemoryDriver("memory-feed"),
    "engage": lambda request: _engage_driver(request),
}


def _engage_driver(request: pytest.FixtureRequest) -> Driver:
    from tests.network.engage.driver import EngageDriver  # the Viva Engage fake: tests/fakes/engage

    return EngageDriver(request.getfixturevalue("engage_tenant"))


def talk_room(community: Community, capabilities: base.Capabilities) -> str:
    """Where people talk in a community: its first room, or the community itself when it is one feed."""
    if capabilities.structure is base.Structure.rooms:
        return community.rooms[0].id
    return community.id
