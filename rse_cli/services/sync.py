"""Incremental sync: pull what is new since each room's checkpoint into the store.

Rooms are read concurrently (up to `network.concurrency` at once, through the connector's one
HTTP chokepoint, which pauses everyone on a 429); each room's pages come in order and each is
stored with its checkpoint in one transaction, by this thread only. A sync killed at any point
resumes where the store says, and never stores an event twice.

Re-syncs pay for what changed: where the network can tell which rooms changed since a token
(`capabilities.changes_since`), only those rooms, rooms never read, and rooms a previous run
left unfinished are read, and only communities whose community room changed are listed again;
the others are taken from the store. Otherwise every room is read from its checkpoint.

Where the network offers a bulk channel for this account (`Network.bulk_events`: Viva Engage's
Data Export API for verified admins), every community's events come through it instead, from one
network-wide checkpoint (ev.BULK_KEY) stored with each page; communities and members are still
listed as above, and no room is paged.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from rse_cli.domain import Community, EventPage, Member
from rse_cli.errors import ForbiddenError, NotFoundError
from rse_cli.network.base import Network
from rse_cli.store import Store
from rse_cli.store import events as ev


class RoomSync(BaseModel):
    community: str
    room: str
    room_id: str
    new_events: int
    resumed: bool  # started from a checkpoint rather than from the beginning


@dataclass(frozen=True)
class _Room:
    order: tuple[int, int]  # (community, room) position, to report in a stable order
    community: str
    name: str
    room_id: str


@dataclass(frozen=True)
class _Plan:
    fresh: list[str]  # community refs to read from the network (with their members)
    probe: list[str]  # changed rooms unknown to the store: maybe a community joined since
    stored: list[ev.SyncedCommunity]  # unchanged communities, taken from the store
    listed: list[Community]  # communities already read in full (list_communities)
    asked: bool = False  # `fresh` are what the user named


def sync(
    network: Network,
    store: Store,
    refs: list[str] | None = None,
    *,
    progress: Callable[[str, int], None] | None = None,
    page_size: int = 1000,
) -> list[RoomSync]:
    """Sync the given communities (default: all the account belongs to); returns one line per room."""
    pending: set[str] | None = None  # None: read every room from its checkpoint
    if network.capabilities.changes_since:
        changed, token = network.changed_since(ev.change_token(store))
        ev.note_changes(store, changed, token)
        if changed is not None:
            pending = ev.pending_rooms(store)
    bulk = _bulk(network, store, progress)
    return _Run(network, store, progress, page_size, pending, bulk).run(_plan(network, store, refs, pending))


@dataclass(frozen=True)
class _Bulk:
    new: dict[str, int]  # new events per room
    resumed: bool


def _bulk(network: Network, store: Store, progress: Callable[[str, int], None] | None) -> _Bulk | None:
    """Read the network's bulk channel to its end, each page stored with the network-wide checkpoint
    in one transaction; None when the network or the account has none (rooms are paged)."""
    since = ev.checkpoint(store, ev.BULK_KEY)
    pages = network.bulk_events(since, store.clock())
    if pages is None:
        return None
    new: dict[str, int] = {}
    for page in pages:
        for room_id, n in ev.save_bulk_page(store, page.events, page.checkpoint).items():
            new[room_id] = new.get(room_id, 0) + n
        if progress:
            progress("export", len(page.events))
    return _Bulk(new=new, resumed=since is not None)


def _plan(network: Network, store: Store, refs: list[str] | None, pending: set[str] | None) -> _Plan:
    if refs:
        return _Plan(fresh=list(dict.fromkeys(refs)), probe=[], stored=[], listed=[], asked=True)
    if pending is None:
        return _Plan(fresh=[], probe=[], stored=[], listed=network.list_communities())
    stored = ev.communities(store)
    known = {room for c in stored for room in c.room_ids}
    # a community is listed again when its community room changed (members, roles, new rooms)
    fresh = [c.id for c in stored if c.id in pending]
    return _Plan(fresh=fresh, probe=sorted(pending - known), stored=[c for c in stored if c.id not in pending], listed=[])


class _Run:
    """One sync: worker threads read the network, this thread writes the store and reports."""

    def __init__(
        self,
        network: Network,
        store: Store,
        progress: Callable[[str, int], None] | None,
        page_size: int,
        pending: set[str] | None,
        bulk: _Bulk | None = None,
    ) -> None:
        self.network, self.store, self.progress, self.page_size, self.pending = network, store, progress, page_size, pending
        self.bulk = bulk  # the rooms' events came through the network's bulk channel: page none
        # bounded: readers wait for the store instead of piling pages up in memory
        self.inbox: queue.Queue[tuple[str, Any, Any]] = queue.Queue(maxsize=4 * max(1, network.concurrency))
        self.stop = threading.Event()
        self.results: dict[tuple[int, int], RoomSync] = {}
        self.tasks = 0
        self.communities: set[str] = set()
        self.positions = 0

    # -- worker side ------------------------------------------------------------------------
    def _post(self, item: tuple[str, Any, Any]) -> None:
        while not self.stop.is_set():
            try:
                self.inbox.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _read_community(self, ref: str, why: str) -> None:
        """`why`: "asked" (a user's reference: errors are theirs to see), "changed" (a stored
        community whose community room changed) or "probe" (a changed room the store does not know)."""
        try:
            community = self.network.get_community(ref)
            members = self.network.list_members(community)
            self._post(("community", community, members))
        except NotFoundError:
            if why == "asked":
                raise
            # a changed room that is not a community (a direct conversation, a room of a space
            # not synced): remembered, so it is never asked about again
            self._post(("gone", ref, why == "probe"))
        except ForbiddenError:
            if why == "asked":
                raise
            self._post(("gone", ref, False))  # left, or hidden since: asked again when it changes again

    def _listed_community(self, community: Community) -> None:
        self._post(("community", community, self.network.list_members(community)))

    def _read_room(self, room: _Room, since: str | None) -> None:
        for page in self.network.iter_events(room.room_id, since, page_size=self.page_size):
            if self.stop.is_set():
                return
            self._post(("page", room, page))

    def _guarded(self, fn: Callable[..., None], *args: Any) -> None:
        """Run one task in a worker: whatever it raises is handed to the writing thread, which
        stops the run and raises it; the end of every task is counted there."""
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the writing thread
            self._post(("error", exc, None))
        finally:
            self._post(("end", None, None))

    # -- writing side -----------------------------------------------------------------------
    def run(self, plan: _Plan) -> list[RoomSync]:
        workers = max(1, self.network.concurrency)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rse-sync") as pool:
            self.pool = pool
            try:
                for ref in plan.fresh:
                    self._submit(self._read_community, ref, "asked" if plan.asked else "changed")
                for room_id in plan.probe:
                    self._submit(self._read_community, room_id, "probe")
                for community in plan.listed:
                    self._submit(self._listed_community, community)
                for stored in plan.stored:
                    self.communities.add(stored.id)
                    self._schedule(stored.name, [(r, stored.room_names.get(r, r)) for r in stored.room_ids])
                while self.tasks:
                    kind, a, b = self.inbox.get()
                    if kind == "end":
                        self.tasks -= 1
                    elif kind == "page":
                        self._store_page(a, b)
                    elif kind == "community":
                        self._store_community(a, b)
                    elif kind == "gone":
                        ev.drop_pending(self.store, [a], not_community=b)
                    elif kind == "error":
                        raise a
            finally:
                self.stop.set()
                pool.shutdown(wait=True, cancel_futures=True)
        return [self.results[k] for k in sorted(self.results)]

    def _submit(self, fn: Callable[..., None], *args: Any) -> None:
        self.tasks += 1
        self.pool.submit(self._guarded, fn, *args)

    def _store_community(self, community: Community, members: list[Member]) -> None:
        if community.id in self.communities:
            return  # named twice (an alias and a name), or found again by a probe: read its rooms once
        self.communities.add(community.id)
        ev.save_community(self.store, community, members)
        self._schedule(community.name, [(community.id, community.name), *((r.id, r.name) for r in community.rooms)])

    def _schedule(self, community: str, rooms: list[tuple[str, str]]) -> None:
        self.positions += 1
        for i, (room_id, name) in enumerate(rooms):
            room = _Room((self.positions, i), community, name, room_id)
            if self.bulk is not None:
                self.results[room.order] = RoomSync(
                    community=community,
                    room=name,
                    room_id=room_id,
                    new_events=self.bulk.new.get(room_id, 0),
                    resumed=self.bulk.resumed,
                )
                ev.drop_pending(self.store, [room_id])  # read through the bulk channel
                continue
            since = ev.checkpoint(self.store, room_id)
            self.results[room.order] = RoomSync(
                community=community, room=name, room_id=room_id, new_events=0, resumed=since is not None
            )
            # unchanged since the last sync, which read it to its end: nothing to ask
            if self.pending is not None and since is not None and room_id not in self.pending:
                continue
            self._submit(self._read_room, room, since)

    def _store_page(self, room: _Room, page: EventPage) -> None:
        new = ev.save_page(self.store, room.room_id, page.events, page.checkpoint, settled=page.done)
        self.results[room.order].new_events += new
        if self.progress:
            self.progress(f"{room.community}/{room.name}", len(page.events))
