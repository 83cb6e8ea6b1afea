"""rse sync: pull new events into the local store (what audits, funnels and briefs read)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format


def sync(
    ctx: typer.Context,
    communities: Annotated[Optional[list[str]], typer.Argument(help="Communities to sync (default: all).")] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Pull what is new since the last sync into the local store; safe to interrupt and re-run.

    Example: rse sync ventes-ouest --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services.sync import sync as do_sync

    c = ctx_of(ctx)
    progress = None
    if c.err.is_terminal:
        from rich.progress import Progress, SpinnerColumn, TextColumn

        bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} events"), console=c.err, transient=True)
        task = bar.add_task("sync", total=None)
        bar.start()

        def progress(where: str, n: int) -> None:
            bar.update(task, description=where, advance=n)
    try:
        results = do_sync(c.network(), c.store, communities or None, progress=progress)
    finally:
        if progress:
            bar.stop()
    total = sum(r.new_events for r in results)
    c.say(f"{total} new event(s) in {len(results)} room(s)")
    render(c, results, fmt(json_, format_), columns=["community", "room", "new_events", "resumed"])
