"""Communities on Matrix: a Space and its child rooms, linked both ways (`m.space.child` in the
space, `m.space.parent` in the room) and joinable by the space's members (restricted join rule)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rse_cli.domain import Community, Picture, Room
from rse_cli.errors import (
    AmbiguousError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServerError,
)
from rse_cli.names import slug
from rse_cli.network.matrix.client import ADMIN, C1, CREATION, MEDIA, C, MatrixClient, q

__all__ = ["Communities", "PICTURE_HASH"]

# a key of rse's own in m.room.avatar (clients ignore unknown keys): the SHA-256 of the file the
# picture was uploaded from, so a re-run knows the picture is already set without the store
PICTURE_HASH = "org.rse.sha256"


class Communities(MatrixClient):
    def list_communities(self) -> list[Community]:
        joined = self.http.get(f"{C}/joined_rooms")["joined_rooms"]
        if self.is_admin:
            spaces = self._joined_spaces_from_admin_list(set(joined))
        else:  # one m.room.create read per joined room
            creates = self._parallel(lambda r: (r, self._state(r, "m.room.create") or {}), joined)
            spaces = [r for r, create in creates if create.get("type") == "m.space"]
        return sorted(self._parallel(self._community, spaces), key=lambda c: c.name.casefold())

    def _joined_spaces_from_admin_list(self, joined: set[str]) -> list[str]:
        """The joined rooms that are Spaces, from Synapse's admin room list (500 rooms a request)
        instead of one state read per joined room: a company's network has hundreds of rooms."""
        spaces: list[str] = []
        start = 0
        while True:
            page = self.http.get(f"{ADMIN}/v1/rooms", params={"from": start, "limit": 500})
            rooms = page.get("rooms", [])
            spaces += [r["room_id"] for r in rooms if r.get("room_type") == "m.space" and r["room_id"] in joined]
            if page.get("next_batch") is None or not rooms:
                return spaces
            start = page["next_batch"]

    def _community(self, space_id: str) -> Community:
        try:
            tree = self.http.get(f"{C1}/rooms/{q(space_id)}/hierarchy", params={"max_depth": 1, "limit": 200})
        except ForbiddenError:
            raise ForbiddenError(
                f"the community {space_id} is not visible to {self.user_id}", hint="ask an animator to invite this account"
            ) from None
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
                    raise NotFoundError(
                        f"no community has the alias {self._alias(ref)}", hint="see `rse community list`"
                    ) from None
        matches = [c for c in self.list_communities() if c.name.casefold() == ref.casefold() or slug(c.name) == slug(ref)]
        if not matches:
            raise NotFoundError(
                f"no community named {ref!r} among those {self.user_id} belongs to", hint="see `rse community list`"
            )
        if len(matches) > 1:
            raise AmbiguousError(
                f"{len(matches)} communities match {ref!r}: " + ", ".join(f"{c.name} ({c.id})" for c in matches),
                hint="use the alias or id",
            )
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
        def find(nonce: str) -> str | None:
            # the answer was lost: the alias, set in the same request, says whether the room exists
            if not alias:
                return self._created_with(nonce)
            try:
                room_id = str(self.http.get(f"{C}/directory/room/{q(self._alias(alias))}")["room_id"])
            except NotFoundError:
                return None
            mark = ((self._create_event(room_id) or {}).get("content") or {}).get(CREATION) or {}
            return room_id if mark.get("nonce") == nonce else None

        try:
            return self._create_room_once(body, find=find)
        except ServerError as exc:
            if exc.errcode == "M_ROOM_IN_USE":
                raise ConflictError(
                    f"the alias {self._alias(alias or '')} is already taken",
                    hint="pick another alias, or use the existing community",
                ) from None
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
        # what the hierarchy would answer for a Space just made: no round trip to read it back
        return Community(
            id=space_id,
            name=name,
            alias=self._alias(alias) if alias else None,
            topic=topic or None,
            link=self.link(space_id),
            rooms=[],
            member_count=1,
        )

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
            content["url"] = self.http.post(
                f"{MEDIA}/upload",
                params={"filename": Path(picture.source).name},
                body=picture.data,
                content_type=picture.mimetype,
            )["content_uri"]
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
        room_id = str(self.http.get(f"{C}/directory/room/{q(self._alias(alias))}")["room_id"])
        if (self._state(room_id, "m.space.parent", community.id) or {}).get("canonical") is not True:
            raise taken
        return room_id

    def find_room(self, community: Community, ref: str) -> Room:
        tests: list[Callable[[Room], bool]] = [
            lambda r: r.id == ref or (r.alias or "") == ref,
            lambda r: r.name.casefold() == ref.casefold(),
            lambda r: slug(r.name) == slug(ref),
        ]
        for test in tests:
            hits = [r for r in community.rooms if test(r)]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise AmbiguousError(f"{len(hits)} rooms of {community.name} match {ref!r}", hint="use the room id")
        names = ", ".join(r.name for r in community.rooms) or "none"
        raise NotFoundError(f"{community.name} has no room {ref!r}", hint=f"its rooms: {names}")
