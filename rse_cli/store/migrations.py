"""Schema migrations, applied in the order of their ids; each applied once, recorded by id.

Each feature owns its schema module and its ids (core 0xxx, sync 1xxx, onboarding 2xxx,
animations/leaders 3xxx, engage connector 4xxx, insight 5xxx, sync changes 6xxx), so features never fight over one list. Never edit a released
migration: append a new one. Write portable SQL: `AUTO_ID` is replaced by the dialect's
auto-increment primary key; use `?` placeholders.
"""

from __future__ import annotations

from rse_cli.store import (
    schema_animations,
    schema_attempts,
    schema_core,
    schema_events,
    schema_health,
    schema_insight,
    schema_onboarding,
    schema_people,
    schema_sync,
)

__all__ = ["MIGRATIONS"]

MIGRATIONS: list[tuple[str, str]] = sorted(
    [
        *schema_core.MIGRATIONS,
        *schema_events.MIGRATIONS,
        *schema_health.MIGRATIONS,
        *schema_onboarding.MIGRATIONS,
        *schema_animations.MIGRATIONS,
        *schema_people.MIGRATIONS,
        *schema_attempts.MIGRATIONS,
        *schema_insight.MIGRATIONS,
        *schema_sync.MIGRATIONS,
    ]
)
