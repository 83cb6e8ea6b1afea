"""rse leaders: brief leaders on what deserves their voice; never post in their name."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import _

app = typer.Typer(
    help=_("Brief leaders with what is happening in their communities, and measure the effect."), no_args_is_help=True
)

LeaderArg = Annotated[str, typer.Argument(help=_("The leader: their person id on the network, or their name."))]
WeeksOpt = Annotated[int, typer.Option("--weeks", min=1, max=52, help=_("How many weeks of synced history to read."))]
TzOpt = Annotated[str, typer.Option("--tz", help=_("Time zone of the 'most active' hours."))]


@app.command(
    "add",
    help=_(
        "Add a leader (or update one) with the communities of their scope.\n\n"
        'Example: rse leaders add @dg:example.org --name "Claire Dumas" --pronoun elle --scope ventes-ouest --scope innovation --lang fr'
    ),
)
def add(
    ctx: typer.Context,
    user_id: Annotated[str, typer.Argument(help=_("The leader's person id on the network, e.g. @dg:example.org on Matrix."))],
    scope: Annotated[list[str], typer.Option("--scope", "-s", help=_("A community in the leader's scope (repeat)."))],
    name: Annotated[Optional[str], typer.Option("--name", help=_("How to name them in briefs."))] = None,
    pronoun: Annotated[
        Optional[str], typer.Option("--pronoun", help=_("Their grammatical gender in briefs: il, elle or iel (he, she, they)."))
    ] = None,
    lang: Annotated[
        Optional[str], typer.Option("--lang", help=_("Language of their briefs: fr or en (default: the profile's)."))
    ] = None,
    via: Annotated[Optional[str], typer.Option("--via", help=_("Their comms partner, who receives the briefs instead."))] = None,
    json_: JsonOpt = False,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.errors import UsageError
    from rse_cli.services import prompts

    c = ctx_of(ctx)
    if lang not in (None, "fr", "en"):
        raise UsageError(_("--lang {lang}: expected fr or en").format(lang=lang))
    leader = prompts.add_leader(
        c.store, user_id, name=name, scopes=scope, lang=lang, via=via, pronoun=pronoun, addressing=c.addressing
    )
    if json_:
        render(c, leader, Format.json)
    else:
        c.say(_("leader {name}: {scopes}").format(name=leader.name or leader.id, scopes=", ".join(leader.scopes)))


@app.command("list", help=_("List leaders, from the store and the config's `leaders`.\n\nExample: rse leaders list --json"))
def list_(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import prompts

    c = ctx_of(ctx)
    found = prompts.leaders(c.store, c.settings.leaders, c.addressing)
    f = fmt(json_, format_)
    if f is not Format.table:
        render(c, found, f, columns=["id", "name", "pronoun", "scopes", "lang", "via"])
        return
    rows = []
    for x in found:
        row = {
            _("name"): x.name or c.addressing.short_name(x.id),
            _("scopes"): ", ".join(x.scopes),
            _("pronoun"): x.pronoun or "",
            _("language"): x.lang or "",
            _("via"): x.via or "",
        }
        rows.append({_("id"): x.id, **row} if c.verbose else row)  # ids only on demand
    render(c, rows, Format.table, title=_("Leaders"))


@app.command(
    "brief",
    help=_(
        "Draft a posting prompt for a leader from what happens in their scope (run `rse sync` first).\n\n"
        "Example: rse leaders brief @dg:example.org --out brief.md"
    ),
)
def brief(
    ctx: typer.Context,
    leader: LeaderArg,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help=_("Write the brief (Markdown) to this file."))] = None,
    weeks: WeeksOpt = 4,
    tz: TzOpt = "Europe/Paris",
    json_: JsonOpt = False,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.network.base import capabilities
    from rse_cli.services import leaders

    c = ctx_of(ctx)
    opts = leaders.BriefOptions(now=c.clock(), weeks=weeks, tz=tz)
    _leader, result = leaders.draft(
        c.store,
        c.settings,
        leader,
        opts,
        link=c.links(),
        addressing=c.addressing,
        templates_for=c.templates,
        capabilities=capabilities(c.settings),
    )
    if out is not None:
        out.write_text(result.text, encoding="utf-8")
        c.say(_("brief written to {path}").format(path=out))
    if json_:
        render(c, result, Format.json)
    elif out is None:
        from rse_cli.textformat import plain

        # the file (--out) and --json keep the Markdown source; the terminal shows it as typed ("Data & IA")
        c.stdout.write(plain(result.text))


@app.command(
    "send",
    help=_(
        "Send the brief as a direct message to the leader, or to their comms partner.\n\n"
        "Example: rse leaders send @dg:example.org --via @comms:example.org"
    ),
)
def send(
    ctx: typer.Context,
    leader: LeaderArg,
    via: Annotated[Optional[str], typer.Option("--via", help=_("Send to this comms partner instead of the leader."))] = None,
    weeks: WeeksOpt = 4,
    tz: TzOpt = "Europe/Paris",
    json_: JsonOpt = False,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import leaders

    c = ctx_of(ctx)
    opts = leaders.BriefOptions(now=c.clock(), weeks=weeks, tz=tz)
    sent = leaders.send(
        c.network(), c.store, c.settings, leader, opts, via=via, addressing=c.addressing, templates_for=c.templates
    )
    if json_:
        render(c, sent, Format.json)
    elif sent.sent:
        c.say(
            _("brief for {leader} sent to {recipient}").format(
                leader=sent.leader_name or sent.leader, recipient=sent.recipient_name or sent.recipient
            )
        )
    else:
        c.say(_("this brief was already sent to {recipient}").format(recipient=sent.recipient_name or sent.recipient))


@app.command(
    "report",
    help=_(
        "Measure the effect of briefs: leader posts within 7 days and what they drew (run `rse sync` first).\n\n"
        "Example: rse leaders report --json"
    ),
)
def report(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import prompts

    c = ctx_of(ctx)
    rows = prompts.report(c.store, c.settings.leaders, addressing=c.addressing)
    f = fmt(json_, format_)
    if f is not Format.table:
        render(
            c,
            rows,
            f,
            columns=[
                "leader",
                "name",
                "scopes",
                "briefs",
                "last_brief",
                "posts_after",
                "hours_to_first_post",
                "replies",
                "reactions",
            ],
        )
        return
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    t = L10n(current())
    table = []
    for r in rows:
        row = {
            _("name"): r.name or c.addressing.short_name(r.leader),
            _("scopes"): ", ".join(r.scopes),
            _("briefs"): r.briefs,
            _("last brief"): t.date(r.last_brief) if r.last_brief else "",
            _("posts after"): r.posts_after,
            _("hours to first post"): t.num(r.hours_to_first_post) if r.hours_to_first_post is not None else "",
            _("replies"): r.replies,
            _("reactions"): r.reactions,
        }
        table.append({_("id"): r.leader, **row} if c.verbose else row)
    render(c, table, Format.table, title=_("Effect of the briefs"))
