"""The audit's memory: one snapshot per community and audit, read back as a trend."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from rse_cli.errors import NotFoundError
from rse_cli.i18n import _
from rse_cli.services.health.models import AuditReport, Snapshot
from rse_cli.store import Store
from rse_cli.store import events as ev
from rse_cli.store import health as sql

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing

# messages = posts + replies: the same word as the audit table, CSV, JSON and HTML
KEY_METRICS = (
    "members",
    "contributors",
    "messages",
    "posts",
    "replies",
    "unanswered_questions",
    "median_first_reply_hours",
    "days_since_last_post",
)
NOT_KEPT = ("activity_by_week",)


def save_snapshots(store: Store, report: AuditReport) -> None:
    sql.save_snapshots(
        store,
        report.generated_at.isoformat(),
        [
            (
                c.id,
                c.name,
                report.window_days,
                c.score,
                {**{k: v for k, v in c.metrics.items() if k not in NOT_KEPT}, "levels_of": c.levels_of},
                [f"{f.code}:{f.severity}" for f in c.findings],
            )
            for c in report.communities
            if c.score is not None  # too new to score: no point on the trend yet
        ],
    )


def history(store: Store, ref: str, *, addressing: Addressing, limit: int = 50) -> list[Snapshot]:
    """Past audits of one community, oldest first, each with its score change."""
    found = ev.communities(store, [ref], addressing=addressing)
    ids = [c.id for c in found] or [ref]
    rows = sql.snapshots(store, ids, ref, limit)
    if not rows:
        if not found:  # a typo or a community never synced: the same hint as every other command
            from rse_cli.services.health.scope import synced

            synced(store, [ref], addressing=addressing)
        raise NotFoundError(
            _("no audit recorded for {ref}").format(ref=ref),
            hint=_("run `rse audit` first: each audit records a snapshot once the community is old enough to score"),
        )
    out: list[Snapshot] = []
    prev: int | None = None
    for r in reversed(rows):
        metrics = json.loads(r["metrics"])
        if metrics.get("messages") is None and metrics.get("posts") is not None:  # snapshots from before "messages" existed
            metrics["messages"] = (metrics.get("posts") or 0) + (metrics.get("replies") or 0)
        delta = None if prev is None else r["score"] - prev
        trend = "" if delta is None else "↑" if delta > 0 else "↓" if delta < 0 else "="
        out.append(
            Snapshot(
                at=datetime.fromisoformat(r["at"]),
                community=r["community_name"],
                window_days=r["window_days"],
                score=r["score"],
                delta=delta,
                trend=trend,
                metrics={k: metrics.get(k) for k in KEY_METRICS},
                findings=json.loads(r["findings"]),
            )
        )
        prev = r["score"]
    return out
