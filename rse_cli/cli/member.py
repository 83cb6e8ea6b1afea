"""rse member: add people to a community with a role, and list who is in it."""

from __future__ import annotations

from typing import Annotated

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _
from rse_cli.roles import Role

# what `member add` did, in words (--json keeps the values)
ACTIONS = {
    "invited": N_("invitation sent"),
    "joined": N_("added directly"),
    "role": N_("role given"),
    "unchanged": N_("already done"),
    "failed": N_("failed"),
}
ROLES = {"member": N_("member"), "animator": N_("animator"), "moderator": N_("moderator"), "owner": N_("owner")}

app = typer.Typer(help=_("Add people to communities and list their members."), no_args_is_help=True)


@app.command(
    "add",
    help=_(
        "Invite people into a community (and give them a role); safe to re-run.\n\n"
        "Example: rse member add ventes-ouest @a:example.org @b:example.org --role animator"
    ),
)
def add(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help=_("Alias, id or name of the community."))],
    people: Annotated[list[str], typer.Argument(help=_("Ids, e-mails or exact display names."))],
    role: Annotated[Role, typer.Option("--role", help=_("member, animator or moderator."))] = Role.member,
    join: Annotated[bool, typer.Option("--join", help=_("Add them directly instead of inviting (server admins only)."))] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.errors import BatchError, ExitCode
    from rse_cli.i18n import ngettext
    from rse_cli.services import communities

    c = ctx_of(ctx)
    results = communities.add_members(c.network(), c.store, community, people, role=role, join=join)
    f = fmt(json_, format_)
    if f is Format.table and not c.verbose:  # people by name, what happened in words; ids with --verbose or --json
        rows = [
            {
                "person": r.display_name or r.person,
                "action": _(ACTIONS.get(r.action, r.action)),
                "role": _(ROLES[r.role.value]) if r.role else "",
                "error": r.error,
            }
            for r in results
        ]
        render(c, rows, f, columns=["person", "action", "role", "error"])
    else:
        render(c, results, f, columns=["person", "display_name", "action", "role", "error"])
    failed = [r for r in results if r.action == "failed"]
    if failed:
        raise BatchError(
            ngettext(
                "{failed} of {n} person could not be added", "{failed} of {n} people could not be added", len(results)
            ).format(failed=len(failed), n=len(results)),
            exit_code=failed[0].exit_code or ExitCode.ERROR,
        )


@app.command(
    "list",
    help=_("List the members of a community with their membership and role.\n\nExample: rse member list ventes-ouest --json"),
)
def list_(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help=_("Alias, id or name of the community."))],
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services.communities import find_community

    c = ctx_of(ctx)
    net = c.network()
    members = net.list_members(find_community(net, community))
    render(c, members, fmt(json_, format_), columns=["id", "display_name", "membership", "role", "power"])
