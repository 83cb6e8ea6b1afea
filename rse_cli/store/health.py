"""The questions community health asks of the synced store, one function each.

Everything is aggregated in SQL (the store may hold millions of events): callers only see
per-sender counts and the window's root messages. Times are milliseconds since the epoch.
rse's own publications (anything it sent: posts, welcomes, nudges, digests, animations) are
never the community's activity: `RSE_SENT` leaves them out; the replies they draw count.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rse_cli.store import Store

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
MESSAGE_KINDS_SQL = "('post', 'reply', 'thread')"
RSE_SENT = (
    "id NOT IN (SELECT event_id FROM sent WHERE event_id IS NOT NULL "
    "UNION SELECT event_id FROM digests WHERE event_id IS NOT NULL "
    "UNION SELECT event_id FROM animation_runs WHERE event_id IS NOT NULL)"
)


def _in(values: Iterable[Any]) -> str:
    return ", ".join("?" * len(list(values)))


def rse_sent_ids(store: Store) -> set[str]:
    """Event ids of everything rse itself published (few: one per post rse made)."""
    return {
        r[0]
        for r in store.query(
            "SELECT event_id FROM sent WHERE event_id IS NOT NULL UNION SELECT event_id FROM digests WHERE event_id IS NOT NULL "
            "UNION SELECT event_id FROM animation_runs WHERE event_id IS NOT NULL"
        )
    }


def root_messages(store: Store, room_ids: list[str], start: int, end: int) -> list[dict[str, Any]]:
    """The window's root messages by members (not rse), each with its first reply by someone
    else (inline or in its thread), its replies and its reactions."""
    sql = f"""
        SELECT q.id, q.room_id, q.sender, q.ts, q.body,
          (SELECT MIN(r.ts) FROM events r WHERE r.parent_id = q.id AND r.kind IN ('reply', 'thread') AND r.sender != q.sender) AS r1,
          (SELECT MIN(r.ts) FROM events r WHERE r.thread_root = q.id AND r.kind = 'thread' AND r.sender != q.sender) AS r2,
          (SELECT COUNT(*) FROM events r WHERE (r.parent_id = q.id AND r.kind IN ('reply', 'thread'))) AS replies,
          (SELECT COUNT(*) FROM events r WHERE r.thread_root = q.id AND r.kind = 'thread' AND r.parent_id != q.id) AS deep,
          (SELECT COUNT(*) FROM events r WHERE r.parent_id = q.id AND r.kind = 'reaction') AS reactions
        FROM events q
        WHERE q.room_id IN ({_in(room_ids)}) AND q.ts >= ? AND q.ts < ? AND q.kind = 'post' AND q.{RSE_SENT}
        ORDER BY q.ts"""
    out = []
    for r in store.query(sql, (*room_ids, start, end)):
        firsts = [t for t in (r["r1"], r["r2"]) if t is not None]
        out.append(
            {
                "id": r["id"],
                "room_id": r["room_id"],
                "sender": r["sender"],
                "ts": r["ts"],
                "body": r["body"] or "",
                "first_reply": min(firsts) if firsts else None,
                "replies": r["replies"] + r["deep"],
                "reactions": r["reactions"],
            }
        )
    return out


def counts_by_sender(store: Store, room_ids: list[str], start: int, end: int) -> dict[str, dict[str, int]]:
    """Per sender: posts, replies, thread messages and reactions in the window (rse's own excluded)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"post": 0, "reply": 0, "thread": 0, "reaction": 0})
    for r in store.query(
        f"SELECT sender, kind, COUNT(*) AS n FROM events WHERE room_id IN ({_in(room_ids)}) AND ts >= ? AND ts < ? "
        f"AND kind IN ('post', 'reply', 'thread', 'reaction') AND {RSE_SENT} GROUP BY sender, kind",
        (*room_ids, start, end),
    ):
        counts[r["sender"]][r["kind"]] = r["n"]
    return counts


def active_days(store: Store, room_ids: list[str], start: int, end: int) -> dict[str, int]:
    """Per sender: on how many distinct days (UTC) they wrote or reacted in the window."""
    return {
        r[0]: r[1]
        for r in store.query(
            f"SELECT sender, COUNT(DISTINCT (ts - ?) / {DAY_MS}) FROM events WHERE room_id IN ({_in(room_ids)}) AND ts >= ? AND ts < ? "
            f"AND kind IN ('post', 'reply', 'thread', 'reaction') AND {RSE_SENT} GROUP BY sender",
            (start, *room_ids, start, end),
        )
    }


def messages_by_sender(store: Store, room_ids: list[str], start: int, end: int) -> dict[str, int]:
    """Per sender: messages (posts + replies + thread messages) in the window."""
    return {
        r[0]: r[1]
        for r in store.query(
            f"SELECT sender, COUNT(*) FROM events WHERE room_id IN ({_in(room_ids)}) AND ts >= ? AND ts < ? "
            f"AND kind IN {MESSAGE_KINDS_SQL} AND {RSE_SENT} GROUP BY sender",
            (*room_ids, start, end),
        )
    }


def first_messages(store: Store, room_ids: list[str]) -> dict[str, tuple[int, str, str, str]]:
    """Per sender: (time, event id, kind, body) of their first message in these rooms, ever."""
    out: dict[str, tuple[int, str, str, str]] = {}
    for r in store.query(
        f"SELECT e.sender, e.ts, e.id, e.kind, e.body FROM events e JOIN (SELECT sender, MIN(ts) AS first FROM events "
        f"WHERE room_id IN ({_in(room_ids)}) AND kind IN {MESSAGE_KINDS_SQL} GROUP BY sender) f "
        f"ON e.sender = f.sender AND e.ts = f.first WHERE e.room_id IN ({_in(room_ids)}) AND e.kind IN {MESSAGE_KINDS_SQL}",
        (*room_ids, *room_ids),
    ):
        out.setdefault(r[0], (r[1], r[2], r[3], r[4] or ""))
    return out


def edge_ts(store: Store, room_ids: list[str], *, last: bool, messages: bool) -> int | None:
    """Newest (or oldest) message / event of the rooms, walking the (room_id, ts) index per room."""
    found = []
    kinds = f"AND kind IN {MESSAGE_KINDS_SQL} AND {RSE_SENT}" if messages else ""
    for room_id in room_ids:
        rows = store.query(
            f"SELECT ts FROM events WHERE room_id = ? {kinds} ORDER BY ts {'DESC' if last else 'ASC'} LIMIT 1", (room_id,)
        )
        if rows:
            found.append(rows[0][0])
    return (max(found) if last else min(found)) if found else None


def weekly_messages(store: Store, room_ids: list[str], start: int, end: int) -> dict[int, int]:
    """Week index (0 = the week starting at `start`) -> messages."""
    return {
        r[0]: r[1]
        for r in store.query(
            f"SELECT (ts - ?) / {WEEK_MS} AS w, COUNT(*) FROM events WHERE room_id IN ({_in(room_ids)}) AND ts >= ? AND ts < ? "
            f"AND kind IN {MESSAGE_KINDS_SQL} AND {RSE_SENT} GROUP BY w",
            (start, *room_ids, start, end),
        )
    }


def writers_ever(store: Store, room_ids: list[str]) -> set[str]:
    return {
        r[0]
        for r in store.query(
            f"SELECT DISTINCT sender FROM events WHERE room_id IN ({_in(room_ids)}) AND kind IN {MESSAGE_KINDS_SQL} AND {RSE_SENT}",
            tuple(room_ids),
        )
    }


def membership_times(store: Store, space_id: str) -> dict[str, dict[str, int]]:
    """Per person: first join and latest invite in the space (membership events are few)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in store.query(
        "SELECT target, membership, MIN(ts) AS first, MAX(ts) AS last FROM events "
        "WHERE room_id = ? AND kind = 'membership' GROUP BY target, membership",
        (space_id,),
    ):
        if r["membership"] == "join":
            out[r["target"]]["joined"] = r["first"]
        elif r["membership"] == "invite":
            out[r["target"]]["invited"] = r["last"]
    return out


def stored_leader_ids(store: Store) -> list[str]:
    return [r[0] for r in store.query("SELECT user_id FROM leaders WHERE profile = ? ORDER BY user_id", (store.profile,))]


def who_wrote(store: Store, senders: list[str], start: int, end: int) -> set[str]:
    """Which of `senders` wrote anything, in any synced room, in the window."""
    if not senders:
        return set()
    return {
        r[0]
        for r in store.query(
            f"SELECT DISTINCT sender FROM events WHERE sender IN ({_in(senders)}) AND ts >= ? AND ts < ? AND kind IN {MESSAGE_KINDS_SQL}",
            (*senders, start, end),
        )
    }


def display_names(store: Store, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    return {
        r[0]: r[1]
        for r in store.query(
            f"SELECT user_id, display_name FROM members WHERE user_id IN ({_in(user_ids)}) AND display_name IS NOT NULL",
            tuple(user_ids),
        )
    }


def members_anywhere(store: Store) -> set[str]:
    """Everyone who has joined at least one synced community."""
    return {r[0] for r in store.query("SELECT DISTINCT user_id FROM members WHERE membership = 'join'")}


# -- snapshots ---------------------------------------------------------------------------
def save_snapshots(store: Store, at: str, rows: list[tuple[str, str, int, int, dict[str, Any], list[str]]]) -> None:
    """rows: (community id, name, window days, score, metrics, findings)."""
    with store.tx() as db:
        db.executemany(
            "INSERT INTO audit_snapshots (at, profile, community_id, community_name, window_days, score, metrics, findings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (at, store.profile, cid, name, window, score, json.dumps(metrics), json.dumps(findings))
                for cid, name, window, score, metrics, findings in rows
            ],
        )


def snapshots(store: Store, ids: list[str], ref: str, limit: int) -> list[Any]:
    """Newest first: the audits recorded for these community ids (or this name)."""
    return store.query(
        f"SELECT * FROM audit_snapshots WHERE profile = ? AND (community_id IN ({_in(ids)}) OR community_name = ?) "
        "ORDER BY at DESC, id DESC LIMIT ?",
        (store.profile, *ids, ref, limit),
    )


def last_snapshot_metrics(store: Store, community_id: str, before: str) -> dict[str, Any] | None:
    rows = store.query(
        "SELECT metrics FROM audit_snapshots WHERE profile = ? AND community_id = ? AND at < ? ORDER BY at DESC, id DESC LIMIT 1",
        (store.profile, community_id, before),
    )
    return json.loads(rows[0][0]) if rows else None
