"""What the network's data cannot tell exactly, said next to the figures it affects.

Two limits, both read from the connector's capabilities (services never branch on a name):

- `approximate_join_dates`: the network gives no dated joins (`dated_memberships` False, e.g.
  Viva Engage: only the current member list). rse then dates a member's arrival by their first
  message in the community, so new members, introductions and newcomer retention count only
  people who wrote: silent newcomers are missing, and retention's "posted" share is overstated.
- `feed_may_be_incomplete`: the community is one conversation feed (`structure` feed) read
  page by page; such feeds may return a subset of the messages (Microsoft: the Yammer messages
  endpoints cut long threads and are not meant for bulk reading), so counts may be low. The sync
  does not yet record whether a community came from a complete export: until it does, every
  feed-structured network gets the note.

`--json` carries each note as {code, metrics, message}: `code` and `metrics` are stable keys and
values; `message` is in the language of the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel

from rse_cli.i18n import _
from rse_cli.network.base import Structure

if TYPE_CHECKING:
    from rse_cli.network.base import Capabilities

__all__ = ["APPROXIMATE_JOINS", "INCOMPLETE_FEED", "Note", "codes", "report_notes"]

APPROXIMATE_JOINS = "approximate_join_dates"
INCOMPLETE_FEED = "feed_may_be_incomplete"
JOIN_METRICS = ["new_members", "introductions", "newcomer_retention"]
COUNT_METRICS = ["messages", "posts", "replies", "reactions", "questions", "unanswered_questions", "contributors"]


class Note(BaseModel):
    code: str
    metrics: list[str]
    message: str


def dated_joins(capabilities: Capabilities | None) -> bool:
    return capabilities is None or capabilities.dated_memberships


def feed_sourced(capabilities: Capabilities | None) -> bool:
    """Whether events were read from conversation feeds that may be incomplete (see the module doc)."""
    return capabilities is not None and capabilities.structure is Structure.feed


def codes(capabilities: Capabilities | None) -> list[str]:
    """The codes of the notes that apply, for templates (digest, brief) that word them themselves."""
    out = []
    if not dated_joins(capabilities):
        out.append(APPROXIMATE_JOINS)
    if feed_sourced(capabilities):
        out.append(INCOMPLETE_FEED)
    return out


def report_notes(capabilities: Capabilities | None) -> list[Note]:
    """The notes of a report built from this network's synced data."""
    out = []
    for code in codes(capabilities):
        if code == APPROXIMATE_JOINS:
            out.append(
                Note(
                    code=code,
                    metrics=JOIN_METRICS,
                    message=_(
                        "Approximate: this network does not date when people join, so a member's arrival is dated by their "
                        "first message. New members, introductions and newcomer retention count only people who wrote; "
                        "silent newcomers are missing."
                    ),
                )
            )
        else:
            out.append(
                Note(
                    code=code,
                    metrics=COUNT_METRICS,
                    message=_(
                        "May be incomplete: messages were read from the community feeds, which this network may return "
                        "only in part (long threads cut); without an administrator's data export, counts may be low."
                    ),
                )
            )
    return out
