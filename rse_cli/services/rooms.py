"""Which room of a community to write in, when the user may leave it out."""

from __future__ import annotations

from rse_cli.domain import Community, Room
from rse_cli.errors import UsageError
from rse_cli.network.base import Network

__all__ = ["room_to_write_in"]


def room_to_write_in(network: Network, community: Community, ref: str | None, *, how: str) -> Room:
    """The room named `ref`, or the community's only room when `ref` is empty (a feed network's
    community is one room). Refuses to guess between several; `how` says how to name one,
    e.g. `ventes-ouest/ROOM` or `--room`."""
    if ref:
        return network.find_room(community, ref)
    if len(community.rooms) == 1:
        return community.rooms[0]
    names = ", ".join(r.name for r in community.rooms) or "none yet"
    raise UsageError(f"say which room of {community.name}: {how}", hint=f"its rooms: {names}")
