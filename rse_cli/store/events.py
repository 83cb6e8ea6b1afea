"""Reading and writing synced network state. Audits, funnels and briefs read only from here,
so they work offline and cost nothing on the server."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import UTC, datetime

from rse_cli.domain import Community, Event, EventKind, Member
from rse_cli.store import Store, _now

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing


class _Transitional:
    """The keys callers got before they passed the network's Addressing (a sigil and a `:server`
    dropped). Remove once every caller passes `addressing=`."""

    def community_key(self, ref: str) -> str:
        return ref.strip().lstrip("#").split(":")[0].casefold()

    def community_keys(self, community_id: str, name: str, alias: str | None) -> set[str]:
        return {community_id.casefold(), name.casefold(), self.community_key(alias or "")} - {""}


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
            (community.id, community.name, community.alias, _now()),
        )
        db.execute("DELETE FROM rooms WHERE community_id = ?", (community.id,))
        db.executemany(
            "INSERT INTO rooms (id, community_id, name, is_space) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET community_id = excluded.community_id, name = excluded.name, is_space = excluded.is_space",
            [(community.id, community.id, community.name, 1), *((r.id, community.id, r.name, 0) for r in community.rooms)],
        )
        db.execute("DELETE FROM members WHERE community_id = ?", (community.id,))
        db.executemany(
            "INSERT INTO members (community_id, user_id, display_name, membership, role, power) VALUES (?, ?, ?, ?, ?, ?)",
            [(community.id, m.id, m.display_name, m.membership, m.role.value, m.power) for m in members],
        )


def checkpoint(store: Store, room_id: str) -> str | None:
    rows = store.query("SELECT token FROM checkpoints WHERE room_id = ?", (room_id,))
    return rows[0][0] if rows else None


def save_page(store: Store, room_id: str, events: list[Event], token: str | None) -> int:
    """Store one page and move the room's checkpoint in the same transaction: a sync killed
    between two pages resumes after the last stored page, and never stores an event twice."""
    with store.tx() as db:
        before = db.execute("SELECT COUNT(*) FROM events WHERE room_id = ?", (room_id,)).fetchone()[0] if events else 0
        db.executemany(
            "INSERT INTO events (id, room_id, sender, ts, kind, body, parent_id, thread_root, reaction_key, membership, target) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            [(e.id, e.room_id, e.sender, _ms(e.ts), e.kind.value, e.body, e.parent_id, e.thread_root, e.key, e.membership, e.target)
             for e in events],
        )
        after = db.execute("SELECT COUNT(*) FROM events WHERE room_id = ?", (room_id,)).fetchone()[0] if events else 0
        db.execute(
            "INSERT INTO checkpoints (room_id, token, events, synced_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (room_id) DO UPDATE SET token = excluded.token, events = checkpoints.events + excluded.events, "
            "synced_at = excluded.synced_at",
            (room_id, token, after - before, _now()),
        )
        return after - before


def communities(store: Store, refs: Iterable[str] = (), *, addressing: Addressing | None = None) -> list[SyncedCommunity]:
    """Synced communities, all or those matching what a user typed (id, alias in any form the
    network accepts, name): the network's `addressing` reduces both sides to comparable keys."""
    keyer = addressing or _Transitional()
    wanted = {keyer.community_key(r) for r in refs}
    out = []
    for row in store.query("SELECT id, name, alias, synced_at FROM communities ORDER BY name"):
        keys = keyer.community_keys(row["id"], row["name"], row["alias"])
        if wanted and not keys & wanted:
            continue
        rooms = store.query("SELECT id, name FROM rooms WHERE community_id = ? ORDER BY is_space DESC, name", (row["id"],))
        out.append(SyncedCommunity(
            id=row["id"], name=row["name"], alias=row["alias"],
            room_ids=tuple(r["id"] for r in rooms), room_names={r["id"]: r["name"] for r in rooms},
            synced_at=datetime.fromisoformat(row["synced_at"]),
        ))
    return out


def members(store: Store, community_id: str) -> list[Member]:
    from rse_cli.roles import Role

    return [
        Member(id=r["user_id"], display_name=r["display_name"], membership=r["membership"], role=Role(r["role"]), power=r["power"])
        for r in store.query("SELECT * FROM members WHERE community_id = ? ORDER BY user_id", (community_id,))
    ]


def iter_events(store: Store, room_ids: Iterable[str], *, since: datetime | None = None, until: datetime | None = None,
                kinds: Iterable[EventKind] = ()) -> Iterator[Event]:
    """Stored events of these rooms, oldest first."""
    room_ids = list(room_ids)
    if not room_ids:
        return
    sql = f"SELECT * FROM events WHERE room_id IN ({', '.join('?' * len(room_ids))})"
    params: list = list(room_ids)
    if since is not None:
        sql += " AND ts >= ?"
        params.append(_ms(since))
    if until is not None:
        sql += " AND ts < ?"
        params.append(_ms(until))
    kinds = [k.value for k in kinds]
    if kinds:
        sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
        params.extend(kinds)
    sql += " ORDER BY ts, id"
    for r in store.query(sql, tuple(params)):
        yield Event(
            id=r["id"], room_id=r["room_id"], sender=r["sender"], ts=datetime.fromtimestamp(r["ts"] / 1000, tz=UTC),
            kind=EventKind(r["kind"]), body=r["body"], parent_id=r["parent_id"], thread_root=r["thread_root"],
            key=r["reaction_key"], membership=r["membership"], target=r["target"],
        )
