"""`rse onboard apply` as one call: read and check the manifest, estimate, let the caller
confirm, then apply. The command only parses, confirms and renders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rse_cli.network.base import Network
from rse_cli.services import onboarding
from rse_cli.services.onboarding import ApplyResult, Estimate
from rse_cli.services.people_csv import Problem
from rse_cli.store import Store
from rse_cli.templating import Templates

__all__ = ["Preflight", "apply_manifest"]


@dataclass(frozen=True)
class Preflight:
    """What the caller is shown before anything is written."""

    skipped: list[Problem]  # rows dropped (--skip-invalid)
    estimate: Estimate  # what the writes cost at the network's rate limits
    changes: int  # changes planned
    ask: bool = True  # confirm before writing (False with --yes)


def apply_manifest(
    network: Network,
    store: Store,
    manifest: Path,
    *,
    templates: Templates,
    skip_invalid: bool = False,
    failed_csv: Path | None = None,
    plan_first: bool = True,
    preflight: Callable[[Preflight], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ApplyResult:
    """Make the network match the manifest. Every problem is raised before any write (InputError);
    `preflight` sees the plan's size and estimate first and may raise to stop (nothing written).
    `plan_first=False`: no confirmation is asked (`--yes`); the plan is made all the same, from
    what prepare() read, for the estimate."""
    prepared = onboarding.prepare(network, manifest)
    onboarding.refuse(prepared, skip_invalid)
    # the plan costs no request now (prepare() read the communities): its estimate counts only the
    # work left, so a re-run with nothing to do notes no rate limit, with or without --yes
    planned = onboarding.plan(network, store, manifest, templates=templates, prepared=prepared)
    check = Preflight(
        list(prepared.problems),
        planned.estimate,
        sum(v for k, v in planned.counts.items() if k != "unchanged"),
        ask=plan_first,
    )
    if preflight is not None:
        preflight(check)
    return onboarding.apply(
        network,
        store,
        manifest,
        templates=templates,
        skip_invalid=skip_invalid,
        failed_csv=failed_csv,
        progress=progress,
        prepared=prepared,
    )
