"""rse sync: incremental, resumable, no duplicates."""

from __future__ import annotations

from rse_cli.network.matrix.ids import MatrixAddressing
from rse_cli.store import Store
from rse_cli.store import events as ev
from tests.conftest import unique


def test_sync_is_incremental_and_fills_the_store(rse, homeserver):
    alias = unique("sync")
    rse("community", "create", "Sync", "--alias", alias, "--room", "Général", "--animator", homeserver.users["alice"])
    for i in range(5):
        rse("post", f"{alias}/Général", "--text", f"message {i}")
    first = rse.json("sync", alias)
    by_room = {r["room"]: r for r in first}
    assert by_room["Général"]["new_events"] >= 5 and by_room["Général"]["resumed"] is False

    again = rse.json("sync", alias)
    assert all(r["new_events"] == 0 and r["resumed"] for r in again)

    rse("post", f"{alias}/Général", "--text", "encore un")
    third = {r["room"]: r for r in rse.json("sync", alias)}
    assert third["Général"]["new_events"] == 1

    store = Store(str(rse.home / "data" / "rse.db"))
    [community] = ev.communities(store, [alias], addressing=MatrixAddressing())
    bodies = [e.body for e in ev.iter_events(store, community.room_ids) if e.body]
    assert bodies == [f"message {i}" for i in range(5)] + ["encore un"]
    roles = {m.id: m.role.value for m in ev.members(store, community.id)}
    assert roles[homeserver.users["alice"]] == "animator" and roles[homeserver.admin] == "owner"


def test_sync_killed_midway_loses_and_duplicates_nothing(rse, homeserver):
    """A crash after some pages: the next sync resumes from the last stored page."""
    from rse_cli.config import Settings
    from rse_cli.network.matrix import MatrixNetwork
    from rse_cli.services.sync import sync

    alias = unique("crash")
    rse("community", "create", "Crash", "--alias", alias, "--room", "Général")
    for i in range(12):
        rse("post", f"{alias}/Général", "--text", f"m{i}")
    net = MatrixNetwork.from_settings(Settings(homeserver=homeserver.url, user=homeserver.admin), token=homeserver.admin_token)
    store = Store(str(rse.home / "data" / "rse.db"))

    class Killed(Exception):
        pass

    pages = 0

    def die_after_two_pages(where, n):
        nonlocal pages
        pages += 1
        if pages == 2 and "Général" in where:
            raise Killed

    try:
        sync(net, store, [alias], progress=die_after_two_pages, page_size=4)
    except Killed:
        pass
    sync(net, store, [alias], page_size=4)
    [community] = ev.communities(store, [alias], addressing=MatrixAddressing())
    stored = list(ev.iter_events(store, community.room_ids))
    assert len({e.id for e in stored}) == len(stored)
    assert [e.body for e in stored if e.body] == [f"m{i}" for i in range(12)]
