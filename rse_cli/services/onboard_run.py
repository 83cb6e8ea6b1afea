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
    changes: int | None  # changes planned; None when no plan was made (--yes)


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
    `plan_first=False` skips the plan (a rough estimate instead), for `--yes`."""
    prepared = onboarding.prepare(network, manifest)
    onboarding.refuse(prepared, skip_invalid)
    if plan_first:
        planned = onboarding.plan(network, store, manifest, templates=templates, prepared=prepared)
        check = Preflight(
            list(prepared.problems), planned.estimate, sum(v for k, v in planned.counts.items() if k != "unchanged")
        )
    else:
        check = Preflight(list(prepared.problems), onboarding.rough_estimate(network, prepared), None)
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
