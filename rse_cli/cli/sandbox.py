"""rse sandbox: a local Matrix network (Synapse on 127.0.0.1) to try rse without a server."""

from __future__ import annotations

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
