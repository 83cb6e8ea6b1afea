"""rse sandbox: a local Matrix network (Synapse on 127.0.0.1) to try rse without a server."""

from __future__ import annotations

from typing import Annotated

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import _

app = typer.Typer(help=_("Run a local sandbox network to try rse safely."), no_args_is_help=True)


@app.command(
    "up",
    help=_(
        "Start the sandbox (needs rse-cli[sandbox]) and select its `sandbox` profile; harmless twice.\n\nExample: rse sandbox up"
    ),
)
def up(ctx: typer.Context) -> None:
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    st = sandbox.up(c.config_path)
    c.say(
        _("sandbox running at {url}; profile “sandbox” selected").format(url=st.url) + (f" (pid {st.pid})" if c.verbose else "")
    )


@app.command(
    "status", help=_("Show whether the sandbox runs, where, and its data directory.\n\nExample: rse sandbox status --json")
)
def status(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import sandbox

    render(ctx_of(ctx), sandbox.status(), fmt(json_, format_))


@app.command(
    "down",
    help=_(
        "Stop the sandbox server and wait until it is gone (its data is kept for the next `up`).\n\nExample: rse sandbox down"
    ),
)
def down(ctx: typer.Context) -> None:
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    c.say(_("sandbox stopped") if sandbox.down() else _("the sandbox was not running"))


@app.command(
    "seed",
    help=_("""Fill the sandbox with a fictional French company and its history; safe to re-run.

Writes the HR export (hr_export.csv) to the sandbox directory and the company's leaders
to the `sandbox` profile. Re-running with the same arguments adds nothing; other
arguments need --reset.

Example: rse sandbox seed --seed 42 --people 300 --days 90"""),
)
def seed(
    ctx: typer.Context,
    seed_: Annotated[int, typer.Option("--seed", help=_("Seed of the generated company: same seed, same company."))] = 42,
    people: Annotated[int, typer.Option("--people", min=40, help=_("Number of employees."))] = 300,
    days: Annotated[int, typer.Option("--days", min=50, help=_("Days of history, ending now."))] = 90,
    reset: Annotated[bool, typer.Option("--reset", help=_("Stop the sandbox, wipe its data and start it again first."))] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.i18n import ngettext
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    with c.progress(_("seeding")) as bar:
        summary = sandbox.seed(
            c.config_path, seed=seed_, people=people, days=days, reset=reset, progress=bar.update if bar else None
        )
    c.say(
        _("sandbox seeded: {written}, {skipped} already there, in {seconds} s").format(
            written=ngettext("{n} event written", "{n} events written", summary.sent).format(n=summary.sent),
            skipped=summary.skipped,
            seconds=f"{summary.seconds:g}",
        )
    )
    render(c, summary, fmt(json_, format_))
