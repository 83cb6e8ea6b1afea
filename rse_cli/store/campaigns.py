"""Queries of the campaigns feature (tables in schema_onboarding.py): campaigns and the people
enrolled in them. What each step did is a claim (`Store.claim_state`), not a row here.

Every function is scoped to the store's profile.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rse_cli.store import Row, Store

__all__ = ["Stored", "campaign", "campaigns", "enrol", "enrolled", "exists", "people_count", "room_ids"]


@dataclass(frozen=True)
class Stored:
    """A campaign as recorded."""

    name: str
    communities: list[dict[str, str]]  # id, name, alias
    steps: list[dict[str, Any]]
    lang: str
    created_at: datetime


def _stored(r: Row) -> Stored:
    return Stored(
        r["name"], json.loads(r["communities"]), json.loads(r["steps"]), r["lang"], datetime.fromisoformat(r["created_at"])
    )


def exists(store: Store, name: str) -> bool:
    return bool(store.query("SELECT 1 FROM campaigns WHERE profile = ? AND name = ?", (store.profile, name)))


def enrol(
    store: Store,
    name: str,
    *,
    communities: list[dict[str, str]],
    steps: list[dict[str, Any]],
    lang: str,
    people_file: str,
    people: Iterable[tuple[str, str, dict[str, str]]],
    at: datetime,
) -> None:
    """Create the campaign and enrol `people` (person id, reference as written, CSV fields) in one
    transaction; a person already enrolled is left as is."""
    stamp = at.isoformat()
    with store.tx() as db:
        db.execute(
            "INSERT INTO campaigns (profile, name, communities, steps, lang, people_file, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (store.profile, name, json.dumps(communities), json.dumps(steps), lang, people_file, stamp),
        )
        db.executemany(
            "INSERT INTO campaign_people (profile, campaign, person, ref, fields, enrolled_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(store.profile, name, pid, ref, json.dumps(fields), stamp) for pid, ref, fields in people],
        )


def campaign(store: Store, name: str) -> Stored | None:
    rows = store.query("SELECT * FROM campaigns WHERE profile = ? AND name = ?", (store.profile, name))
    return _stored(rows[0]) if rows else None


def campaigns(store: Store) -> list[Stored]:
    """Every campaign of the profile, oldest first."""
    return [
        _stored(r) for r in store.query("SELECT * FROM campaigns WHERE profile = ? ORDER BY created_at, name", (store.profile,))
    ]


def people_count(store: Store, name: str) -> int:
    return int(
        store.query("SELECT COUNT(*) FROM campaign_people WHERE profile = ? AND campaign = ?", (store.profile, name))[0][0]
    )


def enrolled(store: Store, name: str) -> list[tuple[str, dict[str, str], datetime]]:
    """(person id, CSV fields, enrolment time) of everyone enrolled, by person id."""
    return [
        (r["person"], json.loads(r["fields"]), datetime.fromisoformat(r["enrolled_at"]))
        for r in store.query(
            "SELECT * FROM campaign_people WHERE profile = ? AND campaign = ? ORDER BY person", (store.profile, name)
        )
    ]


def room_ids(store: Store, community_ids: list[str]) -> list[str]:
    """The synced rooms of these communities (each community's own id first: its Space, or its
    feed where a community is one feed), matched by id exactly: a campaign stores the ids, and
    ids are opaque (`c:10` is not an alias to reduce)."""
    if not community_ids:
        return []
    marks = ", ".join("?" for _ in community_ids)
    rows = store.query(f"SELECT id FROM rooms WHERE community_id IN ({marks}) ORDER BY is_main DESC, id", tuple(community_ids))
    return list(dict.fromkeys([*community_ids, *(r["id"] for r in rows)]))
