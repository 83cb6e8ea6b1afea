"""rse digest: the periodic summary of a community, posted in its main room or e-mailed (for cron)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _

app = typer.Typer(help=_("Send community digests (best posts, newcomers, waiting questions)."), no_args_is_help=True)

# what a reader sees for a digest's status (the values stay English in --json)
STATUS = {
    "sent": N_("digest sent"),
    "already sent": N_("digest already sent for this period"),
    "dry run": N_("not sent (dry run)"),
}


class PeriodOpt(str, Enum):
    day = "day"
    week = "week"
    month = "month"


@app.command(
    "send",
    help=_(
        "Send each community's digest for the period, once: a re-run in the same period sends nothing.\n\n"
        "Reads the local store (run `rse sync` first, or pass --sync). Templates: `digest` in "
        "templates/{fr,en}/, overridable in templates_dir.\n\n"
        "Example: rse digest send --community ventes-ouest --period week --to email:equipe@example.org --dry-run"
    ),
)
def send(
    ctx: typer.Context,
    community: Annotated[
        Optional[list[str]], typer.Option("--community", "-c", help=_("Community (repeat; default: every synced one)."))
    ] = None,
    period: Annotated[
        PeriodOpt, typer.Option("--period", help=_("day, week or month: the span covered, sent once per calendar period."))
    ] = PeriodOpt.week,
    to: Annotated[
        str, typer.Option("--to", help=_("`room` (the community's main room) or `email:someone@example.org`."))
    ] = "room",
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Print the digests without sending anything."))] = False,
    sync_first: Annotated[
        bool,
        typer.Option("--sync/--no-sync", help=_("Pull new events from the network first (default: use the store as it is).")),
    ] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n
    from rse_cli.network.base import capabilities
    from rse_cli.services import digest

    c = ctx_of(ctx)
    if sync_first:
        from rse_cli.services.sync import sync

        sync(c.network(), c.store, community or None)
    results = digest.send(
        c.store,
        c.settings,
        network_factory=c.network,
        now=c.clock(),
        addressing=c.addressing,
        capabilities=capabilities(c.settings),
        communities=community,
        period=period.value,
        to=to,
        dry_run=dry_run,
        upcoming=_upcoming(c.store, c.addressing, c.settings.lang),
    )
    f = fmt(json_, format_)
    t = L10n(current())

    def where(d) -> str:
        return _("the main room") if d.recipient == "room" else d.recipient

    def span(d) -> str:
        return _("{start} to {end}").format(start=t.day(d.since), end=t.date(d.until))

    if dry_run and f is Format.table:
        from rse_cli.textformat import plain

        # what would be sent is Markdown (escaped names, links); on the terminal it reads as typed: "Data & IA"
        for d in results:
            c.stdout.write(
                _("# {community}, {span}, to {recipient}").format(community=d.community, span=span(d), recipient=where(d))
                + f"\n\n{plain(d.text)}\n"
            )
        return
    for d in results:
        c.say(
            _("{community} ({span}), to {recipient}: {status}").format(
                community=d.community, span=span(d), recipient=where(d), status=_(STATUS[d.status])
            )
        )
    if f is not Format.table:
        render(c, results, f, columns=["community", "period", "recipient", "status", "event_id"])


def _upcoming(store, addressing, lang: str = "fr"):
    """The animations feature's calendar, as the digest's `upcoming` hook (None when absent)."""
    try:
        from rse_cli.services.animations import calendar
    except ImportError:
        return None
    from rse_cli.services.digest import Animation
    from rse_cli.services.prompts import ritual_name  # rituals by their display name, never their slug

    def upcoming(community, start, end):
        keys = addressing.community_keys(community.id, community.name, community.alias)
        return [
            Animation(title=o.question or ritual_name(lang, o.model_dump()), at=o.at, where=o.room)
            for o in calendar(store, start, end - start, communities=keys - {""}, addressing=addressing)
        ]

    return upcoming
