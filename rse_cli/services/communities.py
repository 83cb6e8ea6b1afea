"""Creating and inspecting communities, and managing who is in them with which role."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rse_cli.domain import Community, Member, Role
from rse_cli.errors import RseError, UsageError
from rse_cli.network.base import Network, Structure
from rse_cli.services.writes import journaled
from rse_cli.store import Store


class CommunityDetail(BaseModel):
    community: Community
    members: list[Member]


class MemberChange(BaseModel):
    person: str
    display_name: str | None = None
    action: str  # invited | joined | role | unchanged | failed
    role: Role | None = None
    error: str | None = None
    exit_code: int = Field(0, exclude=True)


def create(network: Network, store: Store, name: str, *, alias: str | None, topic: str | None,
           rooms: list[str], animators: list[str], moderators: list[str]) -> Community:
    """Create the community, its rooms (where the network has rooms) and its roles. People are
    resolved first: nothing is created when an animator or moderator is unknown, or when the
    network cannot hold what was asked (rooms on a one-feed network, a role it lacks)."""
    caps = network.capabilities
    if rooms and caps.structure is Structure.feed:
        raise UsageError(f"--room: a community on {network.name} is one conversation feed, without rooms",
                         hint="leave out --room")
    if moderators and Role.moderator not in caps.roles:
        raise UsageError(f"--moderator: {network.name} has no moderator role", hint="make them animators (--animator)")
    staff = [(network.resolve_person(p).id, Role.animator) for p in animators]
    staff += [(network.resolve_person(p).id, Role.moderator) for p in moderators]
    with journaled(store, "community.create", alias or name) as rec:
        community = network.create_community(name, alias=alias, topic=topic)
        rec["detail"] = community.id
    for room in (rooms or ["Général"]) if caps.structure is Structure.rooms else []:
        with journaled(store, "room.create", f"{community.name}/{room}") as rec:
            created = network.add_room(community, room)
            rec["detail"] = created.id
        community.rooms.append(created)
    for person, role in staff:
        _add(network, store, community, person, role, join=False)
    return network.get_community(community.id)


def show(network: Network, ref: str) -> CommunityDetail:
    community = network.get_community(ref)
    return CommunityDetail(community=community, members=network.list_members(community))


def _add(network: Network, store: Store, community: Community, person: str, role: Role, *, join: bool) -> MemberChange:
    action = "unchanged"
    with journaled(store, "member.join" if join else "member.invite", f"{community.name}:{person}") as rec:
        done = network.force_join(community, person) if join else network.invite(community, person)
        if done:
            action = "joined" if join else "invited"
        else:
            rec["outcome"] = "unchanged"
    if role is not Role.member:
        with journaled(store, "member.role", f"{community.name}:{person}") as rec:
            rec["detail"] = role.value
            if network.set_role(community, person, role):
                action = action if action != "unchanged" else "role"
            else:
                rec["outcome"] = "unchanged"
    return MemberChange(person=person, action=action, role=role)


def add_members(network: Network, store: Store, ref: str, people: list[str], *, role: Role = Role.member,
                join: bool = False) -> list[MemberChange]:
    """Invite (or, as an admin with join=True, add) people; one failure does not stop the others."""
    community = network.get_community(ref)
    results = []
    for ref_person in people:
        try:
            person = network.resolve_person(ref_person)
            change = _add(network, store, community, person.id, role, join=join)
            change.display_name = person.display_name
        except RseError as exc:
            change = MemberChange(person=ref_person, action="failed", error=exc.message, exit_code=int(exc.exit_code))
        results.append(change)
    return results
