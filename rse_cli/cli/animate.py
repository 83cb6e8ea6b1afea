"""rse animate: schedule the community's rituals and publish them from cron, exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _

if TYPE_CHECKING:
    from datetime import datetime

app = typer.Typer(help=_("Schedule rituals (weekly question, kudos, AMA) and publish them from cron."), no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help=_("The animation's name, e.g. weekly-question."))]

# table headers and states, translated when shown (--json and --format csv keep the field names and values)
HEADERS = {
    "name": N_("animation"),
    "ritual": N_("ritual"),
    "community": N_("community"),
    "room": N_("room"),
    "schedule": N_("schedule"),
    "next": N_("next post"),
    "questions_left": N_("questions left"),
    "at": N_("when"),
    "question": N_("question"),
    "occurrence": N_("occurrence"),
    "state": N_("result"),
    "detail": N_("reason"),
    "event_id": N_("message id"),
}
STATES = {
    "posted": N_("posted"),
    "already-posted": N_("already posted"),
    "skipped": N_("missed, not posted"),
    "failed": N_("failed, to retry"),
    "busy": N_("being posted by another run"),
}


@app.command(
    "add",
    help=_(
        "Schedule a ritual in a community (in one of its rooms where the network has rooms).\n\n"
        'Example: rse animate add weekly-question --community ventes-ouest --room Général --every "MON 09:00" '
        "--template weekly-question --bank questions.txt"
    ),
)
def add(
    ctx: typer.Context,
    name: NameArg,
    community: Annotated[str, typer.Option("--community", "-c", help=_("Community (alias, id or name) to post in."))],
    template: Annotated[
        str,
        typer.Option(
            "--template", "-t", help=_("Template name: weekly-question, kudos-friday, ama-announcement, veille-roundup or yours.")
        ),
    ],
    room: Annotated[
        Optional[str],
        typer.Option(
            "--room",
            "-r",
            help=_("Room of the community (default: its only room; none on a network whose communities are one feed)."),
        ),
    ] = None,
    every: Annotated[
        Optional[str], typer.Option("--every", help=_('Weekly time, e.g. "MON 09:00", "MON,THU 09:30", "DAILY 08:00".'))
    ] = None,
    cron: Annotated[
        Optional[str], typer.Option("--cron", help=_('Cron expression (5 fields, MON..SUN, JAN..DEC), e.g. "0 16 * * FRI".'))
    ] = None,
    at: Annotated[
        Optional[str], typer.Option("--at", help=_("Once, at this local date and time, e.g. 2026-12-15T12:00."))
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help=_("Time zone of the schedule (IANA name)."))] = "Europe/Paris",
    bank: Annotated[
        Optional[Path], typer.Option("--bank", help=_("Question bank: one question per line, used in turn without repeats."))
    ] = None,
    var: Annotated[
        Optional[list[str]], typer.Option("--var", help=_('Template variable NAME=VALUE (repeat), e.g. guest="Marie Durand".'))
    ] = None,
    lang: Annotated[
        Optional[str], typer.Option("--lang", help=_("Language of the post: fr or en (default: the profile's)."))
    ] = None,
    json_: JsonOpt = False,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.errors import UsageError
    from rse_cli.i18n import LANGUAGES
    from rse_cli.network.base import capabilities
    from rse_cli.services import animations as svc
    from rse_cli.services.schedule import Schedule

    c = ctx_of(ctx)
    if lang is not None and lang.lower() not in LANGUAGES:
        raise UsageError(
            _("--lang {lang}: not a language of rse").format(lang=lang),
            hint=_("rse writes posts in: {values}").format(values=", ".join(LANGUAGES)),
        )
    schedule = Schedule.build(at=at, every=every, cron=cron, tz=tz)
    questions = svc.read_bank(bank) if bank else None
    result = svc.add(
        c.store,
        name=name,
        community=community,
        room=room,
        schedule=schedule,
        template=template,
        lang=lang.lower() if lang else None,
        bank=questions,
        variables=svc.parse_vars(var or []),
        now=c.clock(),
        templates=c.templates(),
        capabilities=capabilities(c.settings),
    )
    if json_:
        render(c, result, Format.json)
    elif result.next_at:
        c.say(
            _("scheduled {name}: {schedule}; next post: {when}").format(
                name=name, schedule=schedule.label(_lang()), when=_when(result.next_at)
            )
        )
    else:  # only a one-off (--at) has no next post: its time has passed
        from rse_cli.l10n import L10n

        t = L10n(_lang())
        local = schedule.at_instant.astimezone(schedule.zone)
        c.say(
            _(
                "{name} scheduled once, on {date} at {time} (already past): the next `rse animate run` "
                "will post it if it is less than {grace} min late, else record it as missed"
            ).format(name=name, date=t.date(local), time=t.time(local), grace=c.settings.animation_grace_minutes)
        )


@app.command(
    "list",
    help=_("List scheduled animations, or the calendar of upcoming posts with --next.\n\nExample: rse animate list --next 14d"),
)
def list_(
    ctx: typer.Context,
    next_: Annotated[
        Optional[str], typer.Option("--next", help=_("Show the calendar of posts over this horizon, e.g. 14d."))
    ] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.services import animations as svc
    from rse_cli.services.schedule import Schedule, parse_duration

    c = ctx_of(ctx)
    out = fmt(json_, format_)
    if next_:
        horizon = parse_duration(next_, what="--next")
        rows = svc.calendar(c.store, c.clock(), horizon)
        if out is not Format.table:
            return _render(c, rows, out, ["at", "name", "community", "room", "template", "question"])
        if not rows:
            return c.say(_("nothing is scheduled over the next {horizon}").format(horizon=svc.human_duration(horizon)))
        return _table(
            c,
            [
                {
                    "at": _when(o.at),
                    "ritual": _ritual(o.name, o.template),
                    "community": o.community,
                    "room": o.room,
                    "question": o.question,
                }
                for o in rows
            ],
        )
    infos = svc.list_info(c.store, c.clock())
    if out is not Format.table:
        return _render(c, infos, out, ["name", "community", "room", "schedule", "template", "paused", "next_at", "bank_left"])
    if not infos:
        return c.say(_("no animation scheduled yet: `rse animate add NAME --community … --template … --every …`"))
    by_name = {a.name: a for a in svc.all_animations(c.store)}
    _table(
        c,
        [
            {
                "name": a.name,
                "ritual": _ritual(a.name, a.template),
                "community": a.community,
                "room": a.room,
                "schedule": Schedule(by_name[a.name].kind, by_name[a.name].expr, a.tz).label(_lang()),
                "next": _("paused until resumed") if a.paused else _when(a.next_at) if a.next_at else "",
                "questions_left": (_("{left} of {size}").format(left=a.bank_left, size=a.bank_size) if a.bank_size else ""),
            }
            for a in infos
        ],
    )


@app.command(
    "preview", help=_("Render the next post of an animation without sending it.\n\nExample: rse animate preview weekly-question")
)
def preview(ctx: typer.Context, name: NameArg, json_: JsonOpt = False) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    result = svc.preview(c.store, c.templates(), name, c.clock(), c.links(), c.addressing)
    if json_:
        render(c, result, Format.json)
        return
    where = f"{result.community}/{result.room}" if result.room else result.community
    if result.at:
        c.say(
            _("{name} → {where}, {when}").format(
                name=_ritual(name, svc.get(c.store, name).template), where=where, when=_when(result.at)
            )
        )
    else:
        c.say(_("{name} → {where}: no next occurrence").format(name=_ritual(name, svc.get(c.store, name).template), where=where))
    from rse_cli.textformat import plain

    c.stdout.write(plain(result.text))  # what a reader sees; --json keeps the Markdown that is posted


@app.command(
    "run", help=_("Publish what is due, exactly once; meant for cron (every 5 minutes).\n\nExample: rse animate run --json")
)
def run(
    ctx: typer.Context,
    only: Annotated[Optional[str], typer.Option("--only", help=_("Run only this animation."))] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from datetime import timedelta

    from rse_cli.i18n import ngettext
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    results = svc.run(
        c.store, c.network, c.templates, c.clock(), grace=timedelta(minutes=c.settings.animation_grace_minutes), only=only
    )
    out = fmt(json_, format_)
    if out is not Format.table:
        _render(c, results, out, ["name", "occurrence", "state", "event_id", "detail"])
    elif results:  # silent when nothing is due: cron mails any output
        _table(
            c,
            [
                {
                    "name": r.name,
                    "occurrence": _when(r.occurrence),
                    "state": _(STATES.get(r.state, r.state)),
                    "detail": r.detail,
                    **({"event_id": r.event_id} if c.verbose else {}),
                }
                for r in results
            ],
        )
    failed = [r for r in results if r.state == "failed"]
    if not results and hasattr(c.stderr, "isatty") and c.stderr.isatty():
        c.say(_nothing_due())  # a person at a terminal gets an answer; cron (no terminal) mails nothing
    if results:
        c.say(
            _("{posted} posted, {skipped} skipped, {failed} failed").format(
                posted=sum(r.state == "posted" for r in results),
                skipped=sum(r.state == "skipped" for r in results),
                failed=len(failed),
            )
        )
    if failed:
        from rse_cli.errors import ServerError

        raise ServerError(
            ngettext("{n} animation failed", "{n} animations failed", len(failed)).format(n=len(failed)),
            hint=_("the next `rse animate run` retries them within the grace period"),
        )


def _nothing_due() -> str:
    """What `rse animate run` says on a terminal when nothing is due; rse_cli/entry.py's fast path
    says the very same (tests/test_entry.py compares them)."""
    return _("nothing due now")


def _toggle(ctx: typer.Context, name: str, paused: bool, json_: bool) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    result = svc.set_paused(c.store, name, paused, c.clock())
    if json_:
        render(c, result, Format.json)
    elif paused:
        c.say(_("{name} paused: nothing is posted until `rse animate resume {name}`").format(name=name))
    elif result.next_at:
        c.say(_("{name} resumed; next post: {when}").format(name=name, when=_when(result.next_at)))
    else:
        c.say(_("{name} resumed; no next occurrence").format(name=name))


@app.command(
    "pause", help=_("Pause an animation: nothing is posted until it is resumed.\n\nExample: rse animate pause weekly-question")
)
def pause(ctx: typer.Context, name: NameArg, json_: JsonOpt = False) -> None:
    _toggle(ctx, name, True, json_)


@app.command(
    "resume",
    help=_(
        "Resume a paused animation; what fell while it was paused is not posted.\n\nExample: rse animate resume weekly-question"
    ),
)
def resume(ctx: typer.Context, name: NameArg, json_: JsonOpt = False) -> None:
    _toggle(ctx, name, False, json_)


@app.command("remove", help=_("Remove an animation and its history.\n\nExample: rse animate remove ama-dg"))
def remove(ctx: typer.Context, name: NameArg) -> None:
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    svc.remove(c.store, name)
    c.say(_("animation {name} removed, with its history").format(name=name))


# -- showing -------------------------------------------------------------------------------
def _lang() -> str:
    from rse_cli.i18n import current

    return current()


def _when(at: datetime) -> str:
    """The one date format of this command's output: '15 December 2099, 12:00' / '15 décembre 2099, 12:00'."""
    from rse_cli.l10n import L10n

    return L10n(_lang()).moment(at)


def _ritual(name: str, template: str) -> str:
    """A ritual by its display name ("The weekly question"), the animation's own name otherwise."""
    from rse_cli.services.prompts import ritual_name

    label = ritual_name(_lang(), {"name": name, "template": template})
    return label[:1].upper() + label[1:]


def _table(c: Any, rows: list[dict[str, Any]]) -> None:
    """A table for a reader: translated headers in the rows' order, a column left out when every
    row leaves it empty (no ROOM on a network whose communities are one feed)."""
    from rse_cli.cli.output import render

    keys = [k for k in (rows[0] if rows else {}) if any(r.get(k) for r in rows) or k == "name"]
    render(c, [{_(HEADERS[k]): r.get(k) for k in keys} for r in rows], Format.table, columns=[_(HEADERS[k]) for k in keys])


def _render(c: Any, rows: Any, out: Format, columns: list[str]) -> None:
    from rse_cli.cli.output import render

    render(c, rows, out, columns=columns)
