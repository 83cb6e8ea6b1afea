"""The store's change tracking for `rse sync`, on SQLite and PostgreSQL: the network's token and
the rooms still to read move together, and a room leaves the list only when read to its end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rse_cli.domain import Community, Event, EventKind, Room
from rse_cli.store import Store
from rse_cli.store import events as ev
from tests.postgres import pg_url  # noqa: F401  (fixture)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path) -> Store:
    if request.param == "sqlite":
        return Store(str(tmp_path / "rse.db"))
    return Store(request.getfixturevalue("pg_url"))


def _event(n: int) -> Event:
    return Event(
        id=f"$e{n}", room_id="!gen", sender="@a:x", ts=datetime(2026, 11, 20, tzinfo=UTC), kind=EventKind.post, body=f"m{n}"
    )


def test_changes_are_kept_until_each_room_is_read_to_its_end(store):
    ev.save_community(store, Community(id="!space", name="Ventes", rooms=[Room(id="!gen", name="Général")]), [])
    assert ev.change_token(store) is None
    ev.note_changes(store, None, "t1")  # cannot tell: every known room waits for a read
    assert ev.change_token(store) == "t1" and ev.pending_rooms(store) == {"!space", "!gen"}
    ev.save_page(store, "!space", [], "s1", settled=True)
    ev.save_page(store, "!gen", [_event(1)], "g1")  # not the last page: still waiting
    assert ev.pending_rooms(store) == {"!gen"}
    ev.note_changes(store, {"!gen", "!dm"}, "t2")
    assert ev.change_token(store) == "t2" and ev.pending_rooms(store) == {"!gen", "!dm"}
    assert ev.save_page(store, "!gen", [_event(1), _event(2)], "g2", settled=True) == 1
    assert ev.pending_rooms(store) == {"!dm"} and ev.checkpoint(store, "!gen") == "g2"


def test_rooms_known_not_to_be_communities_are_not_asked_about_again(store):
    ev.note_changes(store, {"!dm", "!other"}, "t1")
    ev.drop_pending(store, ["!dm"], not_community=True)
    ev.drop_pending(store, ["!other"])  # hidden for now: may be asked about when it changes again
    assert ev.pending_rooms(store) == set()
    ev.note_changes(store, {"!dm", "!other"}, "t2")
    assert ev.pending_rooms(store) == {"!other"}
