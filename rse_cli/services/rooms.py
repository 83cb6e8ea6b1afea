"""Where in a community to write, when the user may leave the room out: a room of the community
on a network with rooms, the community's own feed on a network where a community is one feed."""

from __future__ import annotations

from dataclasses import dataclass

from rse_cli.domain import Community
from rse_cli.errors import UsageError
from rse_cli.i18n import _
from rse_cli.network.base import Capabilities, Network, Structure

__all__ = ["WriteTarget", "check_room_option", "where_to_write"]


@dataclass(frozen=True)
class WriteTarget:
    room_id: str  # what Network.send takes: a room, or the community's feed
    label: str  # how a reader names it: "Ventes Ouest/Général", or "Ventes Ouest" for a feed


def check_room_option(capabilities: Capabilities, room: str | None, *, flag: str = "--room") -> None:
    """Refuse a room on a network whose communities are one feed (rather than ignore it silently)."""
    if room and capabilities.structure is Structure.feed:
        raise UsageError(
            _("{flag} {room}: on this network a community is one conversation feed, without rooms").format(flag=flag, room=room),
            hint=_("leave out {flag}: rse posts in the community's feed").format(flag=flag),
        )


def where_to_write(network: Network, community: Community, ref: str | None, *, how: str, flag: str = "--room") -> WriteTarget:
    """The room named `ref`, the community's only room when `ref` is empty, or the community's feed
    on a one-feed network. Refuses to guess between several rooms; `how` says how to name one,
    e.g. `ventes-ouest/ROOM` or `--room`; `flag` names the option a feed network refuses."""
    if network.capabilities.structure is Structure.feed:
        check_room_option(network.capabilities, ref, flag=flag)
        return WriteTarget(community.id, community.name)
    if ref:
        room = network.find_room(community, ref)
    elif len(community.rooms) == 1:
        room = community.rooms[0]
    else:
        if not community.rooms:
            raise UsageError(
                _("{community} has no room to post in yet").format(community=community.name),
                hint=_("add one with `rse community create` (--room), then {how}").format(how=how),
            )
        names = ", ".join(r.name for r in community.rooms)
        raise UsageError(
            _("{community} has several rooms: say which one to post in").format(community=community.name),
            hint=_("{how}; its rooms: {names}").format(how=how, names=names),
        )
    return WriteTarget(room.id, f"{community.name}/{room.name}")
