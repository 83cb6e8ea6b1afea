"""rse journal: every write rse made to the network, newest first."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import _

HELP = _("Show the journal of every write rse made to the network, newest first.\n\nExample: rse journal --limit 20 --json")


def journal(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help=_("How many entries."))] = 50,
    action: Annotated[Optional[str], typer.Option("--action", help=_("Only this action, e.g. post or member.*"))] = None,
    all_profiles: Annotated[bool, typer.Option("--all-profiles", help=_("Entries of every profile."))] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render

    c = ctx_of(ctx)
    entries = c.store.journal_entries(limit=limit, action=action, all_profiles=all_profiles)
    render(
        c, entries, fmt(json_, format_), columns=["at", "profile", "action", "target", "outcome", "detail"], title=_("Journal")
    )
