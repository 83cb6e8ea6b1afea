"""Leader briefs as one call each: draft (`rse leaders brief`) and send (`rse leaders send`).

A brief reads only synced state (`rse sync`); sending goes through `send_once`, so the same
brief is never sent twice to the same person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from rse_cli.network.base import Addressing, Capabilities, Network
from rse_cli.services import animations, prompts
from rse_cli.services.posting import build_message
from rse_cli.services.prompts import Brief, Leader
from rse_cli.services.writes import send_once
from rse_cli.store import Store
from rse_cli.templating import Templates

if TYPE_CHECKING:
    from rse_cli.config import Settings

__all__ = ["BriefOptions", "BriefSent", "draft", "send"]

UPCOMING = timedelta(days=14)  # the animations a brief announces


class BriefSent(BaseModel):
    leader: str
    recipient: str
    leader_name: str | None = None  # what a reader sees (ids only in --json)
    recipient_name: str | None = None
    room_id: str
    event_id: str | None
    txn_id: str
    sent: bool  # False: this very brief had been sent before


@dataclass(frozen=True)
class BriefOptions:
    """What a brief covers: the weeks of synced history read up to `now`, hours told in `tz`."""

    now: datetime
    weeks: int = 4
    tz: str = "Europe/Paris"


def draft(
    store: Store,
    settings: Settings,
    ref: str,
    opts: BriefOptions,
    *,
    link: Callable[[str, str | None], str],
    addressing: Addressing,
    templates_for: Callable[[str], Templates],
    capabilities: Capabilities | None = None,
    via: str | None = None,
) -> tuple[Leader, Brief]:
    """The leader named `ref` and their brief, its text rendered in their language."""
    leader = prompts.get_leader(store, ref, settings.leaders, short_name=addressing.short_name)
    keys: set[str] = set()
    for community in prompts.scope_of(store, leader, addressing):
        keys |= addressing.community_keys(community.id, community.name, community.alias)
    upcoming = [o.model_dump() for o in animations.calendar(store, opts.now, UPCOMING, communities=keys, addressing=addressing)]
    lang = leader.lang or settings.lang
    brief = prompts.build_brief(
        store,
        leader,
        now=opts.now,
        weeks=opts.weeks,
        me=settings.user,
        link=link,
        lang=lang,
        tz=opts.tz,
        qa_rooms=settings.qa_rooms,
        upcoming=upcoming,
        addressing=addressing,
        capabilities=capabilities,
    )
    brief.text = prompts.render_brief(templates_for(lang), brief, via=via)
    return leader, brief


def send(
    network: Network,
    store: Store,
    settings: Settings,
    ref: str,
    opts: BriefOptions,
    *,
    via: str | None,
    addressing: Addressing,
    templates_for: Callable[[str], Templates],
) -> BriefSent:
    """Send the brief as a direct message to the leader, or to `via` (else their recorded comms partner)."""
    recipient = via or prompts.get_leader(store, ref, settings.leaders, short_name=addressing.short_name).via
    leader, brief = draft(
        store,
        settings,
        ref,
        opts,
        link=network.link,
        addressing=addressing,
        templates_for=templates_for,
        capabilities=network.capabilities,
        via=recipient,
    )
    person = network.resolve_person(recipient or leader.id)
    sent = send_once(
        network,
        store,
        action="leader-brief",
        target=person.id,
        room_id=None,
        message=build_message(brief.text),
        room_for=lambda: network.direct_room(person.id),
    )
    prompts.record_brief(store, leader.id, person.id, sent, opts.now)
    return BriefSent(
        leader=leader.id,
        recipient=person.id,
        leader_name=brief.name,
        recipient_name=person.display_name,
        room_id=sent.room_id,
        event_id=sent.event_id,
        txn_id=sent.txn_id,
        sent=sent.sent,
    )
