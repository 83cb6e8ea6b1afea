"""The record of digests sent: one per profile, community, calendar period and recipient."""

from __future__ import annotations

from typing import Any

from rse_cli.store import Store, _now


def recorded(store: Store, community_id: str, label: str, recipient: str) -> Any | None:
    rows = store.query(
        "SELECT * FROM digests WHERE profile = ? AND community_id = ? AND period = ? AND recipient = ?",
        (store.profile, community_id, label, recipient),
    )
    return rows[0] if rows else None


def record(store: Store, community_id: str, label: str, recipient: str, event_id: str | None) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO digests (profile, community_id, period, recipient, event_id, at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (store.profile, community_id, label, recipient, event_id, _now()),
        )
