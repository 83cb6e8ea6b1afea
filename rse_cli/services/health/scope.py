"""Which synced communities a command reads, from what the user typed, and the right hint when
a reference matches none: a typo gets "did you mean", an empty store gets "run `rse sync`".

Audits, digests and briefs share it so that the same typo reads the same everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.lists import format_list

from rse_cli.errors import NotFoundError
from rse_cli.i18n import _, current
from rse_cli.l10n import locale_of
from rse_cli.names import close_matches
from rse_cli.store import Store
from rse_cli.store import events as ev

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing

__all__ = ["either", "label", "synced"]


def label(community: ev.SyncedCommunity, addressing: Addressing) -> str:
    """What a user types for this community: its alias as the network reduces it, else its name."""
    return addressing.community_key(community.alias) if community.alias else community.name


def synced(store: Store, refs: list[str] | None, *, addressing: Addressing) -> list[ev.SyncedCommunity]:
    """The synced communities named by `refs` (every one when none is given), in name order.

    Each reference must match: a typo among several is an error naming it, not silently skipped."""
    every = ev.communities(store, [], addressing=addressing)
    if not every:
        raise NotFoundError(_("nothing synced yet"), hint=_("run `rse sync` first (it reads the communities you animate)"))
    if not refs:
        return every
    found: dict[str, ev.SyncedCommunity] = {}
    for ref in refs:
        key = addressing.community_key(ref)
        matched = [c for c in every if key in addressing.community_keys(c.id, c.name, c.alias)]
        if not matched:
            raise _unknown(ref, every, addressing)
        found.update((c.id, c) for c in matched)
    return [c for c in every if c.id in found]


def either(items: list[str]) -> str:
    """'a, b or c' in the language of this run."""
    return format_list(items, style="or", locale=locale_of(current()))


def _unknown(ref: str, every: list[ev.SyncedCommunity], addressing: Addressing) -> NotFoundError:
    labels = {label(c, addressing): c for c in every}
    # compare with what people type (aliases) and what they read (names); suggest what to type
    by_name = {c.name: label(c, addressing) for c in every}
    near = close_matches(addressing.community_key(ref), list(labels))
    near += [by_name[n] for n in close_matches(ref, list(by_name)) if by_name[n] not in near]
    if near:
        return NotFoundError(
            _("no synced community named {ref}").format(ref=ref),
            hint=_("did you mean {communities}?").format(communities=either(near[:3])),
        )
    return NotFoundError(
        _("no synced community named {ref}").format(ref=ref),
        hint=_("synced communities: {names}; if {ref} is new, run `rse sync {ref}`").format(
            names=", ".join(sorted(labels)), ref=ref
        ),
    )
