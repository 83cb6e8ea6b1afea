"""Reading and writing synced network state. Audits, funnels and briefs read only from here,
so they work offline and cost nothing on the server."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rse_cli.domain import Community, Event, EventKind, Member
from rse_cli.store import Store

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing


@dataclass(frozen=True)
class SyncedCommunity:
    id: str
    name: str
    alias: str | None
    room_ids: tuple[str, ...]  # the space first, then its rooms
    room_names: dict[str, str]
    synced_at: datetime


def _ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def save_community(store: Store, community: Community, members: list[Member]) -> None:
    """Replace what is known of a community (rooms and member snapshot) in one transaction."""
    with store.tx() as db:
        db.execute(
            "INSERT INTO communities (id, name, alias, synced_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, alias = excluded.alias, synced_at = excluded.synced_at",
            (community.id, community.name, community.alias, store.now()),
        )
        db.execute("DELETE FROM rooms WHERE community_id = ?", (community.id,))
        db.executemany(
            "INSERT INTO rooms (id, community_id, name, is_main) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET community_id = excluded.community_id, name = excluded.name, is_main = excluded.is_main",
            [(community.id, community.id, community.name, 1), *((r.id, community.id, r.name, 0) for r in community.rooms)],
        )
        db.execute("DELETE FROM members WHERE community_id = ?", (community.id,))
        db.executemany(
            "INSERT INTO members (community_id, user_id, display_name, membership, role, level) VALUES (?, ?, ?, ?, ?, ?)",
            [(community.id, m.id, m.display_name, m.membership, m.role.value, m.power) for m in members],
        )


def checkpoint(store: Store, room_id: str) -> str | None:
    rows = store.query("SELECT token FROM checkpoints WHERE room_id = ?", (room_id,))
    return rows[0][0] if rows else None


INSERT_EVENT = (
    "INSERT INTO events (id, room_id, sender, ts, kind, body, parent_id, thread_root, reaction_key, membership, target) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
)


def _event_row(e: Event) -> tuple[object, ...]:
    return (e.id, e.room_id, e.sender, _ms(e.ts), e.kind.value, e.body, e.parent_id, e.thread_root, e.key, e.membership, e.target)


def _move_checkpoint(db: Any, key: str, token: str | None, new_events: int, now: str) -> None:
    """A room's (or the bulk read's) checkpoint, inside the caller's transaction with the page it follows."""
    db.execute(
        "INSERT INTO checkpoints (room_id, token, events, synced_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (room_id) DO UPDATE SET token = excluded.token, events = checkpoints.events + excluded.events, "
        "synced_at = excluded.synced_at",
        (key, token, new_events, now),
    )


def save_page(store: Store, room_id: str, events: list[Event], token: str | None, *, settled: bool = False) -> int:
    """Store one page and move the room's checkpoint in the same transaction: a sync killed
    between two pages resumes after the last stored page, and never stores an event twice.
    `settled`: this was the room's last page, so it no longer waits for a read (sync_pending)."""
    with store.tx() as db:
        if settled:
            db.execute("DELETE FROM sync_pending WHERE room_id = ?", (room_id,))
        else:  # a read stopped after this page must go on at the next sync, whatever the network says
            db.execute(
                "INSERT INTO sync_pending (room_id, since) VALUES (?, ?) ON CONFLICT (room_id) DO NOTHING", (room_id, store.now())
            )
        before = db.execute("SELECT COUNT(*) FROM events WHERE room_id = ?", (room_id,)).fetchone()[0] if events else 0
        db.executemany(INSERT_EVENT, [_event_row(e) for e in events])
        after = db.execute("SELECT COUNT(*) FROM events WHERE room_id = ?", (room_id,)).fetchone()[0] if events else 0
        _move_checkpoint(db, room_id, token, after - before, store.now())
        return after - before


BULK_KEY = "bulk:"  # the checkpoint of a network-wide bulk read (Network.bulk_events), not a room


def save_bulk_page(store: Store, events: list[Event], token: str | None) -> dict[str, int]:
    """Store one page of a network-wide bulk read (events of many rooms) and move its checkpoint
    (under BULK_KEY) in the same transaction: a killed sync resumes after the last stored page and
    never stores an event twice. Returns the new events per room."""
    new: dict[str, int] = {}
    with store.tx() as db:
        for e in events:
            cur = db.execute(INSERT_EVENT, _event_row(e))
            if cur.rowcount > 0:
                new[e.room_id] = new.get(e.room_id, 0) + 1
        _move_checkpoint(db, BULK_KEY, token, sum(new.values()), store.now())
    return new


# -- what changed since the last sync (the connector's token, rooms still to read) ------------

CHANGE_TOKEN = "change_token"


def change_token(store: Store) -> str | None:
    """The token the network gave at the last sync, to ask it what changed since."""
    rows = store.query("SELECT value FROM sync_state WHERE key = ?", (CHANGE_TOKEN,))
    return rows[0][0] if rows else None


def note_changes(store: Store, changed: set[str] | None, token: str | None) -> None:
    """Record the rooms the network reported as changed (None: any room may have changed) as
    waiting for a read, and the token to ask from next time, in one transaction. Each room
    leaves the list only when a read of it reaches its end (save_page settled=True), so a sync
    killed at any point, or limited to some communities, never loses a change."""
    with store.tx() as db:
        if changed is None:
            rooms = [r[0] for r in db.execute("SELECT id FROM rooms").fetchall()]
        else:
            ignored = {r[0] for r in db.execute("SELECT room_id FROM sync_not_community").fetchall()}
            known = {r[0] for r in db.execute("SELECT id FROM rooms").fetchall()}
            rooms = sorted(r for r in changed if r in known or r not in ignored)
        now = store.now()
        db.executemany(
            "INSERT INTO sync_pending (room_id, since) VALUES (?, ?) ON CONFLICT (room_id) DO NOTHING", [(r, now) for r in rooms]
        )
        db.execute(
            "INSERT INTO sync_state (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (CHANGE_TOKEN, token, now),
        )


def pending_rooms(store: Store) -> set[str]:
    """Rooms reported as changed and not read to their end since."""
    return {r[0] for r in store.query("SELECT room_id FROM sync_pending")}


def drop_pending(store: Store, room_ids: Iterable[str], *, not_community: bool = False) -> None:
    """Stop waiting for these rooms (no longer readable); `not_community`: remember that they are
    plain rooms outside any synced community (a room never becomes a community later)."""
    ids = sorted(set(room_ids))
    if not ids:
        return
    with store.tx() as db:
        db.executemany("DELETE FROM sync_pending WHERE room_id = ?", [(r,) for r in ids])
        if not_community:
            db.executemany(
                "INSERT INTO sync_not_community (room_id) VALUES (?) ON CONFLICT (room_id) DO NOTHING", [(r,) for r in ids]
            )


def synced_rooms(store: Store) -> set[str]:
    """Rooms read at least once (they have a checkpoint)."""
    return {r[0] for r in store.query("SELECT room_id FROM checkpoints")}


def communities(store: Store, refs: Iterable[str] = (), *, addressing: Addressing | None = None) -> list[SyncedCommunity]:
    """Synced communities, all or those matching what a user typed (id, alias in any form the
    network accepts, name): the network's `addressing` reduces both sides to comparable keys."""
    refs = list(refs)
    if refs and addressing is None:
        raise ValueError("matching what a user typed needs the network's addressing")
    wanted = {addressing.community_key(r) for r in refs} if addressing is not None else set()
    out = []
    for row in store.query("SELECT id, name, alias, synced_at FROM communities ORDER BY name"):
        if wanted and addressing is not None and not addressing.community_keys(row["id"], row["name"], row["alias"]) & wanted:
            continue
        rooms = store.query("SELECT id, name FROM rooms WHERE community_id = ? ORDER BY is_main DESC, name", (row["id"],))
        out.append(
            SyncedCommunity(
                id=row["id"],
                name=row["name"],
                alias=row["alias"],
                room_ids=tuple(r["id"] for r in rooms),
                room_names={r["id"]: r["name"] for r in rooms},
                synced_at=datetime.fromisoformat(row["synced_at"]),
            )
        )
    return out


def members(store: Store, community_id: str) -> list[Member]:
    from rse_cli.roles import Role

    return [
        Member(
            id=r["user_id"], display_name=r["display_name"], membership=r["membership"], role=Role(r["role"]), power=r["level"]
        )
        for r in store.query("SELECT * FROM members WHERE community_id = ? ORDER BY user_id", (community_id,))
    ]


def iter_events(
    store: Store,
    room_ids: Iterable[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: Iterable[EventKind] = (),
) -> Iterator[Event]:
    """Stored events of these rooms, oldest first."""
    room_ids = list(room_ids)
    if not room_ids:
        return
    sql = f"SELECT * FROM events WHERE room_id IN ({', '.join('?' * len(room_ids))})"
    params: list[str | int] = list(room_ids)
    if since is not None:
        sql += " AND ts >= ?"
        params.append(_ms(since))
    if until is not None:
        sql += " AND ts < ?"
        params.append(_ms(until))
    kind_values = [k.value for k in kinds]
    if kind_values:
        sql += f" AND kind IN ({', '.join('?' * len(kind_values))})"
        params.extend(kind_values)
    sql += " ORDER BY ts, id"
    for r in store.query(sql, tuple(params)):
        yield Event(
            id=r["id"],
            room_id=r["room_id"],
            sender=r["sender"],
            ts=datetime.fromtimestamp(r["ts"] / 1000, tz=UTC),
            kind=EventKind(r["kind"]),
            body=r["body"],
            parent_id=r["parent_id"],
            thread_root=r["thread_root"],
            key=r["reaction_key"],
            membership=r["membership"],
            target=r["target"],
        )
