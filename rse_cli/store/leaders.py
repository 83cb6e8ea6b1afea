"""Leaders (`rse leaders add`), the briefs sent to them, and what their posts drew."""

from __future__ import annotations

import json
from typing import Any

from rse_cli.store import Store, _now


def upsert_leader(
    store: Store, user_id: str, *, name: str | None, pronoun: str | None, scopes: list[str], lang: str | None, via: str | None
) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO leaders (profile, user_id, name, pronoun, scopes, lang, via, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (profile, user_id) DO UPDATE SET name = excluded.name, pronoun = excluded.pronoun, "
            "scopes = excluded.scopes, lang = excluded.lang, via = excluded.via",
            (store.profile, user_id, name, pronoun, json.dumps(scopes, ensure_ascii=False), lang, via, _now()),
        )


def stored_leaders(store: Store) -> list[dict[str, Any]]:
    return [
        {
            "id": r["user_id"],
            "name": r["name"],
            "pronoun": r["pronoun"],
            "scopes": json.loads(r["scopes"]),
            "lang": r["lang"],
            "via": r["via"],
        }
        for r in store.query("SELECT * FROM leaders WHERE profile = ? ORDER BY user_id", (store.profile,))
    ]


def communities_of_member(store: Store, user_id: str) -> set[str]:
    return {r[0] for r in store.query("SELECT community_id FROM members WHERE user_id = ?", (user_id,))}


def record_brief(
    store: Store, leader: str, recipient: str, ts: int, room_id: str | None, event_id: str | None, txn_id: str
) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO briefs (profile, leader, recipient, ts, room_id, event_id, txn_id) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (profile, txn_id) DO NOTHING",
            (store.profile, leader, recipient, ts, room_id, event_id, txn_id),
        )


def brief_times(store: Store, leader: str) -> list[int]:
    return [
        r["ts"]
        for r in store.query("SELECT ts FROM briefs WHERE profile = ? AND leader = ? ORDER BY ts", (store.profile, leader))
    ]


def responses_to(store: Store, event_ids: list[str], author: str) -> tuple[int, int]:
    """(replies, reactions) by others to these messages, inline or in their threads."""
    if not event_ids:
        return 0, 0
    marks = ", ".join("?" * len(event_ids))
    replies = reactions = 0
    for r in store.query(
        f"SELECT kind FROM events WHERE (parent_id IN ({marks}) OR thread_root IN ({marks})) AND sender != ?",
        (*event_ids, *event_ids, author),
    ):
        if r["kind"] == "reaction":
            reactions += 1
        elif r["kind"] in ("reply", "thread"):
            replies += 1
    return replies, reactions
