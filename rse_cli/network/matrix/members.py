"""People in communities: memberships, invitations, admin force-join, roles as power levels.

In version-12 rooms (Synapse's default) the creators hold the highest power and are never
listed in `m.room.power_levels`, so rse never writes them there.
"""

from __future__ import annotations

from typing import Any

from rse_cli.domain import Community, Member, Role
from rse_cli.errors import ForbiddenError, UsageError
from rse_cli.network.matrix.client import ADMIN, C, MatrixClient, creators_of, q

__all__ = ["Members"]


class Members(MatrixClient):
    def _role(self, user_id: str, level: int, creators: set[str]) -> Role:
        if user_id in creators or level >= 100:
            return Role.owner
        if level >= self.moderator_level:
            return Role.moderator
        if level >= self.animator_level:
            return Role.animator
        return Role.member

    def list_members(self, community: Community) -> list[Member]:
        # one read of the whole state (members, power levels, creation) instead of three
        state = self.http.get(f"{C}/rooms/{q(community.id)}/state")
        levels: dict[str, Any] = {}
        creators: set[str] = set()
        chunk = []
        for ev in state:
            if ev.get("type") == "m.room.power_levels" and ev.get("state_key") == "":
                levels = ev.get("content", {}).get("users", {})
            elif ev.get("type") == "m.room.create" and ev.get("state_key") == "":
                creators = creators_of(ev)
            elif ev.get("type") == "m.room.member":
                chunk.append(ev)
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
            raise ForbiddenError(
                f"{self.user_id} is not a server admin: cannot add people directly", hint="use invitations (without --join)"
            )
        changed = False
        for room_id in [community.id, *(r.id for r in community.rooms)]:
            if self.membership(room_id, person) == "join":
                continue
            self.http.post(f"{ADMIN}/v1/join/{q(room_id)}", json={"user_id": person}, idempotent=True)
            changed = True
        return changed

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
