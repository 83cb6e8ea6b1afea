"""An in-memory reference network: the `Network` protocol implemented honestly, with no server.

It is the second network of the conformance suite (tests/network/conformance/) and of the
service-level end-to-end tests (tests/e2e/): whatever only works on Matrix shows up here.
On purpose its syntax is not Matrix's: people are `u:12`, communities `c:3`, rooms `r:7`,
events `e:40`, aliases `~ventes`, pictures `pic:<hex>`, links `https://memory.invalid/<world>/…`.

State lives in a `World`, found by the profile's `homeserver` URL, so that it persists across
`connect()` calls within a test (the CLI builds a new network per command). Tests drive other
people's actions through the world (`post`, `react`, `join`) and read it back independently of
the connector (`messages`, `dm_bodies`).

Two connectors are registered by the `memory_world` fixture (tests/conftest.py):
`memory` (rooms inside a community, invitations, animator and moderator roles, server-side
idempotency, like Matrix) and `memory-feed` (one feed per community, direct membership, no
moderator role, no server idempotency, like Viva Engage). A world is built for one of them.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from rse_cli.domain import (
    Community,
    Event,
    EventKind,
    EventPage,
    Member,
    Message,
    Person,
    Picture,
    Role,
    Room,
    Sent,
    Whoami,
)
from rse_cli.errors import (
    AmbiguousError,
    AuthError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UsageError,
)
from rse_cli.network.base import Capabilities, Membership, RateLimit, RateModel, Structure

BASE = "https://memory.invalid/"
PERSON_ID = re.compile(r"^u:[0-9]+$")
PICTURE = re.compile(r"^pic:[0-9a-f]{8,64}$")
EMAIL = re.compile(r"^[^@\s:]+@[^@\s]+\.[^@\s]+$")

ROOMS = Capabilities(
    structure=Structure.rooms,
    membership=Membership.invite,
    force_join=True,
    direct_messages=True,
    roles=frozenset({Role.animator, Role.moderator}),
    server_idempotency=True,
    threads=True,
    reactions=True,
    pictures=True,
    changes_since=True,
    rate_limits=RateModel(messages=RateLimit(per_second=5, burst=20), invitations=RateLimit(per_second=5, burst=20)),
)
FEED = Capabilities(
    structure=Structure.feed,
    membership=Membership.direct,
    force_join=False,
    direct_messages=True,
    roles=frozenset({Role.animator}),
    server_idempotency=False,
    threads=True,
    reactions=True,
    pictures=False,
    changes_since=False,
    dated_memberships=False,
    rate_limits=RateModel(
        messages=RateLimit(per_second=1 / 3, burst=10),
        reads=RateLimit(per_second=1 / 3, burst=10),
        community_creation_seconds=30.0,
    ),
)


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _bare(alias: str) -> str:
    return alias.strip().lstrip("~").casefold()


# -- the world: state shared by every connection to it ------------------------------------------


@dataclass
class MPerson:
    id: str
    name: str | None
    email: str | None
    admin: bool = False


@dataclass
class MRoom:
    """A room, a community's feed, or a direct conversation: anything events are posted in."""

    id: str
    name: str
    kind: Literal["community", "room", "dm"]
    topic: str | None = None
    alias: str | None = None
    community: str | None = None  # the community a room belongs to
    rooms: list[str] = field(default_factory=list)  # a community's rooms
    members: dict[str, str] = field(default_factory=dict)  # person id -> membership
    roles: dict[str, Role] = field(default_factory=dict)
    creator: str | None = None
    avatar: str | None = None
    events: list[Event] = field(default_factory=list)


class World:
    """One network's state. `capabilities` decide which behaviour the connector shows."""

    def __init__(self, capabilities: Capabilities = ROOMS, *, connector: str = "memory", page_limit: int = 3) -> None:
        self.key = uuid.uuid4().hex[:8]
        self.url = f"{BASE}{self.key}"
        self.capabilities = capabilities
        self.connector = connector
        self.page_limit = page_limit  # the server's largest page: small, so paging is exercised
        self.people: dict[str, MPerson] = {}
        self.tokens: dict[str, str] = {}
        self.rooms: dict[str, MRoom] = {}
        self.txns: dict[tuple[str, str, str], str] = {}  # (sender, room, txn id) -> event id
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.throttled = 0  # the next N requests are answered 429
        self.requests = 0
        self.dms_disabled = False  # a tenant may switch private messages off
        self._ids = itertools.count(1)
        self._seq = 0  # a global event counter: the changed_since token
        self._changed: dict[str, int] = {}  # room id -> the counter at its last event
        self._lock = threading.RLock()

    # -- people ------------------------------------------------------------------------------
    def add_person(self, name: str | None, email: str | None = None, *, admin: bool = False) -> str:
        with self._lock:
            pid = f"u:{next(self._ids)}"
            self.people[pid] = MPerson(pid, name, email.lower() if email else None, admin)
            return pid

    def token(self, person_id: str) -> str:
        with self._lock:
            for token, pid in self.tokens.items():
                if pid == person_id:
                    return token
            token = f"tok-{uuid.uuid4().hex}"
            self.tokens[token] = person_id
            return token

    def throttle(self, requests: int) -> None:
        """Answer the next `requests` requests with 429 (whoever sends them)."""
        self.throttled = requests

    @contextmanager
    def backdated(self, days: float) -> Iterator[None]:
        """Events appended meanwhile carry a time `days` ago (a history planted in the past)."""
        if not days:
            yield
            return
        with self._lock:
            clock = self.now
            self.now = lambda: clock() - timedelta(days=days)
            try:
                yield
            finally:
                self.now = clock

    # -- what other people do ------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        return f"{prefix}:{next(self._ids)}"

    def _append(self, room: MRoom, sender: str, kind: EventKind, **fields: Any) -> Event:
        event = Event(id=self._new_id("e"), room_id=room.id, sender=sender, ts=self.now(), kind=kind, **fields)
        self._seq += 1
        room.events.append(event)
        self._changed[room.id] = self._seq
        return event

    def room(self, room_id: str) -> MRoom:
        try:
            return self.rooms[room_id]
        except KeyError:
            raise NotFoundError(f"no room or feed {room_id} on this network") from None

    def set_membership(self, room: MRoom, person: str, membership: str, *, by: str | None = None) -> None:
        if room.members.get(person) == membership:
            return
        room.members[person] = membership
        if self.capabilities.dated_memberships:  # otherwise (Engage) only the member list tells
            self._append(room, by or person, EventKind.membership, membership=membership, target=person)

    def join(self, person: str, community_id: str) -> None:
        """The person joins the community and all its rooms (accepting an invitation if any)."""
        with self._lock:
            community = self.room(community_id)
            for room in [community, *(self.rooms[r] for r in community.rooms)]:
                self.set_membership(room, person, "join")

    def leave(self, person: str, community_id: str) -> None:
        with self._lock:
            community = self.room(community_id)
            for room in [community, *(self.rooms[r] for r in community.rooms)]:
                if person in room.members:
                    self.set_membership(room, person, "leave")

    def post(self, sender: str, room_id: str, text: str, *, reply_to: str | None = None, thread_root: str | None = None) -> str:
        """A message from `sender` (who must have joined): a post, a reply, or a message in a thread."""
        with self._lock:
            room = self.room(room_id)
            if room.members.get(sender) != "join":
                raise ForbiddenError(f"{sender} is not a member of {room_id}")
            if thread_root:
                return self._append(
                    room, sender, EventKind.thread, body=text, thread_root=thread_root, parent_id=reply_to or thread_root
                ).id
            if reply_to:
                return self._append(room, sender, EventKind.reply, body=text, parent_id=reply_to).id
            return self._append(room, sender, EventKind.post, body=text).id

    def react(self, sender: str, room_id: str, event_id: str, key: str = "👍") -> str:
        with self._lock:
            room = self.room(room_id)
            if room.members.get(sender) != "join":
                raise ForbiddenError(f"{sender} is not a member of {room_id}")
            return self._append(room, sender, EventKind.reaction, parent_id=event_id, key=key).id

    def create_community(self, creator: str, name: str, *, alias: str | None = None, topic: str | None = None) -> MRoom:
        with self._lock:
            if alias and any(r.alias and _bare(r.alias) == _bare(alias) for r in self.rooms.values()):
                raise ConflictError(f"the alias ~{_bare(alias)} is already taken", hint="pick another alias")
            community = MRoom(
                self._new_id("c"), name, "community", topic=topic, alias=f"~{_bare(alias)}" if alias else None, creator=creator
            )
            self.rooms[community.id] = community
            community.roles[creator] = Role.owner
            self.set_membership(community, creator, "join")
            return community

    # -- reading the state back, independently of the connector --------------------------------
    def messages(self, room_id: str) -> list[Event]:
        return [e for e in self.room(room_id).events if e.kind not in (EventKind.membership, EventKind.reaction)]

    def bodies(self, room_id: str) -> list[str]:
        return [e.body or "" for e in self.messages(room_id)]

    def dm_rooms(self, a: str, b: str) -> list[MRoom]:
        return [r for r in self.rooms.values() if r.kind == "dm" and set(r.members) == {a, b}]

    def dm_bodies(self, sender: str, person: str) -> list[str]:
        return [b for r in self.dm_rooms(sender, person) for b in self.bodies(r.id)]


WORLDS: dict[str, World] = {}


def world_of(url: str | None) -> World:
    if not url or url.rstrip("/") not in WORLDS:
        raise UsageError(f"no in-memory world at {url!r}", hint="tests create one with the memory_world fixture")
    return WORLDS[url.rstrip("/")]


# -- offline syntax ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryAddressing:
    base: str = BASE.rstrip("/")

    def community_key(self, ref: str) -> str:
        return _bare(ref)

    def community_keys(self, community_id: str, name: str, alias: str | None) -> set[str]:
        return {community_id.casefold(), name.casefold(), _bare(alias or "")} - {""}

    def alias_ref(self, alias: str) -> str:
        return f"~{_bare(alias)}"

    def bare_alias(self, alias: str) -> str:
        return alias.lstrip("~")  # this network's alias sigil (see alias_ref); no casefold: rse checks it is lowercase

    def person_problem(self, ref: str) -> str | None:
        ref = ref.strip()
        if not ref:
            return "empty"
        if ref.startswith("u:"):
            return None if PERSON_ID.match(ref) else f"{ref!r} is not a person id of this network (u:123)"
        if "@" in ref:
            return None if EMAIL.match(ref) else f"{ref!r} is neither an e-mail address nor a person id (u:123)"
        return None

    def is_person_id(self, ref: str) -> bool:
        return bool(PERSON_ID.match(ref))

    def short_name(self, person_id: str) -> str:
        return person_id.replace(":", "")

    def picture_problem(self, ref: str) -> str | None:
        return None if PICTURE.match(ref) else f"{ref!r} is not a picture of this network (pic:<hex>)"

    def is_picture_ref(self, ref: str) -> bool:
        return ref.startswith("pic:")

    def link(self, target: str, event_id: str | None = None) -> str:
        return f"{self.base}/{target}" + (f"/{event_id}" if event_id else "")


# -- the connection ---------------------------------------------------------------------------


class MemoryNetwork:
    """One person's connection to a world. Every public call is one "request" (see _request)."""

    def __init__(self, world: World, user_id: str, *, max_retries: int = 5) -> None:
        self.name = world.connector  # memory or memory-feed
        self.world = world
        self.user_id = user_id
        self.capabilities = world.capabilities
        self.addressing = MemoryAddressing(world.url)
        self.concurrency = 4
        self.max_retries = max_retries
        self._hit_429 = False
        self.closed = False

    def _request(self) -> None:
        """Where a real connector's HTTP chokepoint would be: 429s on demand, retried up to
        max_retries (no sleeping: the fake's time is free), then RateLimitedError."""
        w = self.world
        with w._lock:
            if self.closed:
                raise RuntimeError("this connection was closed")
            w.requests += 1
            attempts = 0
            while w.throttled > 0:
                w.throttled -= 1
                self._hit_429 = True
                attempts += 1
                if attempts > self.max_retries:
                    raise RateLimitedError(
                        "the network keeps answering 429 (too many requests)", hint="wait a minute and run again", status=429
                    )

    # -- identity --------------------------------------------------------------------------------
    def whoami(self) -> Whoami:
        self._request()
        me = self.world.people[self.user_id]
        return Whoami(user_id=me.id, homeserver=self.world.url, admin=me.admin, display_name=me.name)

    def find_people(self, refs: Sequence[str]) -> dict[str, Person]:
        return {}  # in memory, a lookup costs nothing

    def resolve_person(self, ref: str) -> Person:
        self._request()
        ref = ref.strip()
        people = self.world.people.values()
        if PERSON_ID.match(ref):
            hits = [p for p in people if p.id == ref]
            what = f"no such person on the network: {ref}"
        elif "@" in ref:
            hits = [p for p in people if p.email == ref.lower()]
            what = f"nobody on the network has the e-mail address {ref}"
        else:
            hits = [p for p in people if (p.name or "").casefold() == ref.casefold()]
            what = f"nobody on the network is named {ref!r}"
        if not hits:
            raise NotFoundError(what, hint="use their id (u:123) or e-mail")
        if len(hits) > 1:
            raise AmbiguousError(
                f"{len(hits)} people are named {ref!r}: " + ", ".join(p.id for p in hits), hint="use one of these ids"
            )
        return Person(id=hits[0].id, display_name=hits[0].name)

    def rate_limited(self) -> bool:
        return self._hit_429

    def ratelimit_exempt(self) -> bool | None:
        return None

    # -- communities -------------------------------------------------------------------------------
    def _visible(self, room: MRoom) -> bool:
        return room.members.get(self.user_id) in {"join", "invite"}

    def _community(self, c: MRoom) -> Community:
        if not self._visible(c):
            raise ForbiddenError(
                f"the community {c.id} is not visible to {self.user_id}", hint="ask an animator to add this account"
            )
        rooms = [self._room(self.world.rooms[r]) for r in c.rooms]
        return Community(
            id=c.id,
            name=c.name,
            alias=c.alias,
            topic=c.topic,
            link=self.link(c.id),
            rooms=sorted(rooms, key=lambda r: r.name.casefold()),
            member_count=sum(1 for m in c.members.values() if m == "join"),
            avatar=c.avatar,
        )

    def _room(self, r: MRoom) -> Room:
        return Room(id=r.id, name=r.name, topic=r.topic, alias=r.alias, link=self.link(r.id))

    def _communities(self) -> list[MRoom]:
        return [r for r in self.world.rooms.values() if r.kind == "community"]

    def list_communities(self) -> list[Community]:
        self._request()
        with self.world._lock:
            mine = [c for c in self._communities() if c.members.get(self.user_id) == "join"]
            return sorted((self._community(c) for c in mine), key=lambda c: c.name.casefold())

    def get_community(self, ref: str) -> Community:
        self._request()
        ref = ref.strip()
        with self.world._lock:
            all_ = self._communities()
            by_id = [c for c in all_ if c.id == ref]
            if by_id:
                return self._community(by_id[0])
            by_alias = [c for c in all_ if c.alias and _bare(c.alias) == _bare(ref)]
            if by_alias:
                return self._community(by_alias[0])
            if ref.startswith("~"):
                raise NotFoundError(f"no community has the alias {ref}", hint="see `rse community list`")
            hits = [c for c in all_ if self._visible(c) and (c.name.casefold() == ref.casefold() or slug(c.name) == slug(ref))]
            if not hits:
                raise NotFoundError(
                    f"no community named {ref!r} among those {self.user_id} belongs to", hint="see `rse community list`"
                )
            if len(hits) > 1:
                raise AmbiguousError(
                    f"{len(hits)} communities match {ref!r}: " + ", ".join(f"{c.name} ({c.id})" for c in hits),
                    hint="use the alias or id",
                )
            return self._community(hits[0])

    def create_community(self, name: str, *, alias: str | None = None, topic: str | None = None) -> Community:
        self._request()
        with self.world._lock:
            return self._community(self.world.create_community(self.user_id, name, alias=alias, topic=topic))

    def _mine(self, community: Community) -> MRoom:
        c = self.world.room(community.id)
        if c.kind != "community":
            raise NotFoundError(f"{community.id} is not a community")
        if not self._visible(c):
            raise ForbiddenError(f"the community {c.id} is not visible to {self.user_id}")
        return c

    def _manager(self, c: MRoom) -> None:
        if c.roles.get(self.user_id, Role.member) not in {Role.owner, Role.moderator, Role.animator}:
            raise ForbiddenError(f"{self.user_id} is not an animator of {c.name}", hint="ask its owner for the animator role")

    def add_room(self, community: Community, name: str, *, topic: str | None = None) -> Room:
        if self.capabilities.structure is not Structure.rooms:
            raise UsageError(
                f"{community.name} is one conversation feed on this network: it has no rooms",
                hint="remove `rooms` / --room for this network",
            )
        self._request()
        with self.world._lock:
            c = self._mine(community)
            self._manager(c)
            for rid in c.rooms:
                if slug(self.world.rooms[rid].name) == slug(name):
                    return self._room(self.world.rooms[rid])  # the room a killed run created
            room = MRoom(
                self.world._new_id("r"),
                name,
                "room",
                topic=topic,
                community=c.id,
                creator=self.user_id,
                alias=f"{c.alias}-{slug(name)}" if c.alias else None,
            )
            self.world.rooms[room.id] = room
            c.rooms.append(room.id)
            room.roles = dict(c.roles)  # the community's animators hold the same role in the new room
            self.world.set_membership(room, self.user_id, "join")  # others join it themselves
            return self._room(room)

    def find_room(self, community: Community, ref: str) -> Room:
        if self.capabilities.structure is not Structure.rooms:
            raise UsageError(
                f"{community.name} is one conversation feed on this network: it has no room {ref!r}",
                hint="name the community alone",
            )
        for test in (
            lambda r: r.id == ref or (r.alias or "") == ref,
            lambda r: r.name.casefold() == ref.casefold(),
            lambda r: slug(r.name) == slug(ref),
        ):
            hits = [r for r in community.rooms if test(r)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise AmbiguousError(f"{len(hits)} rooms of {community.name} match {ref!r}", hint="use the room id")
        names = ", ".join(r.name for r in community.rooms) or "none"
        raise NotFoundError(f"{community.name} has no room {ref!r}", hint=f"its rooms: {names}")

    def set_topic(self, community: Community, topic: str) -> bool:
        self._request()
        with self.world._lock:
            c = self._mine(community)
            if (c.topic or "") == topic:
                return False
            self._manager(c)
            c.topic = community.topic = topic
            return True

    def _picture_ref(self, picture: Picture) -> str:
        return picture.url or f"pic:{(picture.sha256 or '')[:16]}"

    def has_picture(self, community: Community, picture: Picture) -> bool:
        self._request()
        return self._mine(community).avatar == self._picture_ref(picture)

    def set_picture(self, community: Community, picture: Picture) -> bool:
        if not self.capabilities.pictures:
            raise UsageError("this network has no community pictures")
        if self.has_picture(community, picture):
            return False
        with self.world._lock:
            c = self._mine(community)
            self._manager(c)
            c.avatar = community.avatar = self._picture_ref(picture)
            return True

    # -- people in communities -----------------------------------------------------------------------
    def list_members(self, community: Community) -> list[Member]:
        self._request()
        with self.world._lock:
            c = self._mine(community)
            out = []
            for pid, membership in c.members.items():
                role = c.roles.get(pid, Role.member)
                # no power levels here (a Matrix notion): whoever reads `power` instead of `role` shows up
                out.append(
                    Member(
                        id=pid,
                        display_name=self.world.people[pid].name,
                        membership=membership,  # type: ignore[arg-type]
                        role=role,
                        power=0,
                    )
                )
            return sorted(out, key=lambda m: (m.membership != "join", m.id))

    def _person(self, person: str) -> MPerson:
        if person not in self.world.people:
            raise NotFoundError(
                f"no such person on the network: {person}", hint="resolve people first (id u:123, e-mail or name)"
            )
        return self.world.people[person]

    def invite(self, community: Community, person: str, *, checked: bool = False) -> bool:
        self._request()
        with self.world._lock:
            c = self._mine(community)
            self._person(person)
            if c.members.get(person) in {"join", "invite"}:
                return False
            if self.capabilities.membership is Membership.direct:
                self._manager(c)  # Engage: adding a member to the group takes an owner
                for room in [c, *(self.world.rooms[r] for r in c.rooms)]:
                    self.world.set_membership(room, person, "join", by=self.user_id)
            else:
                self.world.set_membership(c, person, "invite", by=self.user_id)
            return True

    def force_join(self, community: Community, person: str) -> bool:
        if not self.capabilities.force_join:
            raise UsageError("this network cannot make people members without them", hint="add them as members (invite)")
        self._request()
        with self.world._lock:
            c = self._mine(community)
            self._person(person)
            if not self.world.people[self.user_id].admin:
                raise ForbiddenError(
                    f"{self.user_id} is not an admin of the network: cannot add people directly", hint="use invitations"
                )
            changed = False
            for room in [c, *(self.world.rooms[r] for r in c.rooms)]:
                if room.members.get(person) != "join":
                    self.world.set_membership(room, person, "join")
                    changed = True
            return changed

    def set_role(self, community: Community, person: str, role: Role) -> bool:
        if role is Role.owner:
            raise UsageError("the owner role belongs to the community's creators and cannot be given")
        if role is not Role.member and role not in self.capabilities.roles:
            raise UsageError(
                f"this network has no {role.value} role",
                hint="its roles: " + ", ".join(sorted(r.value for r in self.capabilities.roles)),
            )
        self._request()
        with self.world._lock:
            c = self._mine(community)
            self._person(person)
            self._manager(c)
            changed = False
            for room in [c, *(self.world.rooms[r] for r in c.rooms)]:
                if room.roles.get(person) is Role.owner:
                    continue
                current = room.roles.get(person, Role.member)
                if current is not role:
                    changed = True
                    if role is Role.member:
                        room.roles.pop(person, None)
                    else:
                        room.roles[person] = role
            return changed

    # -- writing ----------------------------------------------------------------------------------------
    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        self._request()
        w = self.world
        with w._lock:
            room = w.room(room_id)
            if room.members.get(self.user_id) != "join":
                raise ForbiddenError(f"{self.user_id} is not a member of {room_id}: cannot post there", hint="join it first")
            key = (self.user_id, room_id, txn_id)
            if w.capabilities.server_idempotency and key in w.txns:
                return Sent(room_id=room_id, event_id=w.txns[key], txn_id=txn_id, sent=False)
            event = w._append(room, self.user_id, EventKind.post, body=message.text)
            w.txns[key] = event.id
            return Sent(room_id=room_id, event_id=event.id, txn_id=txn_id)

    def direct_room(self, person: str) -> str:
        if not self.capabilities.direct_messages or self.world.dms_disabled:
            raise ForbiddenError("private messages are disabled on this network", hint="welcome people with a mention instead")
        self._request()
        w = self.world
        with w._lock:
            self._person(person)
            for room in w.dm_rooms(self.user_id, person):
                if room.members.get(self.user_id) == "join" and room.members.get(person) in {"join", "invite"}:
                    return room.id
            room = MRoom(w._new_id("r"), f"{self.user_id} & {person}", "dm", creator=self.user_id)
            w.rooms[room.id] = room
            w.set_membership(room, self.user_id, "join")
            w.set_membership(
                room, person, "join" if self.capabilities.membership is Membership.direct else "invite", by=self.user_id
            )
            return room.id

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        self._request()
        with self.world._lock:
            for event in reversed(self.world.room(room_id).events):
                if event.ts.timestamp() * 1000 < since_ms:
                    break
                if event.sender == self.user_id and event.kind is EventKind.post and event.body == message.text:
                    return Sent(room_id=room_id, event_id=event.id, txn_id="", sent=False)
            return None

    # -- reading ------------------------------------------------------------------------------------------
    def diagnose(self) -> list[tuple[str, bool | None, str, str | None]]:
        return [("server", True, f"in-memory network {self.world.url}", None)]

    def changed_since(self, token: str | None) -> tuple[set[str] | None, str | None]:
        if not self.capabilities.changes_since:
            return None, None
        self._request()
        w = self.world
        with w._lock:
            now = str(w._seq)
            if token is None:
                return None, now
            return {rid for rid, seq in w._changed.items() if seq > int(token) and self._visible(w.rooms[rid])}, now

    def iter_events(self, room_id: str, since: str | None = None, *, page_size: int = 1000) -> Iterator[EventPage]:
        size = max(1, min(page_size, self.world.page_limit))
        position = int(since.removeprefix("at:")) if since else 0
        while True:
            self._request()
            with self.world._lock:
                room = self.world.room(room_id)
                if room.members.get(self.user_id) != "join" and not self.world.people[self.user_id].admin:
                    raise ForbiddenError(f"{self.user_id} cannot read {room_id}")
                chunk = [e.model_copy() for e in room.events[position : position + size]]
            position += len(chunk)
            done = len(chunk) < size
            yield EventPage(events=chunk, checkpoint=f"at:{position}", done=done)
            if done:
                return

    def bulk_events(self, checkpoint: str | None, now: datetime) -> Iterator[EventPage] | None:
        return None  # no bulk channel: sync reads the rooms

    def link(self, room_id: str, event_id: str | None = None) -> str:
        return self.addressing.link(room_id, event_id)

    def close(self) -> None:
        self.closed = True


class MemoryConnector:
    """The `Connector` of one flavour; `register(name, connector)` makes it usable by name."""

    settings_model = None

    def __init__(self, name: str = "memory", capabilities: Capabilities = ROOMS) -> None:
        self.name = name
        self.capabilities = capabilities
        self.description = f"in-memory reference network ({capabilities.structure.value})"

    def addressing(self, settings: Any) -> MemoryAddressing:
        return MemoryAddressing((settings.homeserver or BASE).rstrip("/"))

    def connect(self, settings: Any, *, token: str | None = None, transport: Any = None) -> MemoryNetwork:
        world = world_of(settings.homeserver)
        if world.capabilities != self.capabilities:
            raise UsageError(f"the world at {world.url} is a {world.connector!r} world, not {self.name!r}")
        if token is None or token not in world.tokens:
            raise AuthError("the token is not valid on this network", hint="run `rse auth login`")
        return MemoryNetwork(world, world.tokens[token], max_retries=getattr(settings, "max_retries", 5))


CONNECTORS = {"memory": MemoryConnector("memory", ROOMS), "memory-feed": MemoryConnector("memory-feed", FEED)}


def new_world(flavour: str = "memory", **kw: Any) -> World:
    """A world for one of CONNECTORS, registered so `connect()` finds it by its URL."""
    world = World(CONNECTORS[flavour].capabilities, connector=flavour, **kw)
    WORLDS[world.url] = world
    return world
