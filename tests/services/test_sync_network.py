"""rse sync at network scale: rooms read concurrently; re-syncs pay for what changed only."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx

from rse_cli.config import Settings
from rse_cli.network.matrix import MatrixNetwork
from rse_cli.services.sync import sync
from rse_cli.store import Store
from rse_cli.store import events as ev
from tests.conftest import unique


class Counting(httpx.HTTPTransport):
    """Counts the requests that reach the server, and the most ever in flight at once."""

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay = delay
        self.lock = threading.Lock()
        self.paths: Counter[str] = Counter()
        self.in_flight = self.most_in_flight = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.paths[request.url.path] += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)  # a little latency, so that overlapping requests really overlap
            return super().handle_request(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def count(self) -> int:
        return sum(self.paths.values())

    def reset(self) -> None:
        self.paths.clear()


def _network(homeserver, transport: Counting, concurrency: int = 4) -> MatrixNetwork:
    settings = Settings(homeserver=homeserver.url, user=homeserver.admin, concurrency=concurrency)
    return MatrixNetwork.from_settings(settings, token=homeserver.admin_token, transport=transport)


def _community(rse, rooms: int) -> str:
    alias = unique("net")
    rse("community", "create", f"Réseau {alias}", "--alias", alias, *(a for i in range(rooms) for a in ("--room", f"Salon {i}")))
    return alias


def test_resync_with_nothing_new_costs_the_same_whatever_the_number_of_rooms(rse, homeserver):
    store = Store(str(rse.home / "data" / "rse.db"))
    transport = Counting()
    net = _network(homeserver, transport)
    _community(rse, 2)
    sync(net, store)  # everything the admin belongs to
    sync(net, store)  # learns which changed rooms are not communities (asked once, remembered)
    transport.reset()
    sync(net, store)
    small = transport.count()

    big, mid = _community(rse, 9), _community(rse, 6)
    sync(net, store)  # finds the two new communities through the change feed
    assert sorted(len(c.room_ids) for c in ev.communities(store, [big, mid])) == [7, 10]
    sync(net, store)
    transport.reset()
    again = sync(net, store)
    assert transport.count() == small, transport.paths  # 15 more rooms, not one more request
    assert small <= 4
    assert all(r.new_events == 0 for r in again)

    # a message in one room: that room is read, and only it
    room_id = next(r.room_id for r in again if r.room == "Salon 3")
    community = next(r.community for r in again if r.room_id == room_id)
    alias = next(c.alias for c in ev.communities(store) if c.name == community)
    rse("post", f"{alias}/Salon 3", "--text", "du nouveau")
    transport.reset()
    after = sync(net, store)
    reads = [p for p in transport.paths if p.endswith("/messages")]
    assert [r.new_events for r in after if r.room_id == room_id] == [1]
    assert len(reads) == 1 and room_id in reads[0].replace("%21", "!")


def test_a_sync_of_one_community_leaves_the_changes_of_the_others_for_later(rse, homeserver):
    store = Store(str(rse.home / "data" / "rse.db"))
    net = _network(homeserver, Counting())
    a, b = _community(rse, 1), _community(rse, 1)
    sync(net, store, [a])
    sync(net, store, [b])
    rse("post", f"{a}/Salon 0", "--text", "pour A")
    rse("post", f"{b}/Salon 0", "--text", "pour B")
    sync(net, store, [a])  # the change token moves on: B's change must not be forgotten
    sync(net, store, [a])
    got = {r.room: r.new_events for r in sync(net, store, [b])}
    assert got["Salon 0"] == 1
    [community] = ev.communities(store, [b])
    assert [e.body for e in ev.iter_events(store, community.room_ids) if e.body] == ["pour B"]


def test_rooms_are_read_concurrently_within_the_configured_bound(rse, homeserver):
    store = Store(str(rse.home / "data" / "rse.db"))
    transport = Counting(delay=0.05)
    net = _network(homeserver, transport, concurrency=3)
    alias = _community(rse, 8)
    for i in range(8):
        rse("post", f"{alias}/Salon {i}", "--text", f"salon {i}")
    seen: list[tuple[str, int]] = []
    results = sync(net, store, [alias], progress=lambda where, n: seen.append((where, n)))
    assert 2 <= transport.most_in_flight <= 3
    assert {r.room: r.new_events >= 1 for r in results if r.room.startswith("Salon")} == {f"Salon {i}": True for i in range(8)}
    assert sum(n for _, n in seen) >= 8  # progress reported every page
    [community] = ev.communities(store, [alias])
    bodies = sorted(e.body for e in ev.iter_events(store, community.room_ids) if e.body)
    assert bodies == sorted(f"salon {i}" for i in range(8))


def test_a_sync_cut_after_asking_what_changed_reads_those_rooms_next_time(rse, homeserver):
    """The change token moves on before the rooms are read: what it reported must not be lost."""
    import pytest

    from rse_cli.errors import NetworkError

    store = Store(str(rse.home / "data" / "rse.db"))
    net = _network(homeserver, Counting())
    alias = _community(rse, 2)
    sync(net, store, [alias])
    rse("post", f"{alias}/Salon 1", "--text", "coupé")

    def cut(room_id, since=None, *, page_size=1000):
        raise NetworkError("connection reset")

    net.iter_events = cut  # type: ignore[method-assign]
    with pytest.raises(NetworkError):
        sync(net, store, [alias])
    del net.iter_events
    got = {r.room: r.new_events for r in sync(net, store, [alias])}
    assert got == {f"Réseau {alias}": 0, "Salon 0": 0, "Salon 1": 1}
    [community] = ev.communities(store, [alias])
    assert [e.body for e in ev.iter_events(store, community.room_ids) if e.body] == ["coupé"]


def test_a_token_the_server_refuses_means_reading_every_room_from_its_checkpoint(rse, homeserver):
    store = Store(str(rse.home / "data" / "rse.db"))
    transport = Counting()
    net = _network(homeserver, transport)
    alias = _community(rse, 1)
    sync(net, store, [alias])
    ev.note_changes(store, set(), "not-a-token")  # a store restored from elsewhere, a server reset
    rse("post", f"{alias}/Salon 0", "--text", "toujours là")
    transport.reset()
    got = {r.room: r.new_events for r in sync(net, store, [alias])}
    assert got["Salon 0"] == 1
    assert sum(n for p, n in transport.paths.items() if p.endswith("/messages")) >= 2  # both rooms read
    assert ev.change_token(store) not in (None, "not-a-token")
