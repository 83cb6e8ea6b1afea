"""What `onboard apply` did per person (table onboard_rows, see schema_onboarding.py), and
whether someone was already welcomed (the journal): the questions onboarding asks the store."""

from __future__ import annotations

from rse_cli.store import Store, _now

__all__ = ["failed_people", "record_person", "welcomed"]


def record_person(store: Store, manifest: str, community: str, person: str, ref: str, state: str, error: str | None) -> None:
    """Remember the last outcome for this person in this community of this manifest."""
    with store.tx() as db:
        db.execute(
            "INSERT INTO onboard_rows (profile, manifest, community, person, ref, state, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (profile, manifest, community, person) DO UPDATE SET state = excluded.state, error = excluded.error, at = excluded.at",
            (store.profile, manifest, community, person, ref, state, error, _now()),
        )


def failed_people(store: Store, manifest: str, community: str) -> set[str]:
    """People whose last onboarding into this community failed."""
    rows = store.query(
        "SELECT person FROM onboard_rows WHERE profile = ? AND manifest = ? AND community = ? AND state = 'failed'",
        (store.profile, manifest, community),
    )
    return {r["person"] for r in rows}


def welcomed(store: Store, target: str) -> bool:
    """Whether `target` (`<community alias>:<person>`) was welcomed: once per community, even if
    the template changed since."""
    return bool(
        store.query(
            "SELECT 1 FROM journal WHERE action = 'onboard.welcome' AND target = ? AND profile = ? "
            "AND outcome IN ('ok', 'unchanged') LIMIT 1",
            (target, store.profile),
        )
    )
