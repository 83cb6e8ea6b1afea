"""rse sync: pull new events into the local store (what audits, funnels and briefs read)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import _

HELP = _(
    "Pull what is new since the last sync into the local store; safe to interrupt and re-run.\n\n"
    "Example: rse sync ventes-ouest --json"
)


def sync(
    ctx: typer.Context,
    communities: Annotated[Optional[list[str]], typer.Argument(help=_("Communities to sync (default: all)."))] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.i18n import ngettext
    from rse_cli.services.sync import sync as do_sync

    c = ctx_of(ctx)
    with c.progress(_("sync"), counting=_("events")) as bar:
        results = do_sync(c.network(), c.store, communities or None, progress=bar.advance if bar else None)
    total = sum(r.new_events for r in results)
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    num = L10n(current()).num  # "2 787" in French
    rooms = ngettext("{n} room", "{n} rooms", len(results)).format(n=num(len(results)))
    c.say(ngettext("{total} new event in {rooms}", "{total} new events in {rooms}", total).format(total=num(total), rooms=rooms))
    render(c, results, fmt(json_, format_), columns=["community", "room", "new_events", "resumed"])
