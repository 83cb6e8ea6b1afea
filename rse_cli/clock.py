"""The one clock rse reads: the wall clock, or RSE_NOW to replay a day in tests and demos.

`AppContext.clock` defaults to `now`; everything else (the store's timestamps, services) gets
its time from the context, never from `datetime.now()`. Kept out of `rse_cli.cli` so the
fast cron path (`rse_cli.entry`) can read the same clock without importing typer.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from rse_cli.errors import ConfigError

__all__ = ["epoch_ms", "now"]


def now() -> datetime:
    """The current time, aware. RSE_NOW (ISO 8601, e.g. 2026-12-04T09:00:00+00:00; UTC when it
    has no offset) replaces the wall clock."""
    raw = os.environ.get("RSE_NOW")
    if not raw:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"RSE_NOW={raw!r} is not an ISO 8601 date-time", hint="e.g. 2026-12-04T09:00:00+00:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def epoch_ms(ts: datetime) -> int:
    """Milliseconds since the epoch, as networks and the store date events."""
    return int(ts.timestamp() * 1000)
