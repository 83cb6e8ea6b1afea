"""The Matrix connector (client-server API, plus Synapse's admin API when rse runs as an admin).

Mapping: a community is a Space; its rooms are children linked both ways (`m.space.child`
in the space, `m.space.parent` in the room) and joinable by the space's members (restricted
join rule). Roles are power levels: animator and moderator levels come from the settings.
In version-12 rooms (Synapse's default) the creators hold the highest power and are never
listed in `m.room.power_levels`, so rse never writes them there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from rse_cli.domain import Community, Event, EventKind, EventPage, Member, Person, Picture, Role, Room, Sent, Whoami
from rse_cli.errors import AmbiguousError, AuthError, ConflictError, ForbiddenError, NotFoundError, ServerError, UsageError
from rse_cli.domain import Message
from rse_cli.network.http import HttpClient, ssl_context
from rse_cli.network.matrix.ids import MatrixAddressing, matrix_link, slug

C = "/_matrix/client/v3"
C1 = "/_matrix/client/v1"
ADMIN = "/_synapse/admin"
MEDIA = "/_matrix/media/v3"
# a key of rse's own in m.room.avatar (clients ignore unknown keys): the SHA-256 of the file the
# picture was uploaded from, so a re-run knows the picture is already set without the store
PICTURE_HASH = "org.rse.sha256"
T = TypeVar("T")
R = TypeVar("R")


def q(part: str) -> str:
    return quote(part, safe="")


class MatrixNetwork:
    name = "matrix"
    capabilities: Capabilities  # set below, with the registration

    def __init__(
        self,
        http: HttpClient,
        *,
        user_id: str | None = None,
        animator_level: int = 50,
        moderator_level: int = 75,
        client_url: str = "https://matrix.to/#/",
        concurrency: int = 8,
    ) -> None:
        self.http = http
        self._user_id = user_id
        self.animator_level = animator_level
        self.moderator_level = moderator_level
        self.client_url = client_url
        self.concurrency = concurrency
        self._admin: bool | None = None
        self._people: dict[str, Person] = {}
        self._dm_lock = threading.Lock()
        self._dm_write = threading.Lock()
        self._dm_people: dict[str, threading.Lock] = {}
        self._dm_new: dict[str, list[str]] = {}  # DM rooms this process created, not yet in m.direct
        self._dm_version = self._dm_written = 0

    @classmethod
    def from_settings(cls, settings, *, token: str | None = None, transport=None) -> MatrixNetwork:
        if not settings.homeserver:
            raise UsageError("no homeserver configured", hint="run `rse config init --homeserver https://…`")
        http = HttpClient(
            settings.homeserver,
            token=token,
            timeout=settings.timeout,
            verify=ssl_context(settings.ca_bundle, settings.verify_tls),
            concurrency=settings.concurrency,
            max_retries=settings.max_retries,
            transport=transport,
        )
        return cls(
            http,
            user_id=settings.user,
            animator_level=settings.animator_level,
            moderator_level=settings.moderator_level,
            client_url=settings.client_url,
            concurrency=settings.concurrency,
        )

    # -- identity -----------------------------------------------------------------------
    def login(self, user: str, password: str, device_id: str | None = None) -> tuple[str, str, str]:
        localpart = user[1:].split(":", 1)[0] if user.startswith("@") else user
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": localpart},
            "password": password,
            "initial_device_display_name": "rse (command line)",
        }
        if device_id:
            body["device_id"] = device_id
        try:
            answer = self.http.post(f"{C}/login", json=body, auth=False)
        except ForbiddenError:
            raise AuthError(f"login refused for {user}: wrong user or password") from None
        self.http.set_token(answer["access_token"])
        self._user_id = answer["user_id"]
        return answer["access_token"], answer["device_id"], answer["user_id"]

    @property
    def user_id(self) -> str:
        if self._user_id is None:
            self._user_id = self.http.get(f"{C}/account/whoami")["user_id"]
        return self._user_id

    @property
    def server_name(self) -> str:
        # never parse a server out of a room id: version-12 room ids have none
        return self.user_id.split(":", 1)[1]

    @property
    def is_admin(self) -> bool:
        if self._admin is None:
            try:
                self._admin = bool(self.http.get(f"{ADMIN}/v1/users/{q(self.user_id)}/admin").get("admin"))
            except (ForbiddenError, NotFoundError):
                self._admin = False
        return self._admin

    def ratelimit_exempt(self) -> bool | None:
        """Whether an admin lifted this account's rate limits (override_ratelimit); None when it cannot tell."""
        if not self.is_admin:
            return None
        found = self.http.get(f"{ADMIN}/v1/users/{q(self.user_id)}/override_ratelimit")
        return bool(found) and found.get("messages_per_second", 1) == 0

    def whoami(self) -> Whoami:
        me = self.http.get(f"{C}/account/whoami")
        self._user_id = me["user_id"]
        return Whoami(
            user_id=me["user_id"],
            device_id=me.get("device_id"),
            homeserver=self.http.base_url,
            admin=self.is_admin,
            display_name=self._display_name(me["user_id"]),
        )

    def _display_name(self, user_id: str) -> str | None:
        try:
            return self.http.get(f"{C}/profile/{q(user_id)}").get("displayname")
        except NotFoundError:
            return None

    def resolve_person(self, ref: str) -> Person:
        ref = ref.strip()
        if ref in self._people:
            return self._people[ref]
        if ref.startswith("@"):
            if ":" not in ref:
                ref = f"{ref}:{self.server_name}"
            try:
                profile = self.http.get(f"{C}/profile/{q(ref)}")
            except NotFoundError:
                raise NotFoundError(f"no such person on the network: {ref}") from None
            person = Person(id=ref, display_name=profile.get("displayname"))
        elif "@" in ref:
            person = self._by_email(ref)
        else:
            person = self._by_display_name(ref)
        self._people[ref] = person
        return person

    def _by_email(self, email: str) -> Person:
        if not self.is_admin:
            raise NotFoundError(
                f"cannot look up {email}: finding people by e-mail needs a Synapse admin account",
                hint="use their Matrix ID (@name:server) instead",
            )
        try:
            user_id = self.http.get(f"{ADMIN}/v1/threepid/email/users/{q(email.lower())}")["user_id"]
        except NotFoundError:
            raise NotFoundError(f"nobody on the network has the e-mail address {email}") from None
        return Person(id=user_id, display_name=self._display_name(user_id))

    def _by_display_name(self, name: str) -> Person:
        wanted = name.casefold()
        if self.is_admin:
            found = self.http.get(f"{ADMIN}/v2/users", params={"name": name, "limit": 100, "guests": "false", "deactivated": "false"})
            hits = [Person(id=u["name"], display_name=u.get("displayname")) for u in found.get("users", [])]
        else:
            found = self.http.post(f"{C}/user_directory/search", json={"search_term": name, "limit": 50})
            hits = [Person(id=u["user_id"], display_name=u.get("display_name")) for u in found.get("results", [])]
        exact = [p for p in hits if (p.display_name or "").casefold() == wanted]
        if not exact:
            raise NotFoundError(f"nobody on the network is named {name!r}", hint="use their Matrix ID or e-mail")
        if len(exact) > 1:
            ids = ", ".join(p.id for p in exact)
            raise AmbiguousError(f"{len(exact)} people are named {name!r}: {ids}", hint="use one of these Matrix IDs")
        return exact[0]

    # -- communities --------------------------------------------------------------------
    def _parallel(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(fn, items))

    def _state(self, room_id: str, event_type: str, state_key: str = "") -> dict[str, Any] | None:
        try:
            return self.http.get(f"{C}/rooms/{q(room_id)}/state/{q(event_type)}/{q(state_key)}")
        except NotFoundError:
            return None

    def list_communities(self) -> list[Community]:
        joined = self.http.get(f"{C}/joined_rooms")["joined_rooms"]
        creates = self._parallel(lambda r: (r, self._state(r, "m.room.create") or {}), joined)
        spaces = [r for r, create in creates if create.get("type") == "m.space"]
        return sorted(self._parallel(self._community, spaces), key=lambda c: c.name.casefold())

    def _community(self, space_id: str) -> Community:
        try:
            tree = self.http.get(f"{C1}/rooms/{q(space_id)}/hierarchy", params={"max_depth": 1, "limit": 200})
        except ForbiddenError:
            raise ForbiddenError(f"the community {space_id} is not visible to {self.user_id}", hint="ask an animator to invite this account") from None
        rooms = tree.get("rooms", [])
        top = next((r for r in rooms if r["room_id"] == space_id), None)
        if top is None or top.get("room_type") != "m.space":
            raise NotFoundError(f"{space_id} is a room, not a community (Space)")
        children = [
            Room(
                id=r["room_id"],
                name=r.get("name") or r.get("canonical_alias") or r["room_id"],
                topic=r.get("topic"),
                alias=r.get("canonical_alias"),
                link=self.link(r["room_id"]),
            )
            for r in rooms
            if r["room_id"] != space_id and r.get("room_type") != "m.space"
        ]
        return Community(
            id=space_id,
            name=top.get("name") or top.get("canonical_alias") or space_id,
            alias=top.get("canonical_alias"),
            topic=top.get("topic"),
            link=self.link(space_id),
            rooms=sorted(children, key=lambda r: r.name.casefold()),
            member_count=top.get("num_joined_members"),
            avatar=top.get("avatar_url") or None,
        )

    def _alias(self, ref: str) -> str:
        local = ref.lstrip("#")
        return f"#{local}" if ":" in local else f"#{local}:{self.server_name}"

    def get_community(self, ref: str) -> Community:
        ref = ref.strip()
        if ref.startswith("!"):
            return self._community(ref)
        if ref.startswith("#") or slug(ref) == ref:
            try:
                room_id = self.http.get(f"{C}/directory/room/{q(self._alias(ref))}")["room_id"]
                return self._community(room_id)
            except NotFoundError:
                if ref.startswith("#"):
                    raise NotFoundError(f"no community has the alias {self._alias(ref)}", hint="see `rse community list`") from None
        matches = [c for c in self.list_communities() if c.name.casefold() == ref.casefold() or slug(c.name) == slug(ref)]
        if not matches:
            raise NotFoundError(f"no community named {ref!r} among those {self.user_id} belongs to", hint="see `rse community list`")
        if len(matches) > 1:
            raise AmbiguousError(f"{len(matches)} communities match {ref!r}: " + ", ".join(f"{c.name} ({c.id})" for c in matches), hint="use the alias or id")
        return matches[0]

    def _power_overrides(self) -> dict[str, Any]:
        # animators (50) may invite and change topics/pins; moderators (75) may remove messages and people
        return {
            "invite": 0,
            "state_default": self.animator_level,
            "kick": self.moderator_level,
            "ban": self.moderator_level,
            "redact": self.moderator_level,
        }

    def _create_room(self, body: dict[str, Any], alias: str | None) -> str:
        try:
            return self.http.post(f"{C}/createRoom", json=body)["room_id"]
        except ServerError as exc:
            if exc.errcode == "M_ROOM_IN_USE":
                raise ConflictError(f"the alias {self._alias(alias or '')} is already taken", hint="pick another alias, or use the existing community") from None
            raise

    def create_community(self, name: str, *, alias: str | None = None, topic: str | None = None) -> Community:
        body: dict[str, Any] = {
            "name": name,
            "preset": "private_chat",
            "visibility": "private",
            "creation_content": {"type": "m.space"},
            # only animators post in the space itself; conversation happens in its rooms
            "power_level_content_override": {**self._power_overrides(), "events_default": self.animator_level},
        }
        if topic:
            body["topic"] = topic
        if alias:
            body["room_alias_name"] = alias.lstrip("#").split(":", 1)[0]
        space_id = self._create_room(body, alias)
        return self._community(space_id)

    def set_topic(self, community: Community, topic: str) -> bool:
        if (community.topic or "") == topic:
            return False
        self.http.put(f"{C}/rooms/{q(community.id)}/state/m.room.topic/", json={"topic": topic})
        community.topic = topic
        return True

    def has_picture(self, community: Community, picture: Picture) -> bool:
        current = self._state(community.id, "m.room.avatar") or {}
        if picture.url:
            return current.get("url") == picture.url
        return bool(current.get("url")) and current.get(PICTURE_HASH) == picture.sha256

    def set_picture(self, community: Community, picture: Picture) -> bool:
        if self.has_picture(community, picture):
            return False
        content: dict[str, Any] = {"url": picture.url}
        if picture.url is None:
            assert picture.data is not None and picture.mimetype
            content["url"] = self.http.post(f"{MEDIA}/upload", params={"filename": Path(picture.source).name}, body=picture.data,
                                            content_type=picture.mimetype)["content_uri"]
            content["info"] = {"mimetype": picture.mimetype, "size": len(picture.data)}
            content[PICTURE_HASH] = picture.sha256
        self.http.put(f"{C}/rooms/{q(community.id)}/state/m.room.avatar/", json=content)
        community.avatar = content["url"]
        return True

    def add_room(self, community: Community, name: str, *, topic: str | None = None) -> Room:
        via = [self.server_name]
        body: dict[str, Any] = {
            "name": name,
            "preset": "private_chat",
            "visibility": "private",
            "power_level_content_override": self._power_overrides(),
            "initial_state": [
                {"type": "m.space.parent", "state_key": community.id, "content": {"via": via, "canonical": True}},
                {
                    "type": "m.room.join_rules",
                    "state_key": "",
                    "content": {"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": community.id}]},
                },
                {"type": "m.room.history_visibility", "state_key": "", "content": {"history_visibility": "shared"}},
            ],
        }
        if topic:
            body["topic"] = topic
        alias = None
        if community.alias:
            alias = f"{community.alias.lstrip('#').split(':', 1)[0]}-{slug(name)}"
            body["room_alias_name"] = alias
        try:
            room_id = self._create_room(body, alias)
        except ConflictError:
            # createRoom is not idempotent: a run killed after it created the room finds it by alias
            room_id = self._own_child(community, alias)
        self.http.put(
            f"{C}/rooms/{q(community.id)}/state/m.space.child/{q(room_id)}",
            json={"via": via, "suggested": True},
        )
        # the community's animators and moderators hold the same role in the new room
        levels = self._state(community.id, "m.room.power_levels") or {}
        creators = self._creators(community.id)
        users = {u: lvl for u, lvl in levels.get("users", {}).items() if u not in creators and lvl > 0}
        if users:
            self._update_levels(room_id, users)
        return Room(id=room_id, name=name, topic=topic, alias=self._alias(alias) if alias else None, link=self.link(room_id))

    def _own_child(self, community: Community, alias: str | None) -> str:
        """The room holding `alias` when it was created for this community (its canonical parent)."""
        taken = ConflictError(f"the alias {self._alias(alias or '')} is already taken", hint="rename the room")
        if not alias:
            raise taken
        room_id = self.http.get(f"{C}/directory/room/{q(self._alias(alias))}")["room_id"]
        if (self._state(room_id, "m.space.parent", community.id) or {}).get("canonical") is not True:
            raise taken
        return room_id

    def find_room(self, community: Community, ref: str) -> Room:
        for test in (lambda r: r.id == ref or (r.alias or "") == ref, lambda r: r.name.casefold() == ref.casefold(), lambda r: slug(r.name) == slug(ref)):
            hits = [r for r in community.rooms if test(r)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise AmbiguousError(f"{len(hits)} rooms of {community.name} match {ref!r}", hint="use the room id")
        names = ", ".join(r.name for r in community.rooms) or "none"
        raise NotFoundError(f"{community.name} has no room {ref!r}", hint=f"its rooms: {names}")

    # -- people in communities ----------------------------------------------------------
    def _creators(self, room_id: str) -> set[str]:
        event = self.http.get(f"{C}/rooms/{q(room_id)}/state/m.room.create/", params={"format": "event"})
        content = event.get("content", {})
        version = str(content.get("room_version", "1"))
        if not version.isdigit() or int(version) < 12:
            return set()  # before v12, creators are ordinary power-level holders
        return {event["sender"], *content.get("additional_creators", [])}

    def _role(self, user_id: str, level: int, creators: set[str]) -> Role:
        if user_id in creators or level >= 100:
            return Role.owner
        if level >= self.moderator_level:
            return Role.moderator
        if level >= self.animator_level:
            return Role.animator
        return Role.member

    def list_members(self, community: Community) -> list[Member]:
        chunk = self.http.get(f"{C}/rooms/{q(community.id)}/members")["chunk"]
        levels = (self._state(community.id, "m.room.power_levels") or {}).get("users", {})
        creators = self._creators(community.id)
        members = []
        for ev in chunk:
            uid = ev["state_key"]
            level = 10**9 if uid in creators else int(levels.get(uid, 0))
            members.append(
                Member(
                    id=uid,
                    display_name=ev["content"].get("displayname"),
                    membership=ev["content"].get("membership", "leave"),
                    role=self._role(uid, level, creators),
                    power=min(level, 100) if uid not in creators else 100,
                )
            )
        return sorted(members, key=lambda m: (m.membership != "join", m.id))

    def membership(self, room_id: str, user_id: str) -> str | None:
        state = self._state(room_id, "m.room.member", user_id)
        return state.get("membership") if state else None

    def invite(self, community: Community, person: str, *, checked: bool = False) -> bool:
        if not checked and self.membership(community.id, person) in {"join", "invite"}:
            return False
        try:
            # a retried invite returns the existing event: safe to retry like an idempotent call
            self.http.post(f"{C}/rooms/{q(community.id)}/invite", json={"user_id": person}, idempotent=True)
        except ForbiddenError:
            if self.membership(community.id, person) in {"join", "invite"}:
                return False  # joined in between: done
            raise
        return True

    def force_join(self, community: Community, person: str) -> bool:
        if not self.is_admin:
            raise ForbiddenError(f"{self.user_id} is not a server admin: cannot add people directly", hint="use invitations (without --join)")
        changed = False
        for room_id in [community.id, *(r.id for r in community.rooms)]:
            if self.membership(room_id, person) == "join":
                continue
            self.http.post(f"{ADMIN}/v1/join/{q(room_id)}", json={"user_id": person}, idempotent=True)
            changed = True
        return changed

    def _update_levels(self, room_id: str, users: dict[str, int | None]) -> bool:
        levels = self._state(room_id, "m.room.power_levels") or {}
        current = dict(levels.get("users", {}))
        new = dict(current)
        for uid, lvl in users.items():
            if lvl is None or lvl <= int(levels.get("users_default", 0)):
                new.pop(uid, None)
            else:
                new[uid] = lvl
        if new == current:
            return False
        self.http.put(f"{C}/rooms/{q(room_id)}/state/m.room.power_levels/", json={**levels, "users": new})
        return True

    def set_role(self, community: Community, person: str, role: Role) -> bool:
        if role is Role.owner:
            raise UsageError("the owner role belongs to the community's creators and cannot be given")
        level = {Role.member: None, Role.animator: self.animator_level, Role.moderator: self.moderator_level}[role]
        changed = False
        for room_id in [community.id, *(r.id for r in community.rooms)]:
            if person in self._creators(room_id):
                continue  # creators already hold the highest power
            changed |= self._update_levels(room_id, {person: level})
        return changed

    # -- writing ------------------------------------------------------------------------
    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        content: dict[str, Any] = {"msgtype": "m.text", "body": message.text, "m.mentions": {}}
        if message.html:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = message.html
        if message.mentions:
            content["m.mentions"] = {"user_ids": sorted(set(message.mentions))}
        answer = self.http.put(f"{C}/rooms/{q(room_id)}/send/m.room.message/{q(txn_id)}", json=content)
        return Sent(room_id=room_id, event_id=answer.get("event_id"), txn_id=txn_id)

    def _direct_map(self) -> dict[str, list[str]]:
        try:
            return self.http.get(f"{C}/user/{q(self.user_id)}/account_data/m.direct")
        except NotFoundError:
            return {}

    def direct_room(self, person: str) -> str:
        # one lock per person: two threads never open two conversations with one person, while
        # conversations with different people are created in parallel (room creation is the slow part)
        with self._dm_lock:
            lock = self._dm_people.setdefault(person, threading.Lock())
        with lock:
            mine = self._dm_new.get(person) or []
            if mine:
                return mine[-1]
            for room_id in reversed(self._direct_map().get(person, [])):
                if self.membership(room_id, self.user_id) == "join" and self.membership(room_id, person) in {"join", "invite"}:
                    return room_id
            room_id = self.http.post(
                f"{C}/createRoom",
                json={"preset": "trusted_private_chat", "is_direct": True, "invite": [person]},
            )["room_id"]
            with self._dm_lock:
                self._dm_new.setdefault(person, []).append(room_id)
                self._dm_version += 1
                version = self._dm_version
            self._record_direct(version)
            return room_id

    def _record_direct(self, version: int) -> None:
        """Record new conversations in m.direct, as Element does, before anything is sent in them
        (a re-run must find them). Writes are merged with the server's copy and coalesced: one
        read-merge-write covers every conversation created by other threads meanwhile."""
        with self._dm_write:
            if self._dm_written >= version:
                return
            with self._dm_lock:
                new, upto = {p: list(r) for p, r in self._dm_new.items()}, self._dm_version
            direct = self._direct_map()
            for p, rooms in new.items():
                direct[p] = [*direct.get(p, []), *(r for r in rooms if r not in direct.get(p, []))]
            self.http.put(f"{C}/user/{q(self.user_id)}/account_data/m.direct", json=direct)
            self._dm_written = upto

    # -- reading ------------------------------------------------------------------------
    def iter_events(self, room_id: str, since: str | None = None, *, page_size: int = 1000) -> Iterator[EventPage]:
        base = f"{ADMIN}/v1/rooms/{q(room_id)}/messages" if self.is_admin else f"{C}/rooms/{q(room_id)}/messages"
        token = since
        while True:
            params: dict[str, Any] = {"dir": "f", "limit": page_size}
            if token:
                params["from"] = token
            page = self.http.get(base, params=params)
            chunk = page.get("chunk", [])
            nxt = page.get("end")
            events = [e for e in (self.map_event(raw, room_id) for raw in chunk) if e is not None]
            done = not nxt or not chunk
            # without an `end`, resume from where this page started: re-read events are deduplicated by id
            yield EventPage(events=events, checkpoint=nxt or token, done=done)
            if done:
                return
            token = nxt

    @staticmethod
    def map_event(raw: dict[str, Any], room_id: str) -> Event | None:
        etype = raw.get("type")
        content = raw.get("content") or {}
        rel = content.get("m.relates_to") or {}
        base = {
            "id": raw["event_id"],
            "room_id": raw.get("room_id", room_id),
            "sender": raw["sender"],
            "ts": datetime.fromtimestamp(raw.get("origin_server_ts", 0) / 1000, tz=UTC),
        }
        if etype == "m.room.message":
            if not content or rel.get("rel_type") == "m.replace":
                return Event(**base, kind=EventKind.other)  # redacted or an edit
            reply_to = (rel.get("m.in_reply_to") or {}).get("event_id")
            if rel.get("rel_type") == "m.thread":
                return Event(**base, kind=EventKind.thread, body=content.get("body"), thread_root=rel.get("event_id"), parent_id=reply_to or rel.get("event_id"))
            if reply_to:
                return Event(**base, kind=EventKind.reply, body=content.get("body"), parent_id=reply_to)
            return Event(**base, kind=EventKind.post, body=content.get("body"))
        if etype == "m.reaction" and rel.get("rel_type") == "m.annotation":
            return Event(**base, kind=EventKind.reaction, parent_id=rel.get("event_id"), key=rel.get("key"))
        if etype == "m.room.member":
            return Event(**base, kind=EventKind.membership, membership=content.get("membership"), target=raw.get("state_key"))
        return None

    def link(self, room_id: str, event_id: str | None = None) -> str:
        return matrix_link(self.client_url, self.server_name if self._user_id else None, room_id, event_id)

    @property
    def addressing(self) -> MatrixAddressing:
        return MatrixAddressing(self.client_url, self.server_name if self._user_id else None)

    def rate_limited(self) -> bool:
        return bool(self.http.stats.get("rate_limited"))

    def changed_since(self, token: str | None) -> tuple[set[str] | None, str | None]:
        from rse_cli.network.matrix.changes import changed_since  # /sync since a token (see changes.py)

        return changed_since(self.http, token, admin=self.is_admin)

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        # the server deduplicates a repeated transaction id on the same device (capabilities)
        return None

    def close(self) -> None:
        self.http.close()


# -- registration (entry point `rse.networks: matrix`) -----------------------------------------

from rse_cli.network.base import Capabilities, Membership, RateLimit, RateModel, Structure  # noqa: E402

# Synapse's default limits (MATRIX-NOTES): invitations count against rc_message, one bucket
SYNAPSE_DEFAULTS = RateModel(
    messages=RateLimit(per_second=0.2, burst=10),
    invitations_share_messages=True,
    room_creations=RateLimit(per_second=0.016, burst=10),
    dm_creates_room=True,
)

CAPABILITIES = Capabilities(
    structure=Structure.rooms,
    membership=Membership.invite,
    force_join=True,
    direct_messages=True,
    roles=frozenset({Role.animator, Role.moderator}),
    server_idempotency=True,
    threads=True,
    reactions=True,
    pictures=True,
    identifiers=("id", "email", "name"),
    changes_since=True,
    dated_memberships=True,
    login="password",
    rate_limits=SYNAPSE_DEFAULTS,
)


class _MatrixConnector:
    name = "matrix"
    description = "Matrix (Synapse): communities are Spaces, channels are their rooms"
    capabilities = CAPABILITIES
    settings_model = None

    def addressing(self, settings):
        from rse_cli.network.matrix.ids import MatrixAddressing

        return MatrixAddressing.from_settings(settings)

    def connect(self, settings, *, token=None, transport=None):
        return MatrixNetwork.from_settings(settings, token=token, transport=transport)


MatrixNetwork.capabilities = CAPABILITIES
connector = _MatrixConnector()
