"""rse community: create, list and show communities (Matrix Spaces and their rooms)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, NP_, _

# a member's status and role in words (--json keeps the network-neutral values: join, invite, animator…)
MEMBERSHIP = {
    "join": NP_("a member's status", "joined"),
    "invite": NP_("a member's status", "invited"),
    "leave": NP_("a member's status", "left"),
    "ban": NP_("a member's status", "banned"),
    "knock": NP_("a member's status", "asked to join"),
}
ROLES = {"member": N_("member"), "animator": N_("animator"), "moderator": N_("moderator"), "owner": N_("owner")}

app = typer.Typer(help=_("Create and inspect communities."), no_args_is_help=True)


@app.command(
    "create",
    help=_(
        "Create a community with its rooms, animators and moderators.\n\n"
        'Example: rse community create "Ventes Ouest" --alias ventes-ouest --room Général '
        "--room Questions --animator @marc:example.org"
    ),
)
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_('Display name, e.g. "Ventes Ouest".'))],
    alias: Annotated[Optional[str], typer.Option("--alias", help=_("Short address, e.g. ventes-ouest."))] = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help=_("What the community is for."))] = None,
    room: Annotated[
        Optional[list[str]],
        typer.Option("--room", help=_("A room to create (repeat). Default: Général, on a network with rooms.")),
    ] = None,
    animator: Annotated[Optional[list[str]], typer.Option("--animator", help=_("Person who animates it (repeat)."))] = None,
    moderator: Annotated[Optional[list[str]], typer.Option("--moderator", help=_("Person who moderates it (repeat)."))] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import communities

    c = ctx_of(ctx)
    created = communities.create(
        c.network(),
        c.store,
        name,
        alias=alias,
        topic=topic,
        rooms=room or [],
        animators=animator or [],
        moderators=moderator or [],
    )
    f = fmt(json_, format_)
    if f is not Format.table:
        render(c, created.community, f)  # the community as the network shows it: ids and all
        return
    c.stdout.write(summary(created, verbose=c.verbose) + "\n")


def summary(created, *, verbose: bool = False) -> str:
    """A readable account of `community create`: name, link, rooms by name, staff; ids only when verbose."""
    from rse_cli.i18n import ngettext

    community = created.community
    lines = [_("Community “{name}” created.").format(name=community.name)]
    if community.link:
        lines.append("  " + _("Link: {link}").format(link=community.link))
    if verbose:
        lines.append("  " + _("Id: {id}").format(id=community.id))
    if community.rooms:
        rooms = ", ".join(r.name + (f" ({r.id})" if verbose else "") for r in community.rooms)
        lines.append("  " + ngettext("Room: {rooms}", "Rooms: {rooms}", len(community.rooms)).format(rooms=rooms))
    else:
        lines.append("  " + _("One conversation feed, without rooms."))
    for change in created.staff:
        who = change.display_name or change.person
        if verbose and change.display_name:
            who = f"{who} ({change.person})"
        if change.role.value == "moderator":
            line = _("Moderator invited: {person}") if change.action == "invited" else _("Moderator: {person}")
        else:
            line = _("Animator invited: {person}") if change.action == "invited" else _("Animator: {person}")
        lines.append("  " + line.format(person=who))
    return "\n".join(lines)


@app.command("list", help=_("List the communities the account belongs to.\n\nExample: rse community list --json"))
def list_(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render

    c = ctx_of(ctx)
    items = c.network().list_communities()
    if format_ is Format.table and not json_:
        rows = [{"name": x.name, "alias": x.alias, "members": x.member_count, "rooms": [r.name for r in x.rooms]} for x in items]
        render(c, rows, Format.table, title=_("Communities"))
        return
    render(c, items, fmt(json_, format_))


@app.command(
    "show",
    help=_("Show a community: its rooms, animators, moderators and members.\n\nExample: rse community show ventes-ouest --json"),
)
def show(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help=_("Alias, id or name."))],
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import communities

    c = ctx_of(ctx)
    detail = communities.show(c.network(), community)
    f = fmt(json_, format_)
    if f is not Format.table:
        render(c, detail, f)
        return
    render(c, detail.community, f, columns=["name", "alias", "topic", "link"])
    render(c, detail.community.rooms, f, columns=["name", "alias", "topic"], title=_("Rooms"))
    rows = [
        {
            "id": m.id,
            "display_name": m.display_name,
            "membership": _(MEMBERSHIP.get(m.membership, m.membership)),
            "role": _(ROLES.get(m.role.value, m.role.value)),
        }
        for m in detail.members
    ]
    members = ["display_name", "membership", "role"] if not c.verbose else ["id", "display_name", "membership", "role"]
    render(c, rows, f, columns=members, title=_("Members"))
