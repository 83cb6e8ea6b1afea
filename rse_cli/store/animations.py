"""Queries of the animations feature (tables in schema_animations.py): definitions and the
record of each occurrence (`animation_runs`: the text rendered once, the outcome).

Every function is scoped to the store's profile. Times are stored as ISO 8601 in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rse_cli.store import Row, Store

__all__ = [
    "Stored",
    "add_definition",
    "definition",
    "definitions",
    "forget",
    "kept_text",
    "keep_text",
    "occurrence_recorded",
    "pause",
    "questions_asked",
    "record_outcome",
    "record_skipped",
    "resume",
]


@dataclass(frozen=True)
class Stored:
    """An animation as recorded (its schedule as kind, expression and zone)."""

    name: str
    community: str
    room: str | None
    kind: str
    expr: str
    tz: str
    template: str
    lang: str | None
    bank: list[str]
    vars: dict[str, str]
    paused: bool
    active_since: datetime


def _stored(r: Row) -> Stored:
    return Stored(
        r["name"],
        r["community"],
        r["room"],
        r["kind"],
        r["expr"],
        r["tz"],
        r["template"],
        r["lang"],
        json.loads(r["bank"] or "[]"),
        json.loads(r["vars"] or "{}"),
        bool(r["paused"]),
        datetime.fromisoformat(r["active_since"]),
    )


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat()


# -- definitions ---------------------------------------------------------------------------
def add_definition(
    store: Store,
    *,
    name: str,
    community: str,
    room: str | None,
    kind: str,
    expr: str,
    tz: str,
    template: str,
    lang: str | None,
    bank: Sequence[str],
    variables: dict[str, str],
    active_since: datetime,
) -> bool:
    """Record a new animation; False (and nothing written) when one of this name exists."""
    with store.tx() as db:
        if db.execute("SELECT 1 FROM animations WHERE profile = ? AND name = ?", (store.profile, name)).fetchone():
            return False
        db.execute(
            "INSERT INTO animations (profile, name, community, room, kind, expr, tz, template, lang, bank, vars, paused, "
            "active_since, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            (
                store.profile,
                name,
                community,
                room,
                kind,
                expr,
                tz,
                template,
                lang,
                json.dumps(list(bank), ensure_ascii=False),
                json.dumps(variables, ensure_ascii=False),
                _iso(active_since),
                store.now(),
            ),
        )
    return True


def definitions(store: Store) -> list[Stored]:
    """Every animation of the profile, by name."""
    return [_stored(r) for r in store.query("SELECT * FROM animations WHERE profile = ? ORDER BY name", (store.profile,))]


def definition(store: Store, name: str) -> Stored | None:
    rows = store.query("SELECT * FROM animations WHERE profile = ? AND name = ?", (store.profile, name))
    return _stored(rows[0]) if rows else None


def pause(store: Store, name: str) -> None:
    with store.tx() as db:
        db.execute("UPDATE animations SET paused = 1 WHERE profile = ? AND name = ?", (store.profile, name))


def resume(store: Store, name: str, active_since: datetime) -> None:
    """Unpause; occurrences count from `active_since` again."""
    with store.tx() as db:
        db.execute(
            "UPDATE animations SET paused = 0, active_since = ? WHERE profile = ? AND name = ?",
            (_iso(active_since), store.profile, name),
        )


def forget(store: Store, name: str) -> None:
    """Remove the animation and the record of its occurrences."""
    with store.tx() as db:
        db.execute("DELETE FROM animations WHERE profile = ? AND name = ?", (store.profile, name))
        db.execute("DELETE FROM animation_runs WHERE profile = ? AND name = ?", (store.profile, name))


# -- occurrences -----------------------------------------------------------------------------
def questions_asked(store: Store, name: str) -> list[str]:
    """The bank questions already used, oldest occurrence first."""
    return [
        r[0]
        for r in store.query(
            "SELECT question FROM animation_runs WHERE profile = ? AND name = ? AND question IS NOT NULL ORDER BY occurrence",
            (store.profile, name),
        )
    ]


def kept_text(store: Store, name: str, occurrence: datetime) -> tuple[str, str | None] | None:
    """The text (and question) rendered for this occurrence by an earlier attempt, if any."""
    rows = store.query(
        "SELECT text, question FROM animation_runs WHERE profile = ? AND name = ? AND occurrence = ?",
        (store.profile, name, occurrence.isoformat()),
    )
    if rows and rows[0]["text"]:
        return rows[0]["text"], rows[0]["question"]
    return None


def keep_text(store: Store, name: str, occurrence: datetime, text: str, question: str | None) -> None:
    """Keep the occurrence's text before sending it, so a retry sends the very same text."""
    with store.tx() as db:
        db.execute(
            "INSERT INTO animation_runs (profile, name, occurrence, text, question, state, at) VALUES (?, ?, ?, ?, ?, 'running', ?) "
            "ON CONFLICT (profile, name, occurrence) DO UPDATE SET text = excluded.text, question = excluded.question",
            (store.profile, name, occurrence.isoformat(), text, question, store.now()),
        )


def occurrence_recorded(store: Store, name: str, occurrence: datetime) -> bool:
    return bool(
        store.query(
            "SELECT 1 FROM animation_runs WHERE profile = ? AND name = ? AND occurrence = ?",
            (store.profile, name, occurrence.isoformat()),
        )
    )


_OUTCOME_COLUMNS = frozenset({"state", "room_id", "event_id", "detail"})


def record_outcome(store: Store, name: str, occurrence: datetime, **values: Any) -> None:
    """Set the outcome columns (state, room_id, event_id, detail) of a recorded occurrence."""
    unknown = set(values) - _OUTCOME_COLUMNS
    if unknown:  # column names are spliced into the SQL: only known ones
        raise ValueError(f"not an outcome column: {sorted(unknown)}")
    cols = ", ".join(f"{k} = ?" for k in values)
    with store.tx() as db:
        db.execute(
            f"UPDATE animation_runs SET {cols}, at = ? WHERE profile = ? AND name = ? AND occurrence = ?",
            (*values.values(), store.now(), store.profile, name, occurrence.isoformat()),
        )


def record_failed(store: Store, name: str, occurrence: datetime, why: str) -> None:
    """A failed occurrence with its reason, recorded even when it failed before its text existed."""
    with store.tx() as db:
        db.execute(
            "INSERT INTO animation_runs (profile, name, occurrence, state, detail, at) VALUES (?, ?, ?, 'failed', ?, ?) "
            "ON CONFLICT (profile, name, occurrence) DO UPDATE SET state = 'failed', detail = excluded.detail, at = excluded.at",
            (store.profile, name, occurrence.isoformat(), why, store.now()),
        )


def record_skipped(store: Store, name: str, occurrence: datetime, why: str) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO animation_runs (profile, name, occurrence, state, detail, at) VALUES (?, ?, ?, 'skipped', ?, ?) "
            "ON CONFLICT (profile, name, occurrence) DO UPDATE SET state = 'skipped', detail = excluded.detail",
            (store.profile, name, occurrence.isoformat(), why, store.now()),
        )
