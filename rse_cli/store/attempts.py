"""Queries of schema_attempts: the send this profile started under a key and did not record."""

from __future__ import annotations

from dataclasses import dataclass

from rse_cli.store import Store


@dataclass(frozen=True)
class Attempt:
    room_id: str
    started_ms: int


def unfinished_send(store: Store, key: str) -> Attempt | None:
    rows = store.query("SELECT room_id, started_ms FROM send_attempts WHERE profile = ? AND key = ?", (store.profile, key))
    return Attempt(str(rows[0]["room_id"]), int(rows[0]["started_ms"])) if rows else None


def start_send(store: Store, key: str, room_id: str, started_ms: int) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO send_attempts (profile, key, room_id, started_ms) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (profile, key) DO UPDATE SET room_id = excluded.room_id, started_ms = excluded.started_ms",
            (store.profile, key, room_id, started_ms),
        )


def end_send(store: Store, key: str) -> None:
    with store.tx() as db:
        db.execute("DELETE FROM send_attempts WHERE profile = ? AND key = ?", (store.profile, key))
