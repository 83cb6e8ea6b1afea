"""rse leaders: brief leaders on what deserves their voice; never post in their name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Brief leaders with what is happening in their communities, and measure the effect.", no_args_is_help=True)

LeaderArg = Annotated[str, typer.Argument(help="The leader: full id (@dg:example.org), or their name.")]
WeeksOpt = Annotated[int, typer.Option("--weeks", min=1, max=52, help="How many weeks of synced history to read.")]
TzOpt = Annotated[str, typer.Option("--tz", help="Time zone of the 'most active' hours.")]


@app.command("add")
def add(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Argument(help="The leader's full id, e.g. @dg:example.org.")],
    scope: Annotated[list[str], typer.Option("--scope", "-s", help="A community in the leader's scope (repeat).")],
    name: Annotated[Optional[str], typer.Option("--name", help="How to name them in briefs.")] = None,
    pronoun: Annotated[Optional[str], typer.Option("--pronoun", help="Their grammatical gender in briefs: il, elle or iel (he, she, they).")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language of their briefs: fr or en (default: the profile's).")] = None,
    via: Annotated[Optional[str], typer.Option("--via", help="Their comms partner, who receives the briefs instead.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a leader (or update one) with the communities of their scope.

    Example: rse leaders add @dg:example.org --name "Claire Dumas" --pronoun elle --scope ventes-ouest --scope innovation --lang fr
    """
    from rse_cli.cli.output import render
    from rse_cli.errors import UsageError
    from rse_cli.services import prompts

    c = ctx_of(ctx)
    if lang not in (None, "fr", "en"):
        raise UsageError(f"--lang {lang}: fr or en")
    from rse_cli.network.base import addressing

    leader = prompts.add_leader(c.store, user_id, name=name, scopes=scope, lang=lang, via=via, pronoun=pronoun,
                                addressing=addressing(c.settings))
    if json_:
        render(c, leader, Format.json)
    else:
        c.say(f"leader {leader.id} ({', '.join(leader.scopes)})")


@app.command("list")
def list_(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """List leaders, from the store and the config's `leaders`.

    Example: rse leaders list --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import prompts

    c = ctx_of(ctx)
    render(c, prompts.leaders(c.store, c.settings.leaders), fmt(json_, format_), columns=["id", "name", "pronoun", "scopes", "lang", "via"])


@app.command("brief")
def brief(
    ctx: typer.Context,
    leader: LeaderArg,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write the brief (Markdown) to this file.")] = None,
    weeks: WeeksOpt = 4,
    tz: TzOpt = "Europe/Paris",
    json_: JsonOpt = False,
) -> None:
    """Draft a posting prompt for a leader from what happens in their scope (run `rse sync` first).

    Example: rse leaders brief @dg:example.org --out brief.md
    """
    from rse_cli.cli.output import render
    from rse_cli.services import leaders

    c = ctx_of(ctx)
    opts = leaders.BriefOptions(now=c.clock(), weeks=weeks, tz=tz)
    _, result = leaders.draft(c.store, c.settings, leader, opts, link=c.links(), addressing=c.addressing, templates_for=c.templates)
    if out is not None:
        out.write_text(result.text, encoding="utf-8")
        c.say(f"brief written to {out}")
    if json_:
        render(c, result, Format.json)
    elif out is None:
        c.stdout.write(result.text)


@app.command("send")
def send(
    ctx: typer.Context,
    leader: LeaderArg,
    via: Annotated[Optional[str], typer.Option("--via", help="Send to this comms partner instead of the leader.")] = None,
    weeks: WeeksOpt = 4,
    tz: TzOpt = "Europe/Paris",
    json_: JsonOpt = False,
) -> None:
    """Send the brief as a direct message to the leader, or to their comms partner.

    Example: rse leaders send @dg:example.org --via @comms:example.org
    """
    from rse_cli.cli.output import render
    from rse_cli.services import leaders

    c = ctx_of(ctx)
    opts = leaders.BriefOptions(now=c.clock(), weeks=weeks, tz=tz)
    sent = leaders.send(c.network(), c.store, c.settings, leader, opts, via=via, addressing=c.addressing, templates_for=c.templates)
    if json_:
        render(c, sent, Format.json)
    else:
        c.say(f"brief for {sent.leader} sent to {sent.recipient}" if sent.sent else f"this brief was already sent to {sent.recipient}")


@app.command("report")
def report(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """Measure the effect of briefs: leader posts within 7 days and what they drew (run `rse sync` first).

    Example: rse leaders report --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import prompts

    c = ctx_of(ctx)
    render(c, prompts.report(c.store, c.settings.leaders), fmt(json_, format_),
           columns=["leader", "name", "briefs", "last_brief", "posts_after", "hours_to_first_post", "replies", "reactions"])
