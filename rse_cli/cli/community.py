"""rse community: create, list and show communities (Matrix Spaces and their rooms)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Create and inspect communities.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Display name, e.g. \"Ventes Ouest\".")],
    alias: Annotated[Optional[str], typer.Option("--alias", help="Short address, e.g. ventes-ouest.")] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="What the community is for.")] = None,
    room: Annotated[Optional[list[str]], typer.Option("--room", help="A room to create (repeat). Default: Général.")] = None,
    animator: Annotated[Optional[list[str]], typer.Option("--animator", help="Person who animates it (repeat).")] = None,
    moderator: Annotated[Optional[list[str]], typer.Option("--moderator", help="Person who moderates it (repeat).")] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Create a community with its rooms, animators and moderators.

    Example: rse community create "Ventes Ouest" --alias ventes-ouest --room Général --room Questions --animator @marc:example.org
    """
    from rse_cli.cli.output import render
    from rse_cli.services import communities

    c = ctx_of(ctx)
    created = communities.create(c.network(), c.store, name, alias=alias, topic=topic, rooms=room or [],
                                 animators=animator or [], moderators=moderator or [])
    c.say(f"created {created.name} with {len(created.rooms)} room(s)")
    render(c, created, fmt(json_, format_), columns=["id", "name", "alias", "topic", "rooms", "link"])


@app.command("list")
def list_(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """List the communities the account belongs to.

    Example: rse community list --json
    """
    from rse_cli.cli.output import render

    c = ctx_of(ctx)
    items = c.network().list_communities()
    if format_ is Format.table and not json_:
        rows = [{"name": x.name, "alias": x.alias, "members": x.member_count, "rooms": [r.name for r in x.rooms]} for x in items]
        render(c, rows, Format.table)
        return
    render(c, items, fmt(json_, format_))


@app.command("show")
def show(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help="Alias, id or name.")],
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Show a community: its rooms, animators, moderators and members.

    Example: rse community show ventes-ouest --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import communities

    c = ctx_of(ctx)
    detail = communities.show(c.network(), community)
    f = fmt(json_, format_)
    if f is not Format.table:
        render(c, detail, f)
        return
    render(c, detail.community, f, columns=["name", "alias", "topic", "link"])
    render(c, detail.community.rooms, f, columns=["name", "alias", "topic"], title="Rooms")
    render(c, detail.members, f, columns=["id", "display_name", "membership", "role"], title="Members")
