"""rse journal: every write rse made to the network, newest first."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format


def journal(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many entries.")] = 50,
    action: Annotated[Optional[str], typer.Option("--action", help="Only this action, e.g. post or member.*")] = None,
    all_profiles: Annotated[bool, typer.Option("--all-profiles", help="Entries of every profile.")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Show the journal of every write rse made to the network, newest first.

    Example: rse journal --limit 20 --json
    """
    from rse_cli.cli.output import render

    c = ctx_of(ctx)
    entries = c.store.journal_entries(limit=limit, action=action, all_profiles=all_profiles)
    render(c, entries, fmt(json_, format_), columns=["at", "profile", "action", "target", "outcome", "detail"])
