"""Creating and inspecting communities, and managing who is in them with which role."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from rse_cli.domain import Community, Member, Person, Role, Room
from rse_cli.errors import NotFoundError, RseError, UsageError
from rse_cli.i18n import _
from rse_cli.network.base import Network, Structure
from rse_cli.services.writes import journaled
from rse_cli.store import Store
from rse_cli.suggest import close_matches, did_you_mean

__all__ = [
    "CommunityCreated",
    "CommunityDetail",
    "MemberChange",
    "add_members",
    "create",
    "find_community",
    "find_room",
    "resolve_person",
    "show",
]


class CommunityDetail(BaseModel):
    community: Community
    members: list[Member]


class StaffChange(BaseModel):
    person: str
    display_name: str | None = None
    role: Role
    action: str  # invited | joined | role | unchanged


class CommunityCreated(BaseModel):
    """What `community create` did: the community as the network now shows it, and its staff."""

    community: Community
    staff: list[StaffChange] = []


class MemberChange(BaseModel):
    person: str
    display_name: str | None = None
    action: str  # invited | joined | role | unchanged | failed
    role: Role | None = None
    error: str | None = None
    exit_code: int = Field(0, exclude=True)


def find_community(network: Network, ref: str) -> Community:
    """The community `ref` names; when there is none, the error says which of the account's
    communities are close to what was typed (a typo in an alias is the usual cause)."""
    try:
        return network.get_community(ref)
    except NotFoundError:
        try:
            known = network.list_communities()
        except RseError:
            known = []
        # what the user could have typed: each alias in its short form, and each name; one per community
        forms: dict[str, str] = {}
        for c in known:
            for form in ([network.addressing.community_key(c.alias)] if c.alias else []) + [c.name]:
                forms.setdefault(form.casefold(), c.id)
        close, seen = [], set()
        for form in close_matches(network.addressing.community_key(ref), forms):
            if forms[form.casefold()] not in seen:
                seen.add(forms[form.casefold()])
                close.append(form)
        hint = did_you_mean(close[0], close) if close else None
        if hint is None:
            raise
        raise NotFoundError(_("no community “{ref}” among yours").format(ref=ref), hint=hint) from None


def find_room(network: Network, community: Community, ref: str) -> Room:
    """The room `ref` names in the community; when none, the closest room names."""
    try:
        return network.find_room(community, ref)
    except NotFoundError:
        names = [r.name for r in community.rooms]
        hint = did_you_mean(ref, names) or _("its rooms: {names}").format(names=", ".join(names) or _("none yet"))
        raise NotFoundError(_("{community} has no room “{ref}”").format(community=community.name, ref=ref), hint=hint) from None


def resolve_person(network: Network, ref: str, known: Callable[[], list[Member]]) -> Person:
    """The person `ref` names; when the network knows nobody by that name, the closest names
    among `known()` people (the community's members) are suggested."""
    try:
        return network.resolve_person(ref)
    except NotFoundError as exc:
        hint = did_you_mean(ref, [m.display_name for m in known() if m.display_name])
        if hint is None:
            raise
        raise NotFoundError(exc.message, hint=hint) from None


def create(
    network: Network,
    store: Store,
    name: str,
    *,
    alias: str | None,
    topic: str | None,
    rooms: list[str],
    animators: list[str],
    moderators: list[str],
) -> CommunityCreated:
    """Create the community, its rooms (where the network has rooms) and its roles. People are
    resolved first: nothing is created when an animator or moderator is unknown, or when the
    network cannot hold what was asked (rooms on a one-feed network, a role it lacks)."""
    caps = network.capabilities
    if rooms and caps.structure is Structure.feed:
        raise UsageError(
            _("--room: a community on {network} is one conversation feed, without rooms").format(network=network.name),
            hint=_("leave out --room"),
        )
    if moderators and Role.moderator not in caps.roles:
        raise UsageError(
            _("--moderator: {network} has no moderator role").format(network=network.name),
            hint=_("make them animators (--animator)"),
        )
    staff = [(network.resolve_person(p), Role.animator) for p in animators]
    staff += [(network.resolve_person(p), Role.moderator) for p in moderators]
    with journaled(store, "community.create", alias or name) as rec:
        community = network.create_community(name, alias=alias, topic=topic)
        rec["detail"] = community.id
    # a community that is one feed gets no room; elsewhere a community without rooms gets "Général"
    for room in (rooms or ["Général"]) if caps.structure is Structure.rooms else []:
        with journaled(store, "room.create", f"{community.name}/{room}") as rec:
            created = network.add_room(community, room)
            rec["detail"] = created.id
        community.rooms.append(created)
    changes = []
    for person, role in staff:
        change = _add(network, store, community, person.id, role, join=False)
        changes.append(StaffChange(person=person.id, display_name=person.display_name, role=role, action=change.action))
    return CommunityCreated(community=network.get_community(community.id), staff=changes)


def show(network: Network, ref: str) -> CommunityDetail:
    community = find_community(network, ref)
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


def add_members(
    network: Network, store: Store, ref: str, people: list[str], *, role: Role = Role.member, join: bool = False
) -> list[MemberChange]:
    """Invite (or, as an admin with join=True, add) people; one failure does not stop the others.
    A name the network does not know is answered with the closest names among the members."""
    community = find_community(network, ref)
    members: list[Member] = []

    def members_of() -> list[Member]:  # asked for only when a name is unknown
        if not members:
            members.extend(network.list_members(community))
        return members

    results = []
    for ref_person in people:
        try:
            person = resolve_person(network, ref_person, members_of)
            change = _add(network, store, community, person.id, role, join=join)
            change.display_name = person.display_name
        except RseError as exc:
            error = exc.message if not exc.hint else _("{message} ({hint})").format(message=exc.message, hint=exc.hint)
            change = MemberChange(person=ref_person, action="failed", error=error, exit_code=int(exc.exit_code))
        results.append(change)
    return results
