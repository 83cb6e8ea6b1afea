"""Community health, two jobs: auditing the synced store (`audit`, in assess.py and here) and
keeping its history (`save_snapshots`, `history`, in snapshots.py).

Computed from the synced store only (`rse sync`); `now` is a parameter so tests and
snapshots control the clock. The audit's vocabulary and score: see assess.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rse_cli.l10n import L10n
from rse_cli.services.health.activity import is_question, qa_room_ids
from rse_cli.services.health.assess import (
    assess,
    band_of,
    bands,
    findings,
    leader_ids,
    parts,
    score,
    too_new,
)
from rse_cli.services.health.models import (
    SEVERITY_RANK,
    AuditReport,
    CommunityHealth,
    Evidence,
    Finding,
    Severity,
    Snapshot,
)
from rse_cli.services.health.notes import Note, dated_joins, report_notes
from rse_cli.services.health.scope import synced
from rse_cli.services.health.snapshots import KEY_METRICS, history, save_snapshots
from rse_cli.services.health.texts import text
from rse_cli.store import Store
from rse_cli.store import health as sql

if TYPE_CHECKING:
    from rse_cli.config import Settings
    from rse_cli.network.base import Addressing, Capabilities

__all__ = [
    "KEY_METRICS",
    "Note",
    "SEVERITY_RANK",
    "AuditReport",
    "CommunityHealth",
    "Evidence",
    "Finding",
    "Severity",
    "Snapshot",
    "assess",
    "audit",
    "band_of",
    "bands",
    "findings",
    "history",
    "is_question",
    "leader_ids",
    "parts",
    "qa_room_ids",
    "save_snapshots",
    "score",
    "silent_leaders",
    "too_new",
]


def _ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def silent_leaders(store: Store, settings: Settings, *, now: datetime, window_days: int, addressing: Addressing) -> list[Finding]:
    """Network-wide: leaders who wrote nothing in any synced room during the window."""
    leaders = leader_ids(store, settings)
    if not leaders:
        return []
    spoke = sql.who_wrote(store, leaders, _ms(now - timedelta(days=window_days)), _ms(now))
    silent = [x for x in leaders if x not in spoke]
    if not silent:
        return []
    names = sql.display_names(store, silent)
    message, action = text(settings.lang, "silent_leaders", n=len(silent), total=len(leaders), days=window_days)
    return [
        Finding(
            code="silent_leaders",
            severity="warning",
            message=message,
            action=action,
            evidence=[
                Evidence(kind="person", id=x, label=names.get(x) or addressing.short_name(x), link=addressing.link(x, None))
                for x in silent
            ],
        )
    ]


def _network(
    store: Store, settings: Settings, facts: list[dict[str, Any]], end: int, company: list[str] | None
) -> dict[str, Any]:
    """The company-wide view: reach (from the HR export when given) and newcomer retention."""
    members: set[str] = set().union(*(f["member_ids"] for f in facts)) if facts else set()
    writers: set[str] = set().union(*(f["writers"] for f in facts)) if facts else set()
    first_join: dict[str, int] = {}
    for f in facts:
        for u, ts in f["joins"].items():
            first_join[u] = min(ts, first_join.get(u, ts))
    posted = set().union(*(f["firsts"] for f in facts)) if facts else set()
    recent = set().union(*(f["recent_writers"] for f in facts)) if facts else set()
    lo, hi = end - 90 * sql.DAY_MS, end - 30 * sql.DAY_MS
    cohort = [u for u, ts in first_join.items() if lo <= ts < hi]
    out: dict[str, Any] = {
        "members": len(members),
        "writers": len(writers),
        "newcomer_retention": {
            "cohort": len(cohort),
            "posted": sum(1 for u in cohort if u in posted),
            "active": sum(1 for u in cohort if u in recent),
        },
    }
    if company is not None:
        people = set(company) - {settings.user}
        out |= {
            "people": len(people),
            "in_a_community": len(people & members),
            "wrote": len(people & writers),
            "member_share": round(len(people & members) / len(people), 3) if people else None,
            "writer_share": round(len(people & writers) / len(people), 3) if people else None,
        }
    return out


def audit(
    store: Store,
    settings: Settings,
    refs: list[str] | None = None,
    *,
    now: datetime,
    addressing: Addressing,
    capabilities: Capabilities | None = None,
    window_days: int | None = None,
    company: list[str] | None = None,
    lang: str | None = None,
) -> AuditReport:
    """Audit the synced communities (all, or those named) over the window ending at `now`.

    `company`: the ids of the company's people (from the HR export), for the reach figures.
    `capabilities`: the network's, for the notes on what its data cannot tell exactly.
    `lang`: the language of findings and notes (default: the profile's)."""
    if lang is not None and lang != settings.lang:
        settings = settings.model_copy(update={"lang": lang})
    window = window_days or settings.audit.window_days
    targets = synced(store, refs, addressing=addressing)
    said = report_notes(capabilities)
    result, every = [], []
    for c in targets:
        previous = sql.last_snapshot_metrics(store, c.id, now.isoformat())
        metrics, facts = assess(
            store,
            c,
            settings,
            now=now,
            window_days=window,
            addressing=addressing,
            previous=previous,
            dated_joins=dated_joins(capabilities),
        )
        metrics["score_parts"] = parts(metrics, settings)
        every.append(facts)
        s = None if facts["too_new"] else score(metrics, settings)
        result.append(
            CommunityHealth(
                id=c.id,
                name=c.name,
                score=s,
                band=None if s is None else band_of(s, settings),
                too_new=s is None,
                metrics=metrics,
                findings=findings(metrics, facts, settings, window),
                levels_of=facts["levels_of"],
                notes=said,
            )
        )
    network = _network(store, settings, every, _ms(now), company)
    found = silent_leaders(store, settings, now=now, window_days=window, addressing=addressing)
    share = network.get("member_share")
    if share is not None and share < 0.5 and network["people"] >= 10:
        message, action = text(settings.lang, "low_reach", share=L10n(settings.lang).pct(1 - share), people=network["people"])
        found.append(Finding(code="low_reach", severity="info", message=message, action=action))
    return AuditReport(
        generated_at=now,
        window_days=window,
        communities=result,
        findings=found,
        network=network,
        notes=said,
        people=network["members"],
    )
