"""`onboard status`: per community, who joined, is invited but not joined, is not yet invited, or failed."""

from __future__ import annotations

from pathlib import Path

from rse_cli.network.base import Network
from rse_cli.services.onboarding.common import CommunityStatus, _ref, prepare
from rse_cli.store import Store
from rse_cli.store.onboarding import failed_people


def status(network: Network, store: Store, path: Path) -> list[CommunityStatus]:
    """Per community: joined, invited but not joined, not yet invited, failed (last apply)."""
    prepared = prepare(network, path)
    key = str(path.resolve())
    out = []
    for spec in prepared.manifest.communities:
        expected = {p.id for r in spec.members if (p := prepared.person(r))}
        seen = prepared.seen(spec)  # every community read side by side by prepare()
        community = seen.community
        members = {pid: m.membership for pid, m in seen.members.items()}
        failed = failed_people(store, key, spec.alias)
        invited = sum(1 for p in expected if members.get(p) == "invite")
        joined = sum(1 for p in expected if members.get(p) == "join")
        pending = sum(1 for p in expected if members.get(p) not in ("invite", "join") and p not in failed)
        out.append(
            CommunityStatus(
                community=spec.name,
                alias=_ref(network, spec),
                exists=community is not None,
                expected=len(expected),
                invited=invited,
                joined=joined,
                pending=pending,
                invited_not_joined=invited,
                not_yet_invited=pending,
                failed=len(failed & expected - {p for p in expected if members.get(p) in ("invite", "join")}),
            )
        )
    return out
