"""Incremental sync: pull what is new since each room's checkpoint into the store."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from rse_cli.network.base import Network
from rse_cli.store import Store
from rse_cli.store import events as ev


class RoomSync(BaseModel):
    community: str
    room: str
    room_id: str
    new_events: int
    resumed: bool  # started from a checkpoint rather than from the beginning


def sync(network: Network, store: Store, refs: list[str] | None = None, *,
         progress: Callable[[str, int], None] | None = None, page_size: int = 1000) -> list[RoomSync]:
    """Sync the given communities (default: all the account belongs to), room by room."""
    targets = [network.get_community(r) for r in refs] if refs else network.list_communities()
    results = []
    for community in targets:
        ev.save_community(store, community, network.list_members(community))
        for room_id, room_name in [(community.id, community.name), *((r.id, r.name) for r in community.rooms)]:
            since = ev.checkpoint(store, room_id)
            new = 0
            for page in network.iter_events(room_id, since, page_size=page_size):
                new += ev.save_page(store, room_id, page.events, page.checkpoint)
                if progress:
                    progress(f"{community.name}/{room_name}", len(page.events))
            results.append(RoomSync(community=community.name, room=room_name, room_id=room_id, new_events=new,
                                    resumed=since is not None))
    return results
