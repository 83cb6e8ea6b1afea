"""rse sandbox: a local Matrix network (Synapse on 127.0.0.1) to try rse without a server."""

from __future__ import annotations

from typing import Annotated

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Run a local sandbox network to try rse safely.", no_args_is_help=True)


@app.command("up")
def up(ctx: typer.Context) -> None:
    """Start the sandbox (needs rse-cli[sandbox]) and select its `sandbox` profile; harmless twice.

    Example: rse sandbox up
    """
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    st = sandbox.up(c.config_path)
    c.say(f"sandbox running at {st.url} (pid {st.pid}); profile 'sandbox' selected")


@app.command("status")
def status(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """Show whether the sandbox runs, where, and its data directory.

    Example: rse sandbox status --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import sandbox

    render(ctx_of(ctx), sandbox.status(), fmt(json_, format_))


@app.command("down")
def down(ctx: typer.Context) -> None:
    """Stop the sandbox server (its data is kept for the next `up`).

    Example: rse sandbox down
    """
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    c.say("sandbox stopped" if sandbox.down() else "sandbox was not running")


@app.command("seed")
def seed(
    ctx: typer.Context,
    seed_: Annotated[int, typer.Option("--seed", help="Seed of the generated company: same seed, same company.")] = 42,
    people: Annotated[int, typer.Option("--people", min=40, help="Number of employees.")] = 300,
    days: Annotated[int, typer.Option("--days", min=50, help="Days of history, ending now.")] = 90,
    reset: Annotated[bool, typer.Option("--reset", help="Stop the sandbox, wipe its data and start it again first.")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Fill the sandbox with a fictional French company and its history; safe to re-run.

    Writes the HR export (hr_export.csv) to the sandbox directory and the company's leaders
    to the `sandbox` profile. Re-running with the same arguments adds nothing; other
    arguments need --reset.

    Example: rse sandbox seed --seed 42 --people 300 --days 90
    """
    from rse_cli.cli.output import render
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    with c.progress("seeding") as bar:
        summary = sandbox.seed(c.config_path, seed=seed_, people=people, days=days, reset=reset, progress=bar.update if bar else None)
    c.say(f"sandbox seeded: {summary.sent} events written, {summary.skipped} already there, in {summary.seconds:g} s")
    render(c, summary, fmt(json_, format_))
