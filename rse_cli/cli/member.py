"""rse member: add people to a community with a role, and list who is in it."""

from __future__ import annotations

from typing import Annotated

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.roles import Role

app = typer.Typer(help="Add people to communities and list their members.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help="Alias, id or name of the community.")],
    people: Annotated[list[str], typer.Argument(help="Matrix IDs, e-mails or exact display names.")],
    role: Annotated[Role, typer.Option("--role", help="member, animator or moderator.")] = Role.member,
    join: Annotated[bool, typer.Option("--join", help="Add them directly instead of inviting (server admins only).")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Invite people into a community (and give them a role); safe to re-run.

    Example: rse member add ventes-ouest @a:example.org @b:example.org --role animator
    """
    from rse_cli.cli.output import render
    from rse_cli.errors import BatchError, ExitCode
    from rse_cli.services import communities

    c = ctx_of(ctx)
    results = communities.add_members(c.network(), c.store, community, people, role=role, join=join)
    render(c, results, fmt(json_, format_), columns=["person", "display_name", "action", "role", "error"])
    failed = [r for r in results if r.action == "failed"]
    if failed:
        raise BatchError(f"{len(failed)} of {len(results)} could not be added", exit_code=failed[0].exit_code or ExitCode.ERROR)


@app.command("list")
def list_(
    ctx: typer.Context,
    community: Annotated[str, typer.Argument(help="Alias, id or name of the community.")],
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """List the members of a community with their membership and role.

    Example: rse member list ventes-ouest --json
    """
    from rse_cli.cli.output import render

    c = ctx_of(ctx)
    net = c.network()
    members = net.list_members(net.get_community(community))
    render(c, members, fmt(json_, format_), columns=["id", "display_name", "membership", "role", "power"])
