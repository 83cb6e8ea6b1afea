"""What an audit returns: findings with evidence, per-community health, the report, snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from rse_cli.services.health.notes import Note

Severity = Literal["info", "warning", "critical"]
Band = Literal["green", "amber", "red"]
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


class Evidence(BaseModel):
    kind: Literal["message", "person", "community"]
    id: str
    label: str
    at: datetime | None = None
    link: str | None = None


class Finding(BaseModel):
    code: str  # stable, for --json and scripts; readers see `message` (the HTML shows the code as a discreet tag)
    severity: Severity
    message: str
    evidence: list[Evidence] = []
    action: str


class CommunityHealth(BaseModel):
    id: str
    name: str
    # None while the community is too new to score (assess.too_new): never red for not having lived yet
    score: int | None
    band: Band | None = "green"
    too_new: bool = False
    metrics: dict[str, Any]
    findings: list[Finding]
    notes: list[Note] = Field(default_factory=list)  # what this network's data cannot tell exactly (health/notes.py)
    # person id -> level (core/regular/occasional; observers omitted), kept for the next audit's movers
    levels_of: dict[str, str] = Field(default_factory=dict, exclude=True)


class AuditReport(BaseModel):
    generated_at: datetime
    window_days: int
    communities: list[CommunityHealth]
    findings: list[Finding]  # network-wide
    network: dict[str, Any] = Field(default_factory=dict)  # the company-wide view (reach, retention)
    notes: list[Note] = Field(default_factory=list)  # every note that applies to the report
    # distinct members across the audited communities (one person in three communities counts once)
    people: int = Field(0, exclude=True)

    def scored(self) -> list[CommunityHealth]:
        """The communities with a score: the ones averages and charts are made of."""
        return [c for c in self.communities if c.score is not None]

    def worst(self) -> Severity | None:
        every: list[Severity] = [f.severity for f in self.findings] + [f.severity for c in self.communities for f in c.findings]
        return max(every, key=lambda s: SEVERITY_RANK[str(s)]) if every else None


class Snapshot(BaseModel):
    at: datetime
    community: str
    window_days: int
    score: int
    delta: int | None = None
    trend: str = ""
    metrics: dict[str, Any]
    findings: list[str]
