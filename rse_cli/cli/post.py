"""rse post / rse dm: write in a community's room, or to one person."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import JsonOpt, ctx_of
from rse_cli.i18n import _

TextOpt = Annotated[Optional[str], typer.Option("--text", "-t", help=_("The message (Markdown)."))]
FileOpt = Annotated[Optional[Path], typer.Option("--file", help=_("Read the message from a UTF-8 Markdown file."))]
AgainOpt = Annotated[bool, typer.Option("--again", help=_("Send it even if this exact message was already sent."))]


POST_HELP = _(
    "Post a message in a community's room (or its feed); a re-run never posts it twice.\n\n"
    "Example: rse post ventes-ouest/Général --file note.md"
)
DM_HELP = _(
    "Send a direct message, in the existing conversation with that person if there is one.\n\n"
    'Example: rse dm @a:example.org --text "Bienvenue !"'
)


def _report(ctx: typer.Context, sent, json_: bool, where: str) -> None:
    from rse_cli.cli.output import Format, render

    c = ctx_of(ctx)
    if json_:
        render(c, sent, Format.json)
    elif sent.sent:
        c.say(_("sent to {where}").format(where=where) + (f" ({sent.event_id})" if c.verbose else ""))
    else:
        c.say(_("already sent to {where}; use --again to send it once more").format(where=where))


def post(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help=_("COMMUNITY/ROOM, e.g. ventes-ouest/Général (COMMUNITY alone on a network where a community is one feed).")
        ),
    ],
    text: TextOpt = None,
    file: FileOpt = None,
    mention: Annotated[Optional[list[str]], typer.Option("--mention", help=_("Person to notify (repeat)."))] = None,
    again: AgainOpt = False,
    json_: JsonOpt = False,
) -> None:
    from rse_cli.services.posting import post as do_post
    from rse_cli.services.posting import read_text

    c = ctx_of(ctx)
    body = read_text(text, file)
    _report(ctx, do_post(c.network(), c.store, target, body, mentions=mention, again=again), json_, target)


def dm(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help=_("Id, e-mail or exact display name."))],
    text: TextOpt = None,
    file: FileOpt = None,
    again: AgainOpt = False,
    json_: JsonOpt = False,
) -> None:
    from rse_cli.services.posting import direct_message, read_text

    c = ctx_of(ctx)
    body = read_text(text, file)
    _report(ctx, direct_message(c.network(), c.store, person, body, again=again), json_, person)
