"""Scripted bulk onboarding: plan (read the network, diff), apply (idempotent, resumable), status.

Safe across a SIGKILL at any point: communities are found again by alias, rooms by name (the
connector's add_room adopts its own room when a killed run had created it), invitations check
membership first, and every message goes through `send_once` (server-side deduplication where
the network has it, plus the store's record).

Nothing here knows a network: rates come from `network.capabilities.rate_limits`, references
from `network.addressing`. Modules: common.py (models, the resolved manifest), pacing.py
(estimates, Pacer), plan.py, apply.py, status.py; the SQL is in store/onboarding.py.
"""

from __future__ import annotations

from rse_cli.services.onboarding.apply import apply
from rse_cli.services.onboarding.common import (
    ApplyResult,
    Change,
    CommunityStatus,
    Estimate,
    Outcome,
    Plan,
    Prepared,
    ProblemOut,
    _context,
    prepare,
    refuse,
)
from rse_cli.services.onboarding.pacing import Pacer, estimate, rough_estimate
from rse_cli.services.onboarding.plan import plan
from rse_cli.services.onboarding.status import status

welcome_context = _context  # what a welcome template may use (campaigns build the same)

__all__ = [
    "ApplyResult",
    "Change",
    "CommunityStatus",
    "Estimate",
    "Outcome",
    "Pacer",
    "Plan",
    "Prepared",
    "ProblemOut",
    "apply",
    "estimate",
    "plan",
    "prepare",
    "refuse",
    "rough_estimate",
    "status",
    "welcome_context",
]
