"""Queries of schema_people: one person's ids on Viva Engage, community creations in progress, and
the aliases communities were created with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rse_cli.store import Store


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class EngagePerson:
    yammer_id: str
    graph_id: str | None
    email: str | None
    name: str | None


def _person(row) -> EngagePerson:  # type: ignore[no-untyped-def]
    return EngagePerson(row["yammer_id"], row["graph_id"], row["email"], row["name"])


def remember_person(store: Store, person: EngagePerson) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO engage_people (profile, yammer_id, graph_id, email, name, seen_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (profile, yammer_id) DO UPDATE SET graph_id = COALESCE(excluded.graph_id, engage_people.graph_id), "
            "email = COALESCE(excluded.email, engage_people.email), name = COALESCE(excluded.name, engage_people.name), "
            "seen_at = excluded.seen_at",
            (store.profile, person.yammer_id, person.graph_id, (person.email or "").lower() or None, person.name, _now()),
        )


def person_by(
    store: Store, *, yammer_id: str | None = None, graph_id: str | None = None, email: str | None = None
) -> EngagePerson | None:
    if yammer_id is not None:
        rows = store.query("SELECT * FROM engage_people WHERE profile = ? AND yammer_id = ?", (store.profile, yammer_id))
    elif graph_id is not None:
        rows = store.query("SELECT * FROM engage_people WHERE profile = ? AND graph_id = ?", (store.profile, graph_id))
    else:
        rows = store.query("SELECT * FROM engage_people WHERE profile = ? AND email = ?", (store.profile, (email or "").lower()))
    return _person(rows[0]) if rows else None


def pending_creation(store: Store, name: str) -> str | None:
    rows = store.query("SELECT location FROM engage_pending WHERE profile = ? AND name = ?", (store.profile, name.casefold()))
    return str(rows[0]["location"]) if rows else None


def start_creation(store: Store, name: str, location: str) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO engage_pending (profile, name, location, started_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (profile, name) DO UPDATE SET location = excluded.location, started_at = excluded.started_at",
            (store.profile, name.casefold(), location, _now()),
        )


def end_creation(store: Store, name: str) -> None:
    with store.tx() as db:
        db.execute("DELETE FROM engage_pending WHERE profile = ? AND name = ?", (store.profile, name.casefold()))


def remember_alias(store: Store, alias: str, community_id: str) -> None:
    with store.tx() as db:
        db.execute(
            "INSERT INTO engage_aliases (profile, alias, community_id) VALUES (?, ?, ?) "
            "ON CONFLICT (profile, alias) DO UPDATE SET community_id = excluded.community_id",
            (store.profile, alias, community_id),
        )


def community_of_alias(store: Store, alias: str) -> str | None:
    rows = store.query("SELECT community_id FROM engage_aliases WHERE profile = ? AND alias = ?", (store.profile, alias))
    return str(rows[0]["community_id"]) if rows else None


def alias_of_community(store: Store, community_id: str) -> str | None:
    rows = store.query(
        "SELECT alias FROM engage_aliases WHERE profile = ? AND community_id = ? ORDER BY alias", (store.profile, community_id)
    )
    return str(rows[0]["alias"]) if rows else None
