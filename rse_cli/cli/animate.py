"""rse animate: schedule the community's rituals and publish them from cron, exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Schedule rituals (weekly question, kudos, AMA) and publish them from cron.", no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="The animation's name, e.g. weekly-question.")]


@app.command("add")
def add(
    ctx: typer.Context,
    name: NameArg,
    community: Annotated[str, typer.Option("--community", "-c", help="Community (alias, id or name) to post in.")],
    template: Annotated[str, typer.Option("--template", "-t", help="Template name: weekly-question, kudos-friday, ama-announcement, veille-roundup or yours.")],
    room: Annotated[Optional[str], typer.Option("--room", "-r", help="Room of the community (default: its only room).")] = None,
    every: Annotated[Optional[str], typer.Option("--every", help='Weekly time, e.g. "MON 09:00", "MON,THU 09:30", "DAILY 08:00".')] = None,
    cron: Annotated[Optional[str], typer.Option("--cron", help='Cron expression (5 fields, MON..SUN, JAN..DEC), e.g. "0 16 * * FRI".')] = None,
    at: Annotated[Optional[str], typer.Option("--at", help="Once, at this local date and time, e.g. 2026-12-15T12:00.")] = None,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of the schedule (IANA name).")] = "Europe/Paris",
    bank: Annotated[Optional[Path], typer.Option("--bank", help="Question bank: one question per line, used in turn without repeats.")] = None,
    var: Annotated[Optional[list[str]], typer.Option("--var", help="Template variable NAME=VALUE (repeat), e.g. guest=\"Marie Durand\".")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="Language of the post (default: the profile's).")] = None,
    json_: JsonOpt = False,
) -> None:
    """Schedule a ritual in a community's room.

    Example: rse animate add weekly-question --community ventes-ouest --room Général --every "MON 09:00" --template weekly-question --bank questions.txt
    """
    from rse_cli.cli.output import render
    from rse_cli.services import animations as svc
    from rse_cli.services.schedule import Schedule

    c = ctx_of(ctx)
    schedule = Schedule.build(at=at, every=every, cron=cron, tz=tz)
    questions = svc.read_bank(bank) if bank else None
    result = svc.add(c.store, name=name, community=community, room=room, schedule=schedule, template=template, lang=lang,
                     bank=questions, variables=svc.parse_vars(var or []), now=c.clock(), templates=c.templates())
    if json_:
        render(c, result, Format.json)
    else:
        if result.next_at:
            c.say(f"scheduled {name}: {result.schedule}; next: {result.next_at.isoformat(timespec='minutes')}")
        else:
            c.say(f"scheduled {name}: {result.schedule}, already past: the next `rse animate run` posts it if it is "
                  f"within {c.settings.animation_grace_minutes} min, else records it as missed")


@app.command("list")
def list_(
    ctx: typer.Context,
    next_: Annotated[Optional[str], typer.Option("--next", help="Show the calendar of posts over this horizon, e.g. 14d.")] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """List scheduled animations, or the calendar of upcoming posts with --next.

    Example: rse animate list --next 14d
    """
    from rse_cli.cli.output import render
    from rse_cli.services import animations as svc
    from rse_cli.services.schedule import parse_duration

    c = ctx_of(ctx)
    if next_:
        rows = svc.calendar(c.store, c.clock(), parse_duration(next_))
        render(c, rows, fmt(json_, format_), columns=["at", "name", "community", "room", "template", "question"])
    else:
        render(c, svc.list_info(c.store, c.clock()), fmt(json_, format_),
               columns=["name", "community", "room", "schedule", "template", "paused", "next_at", "bank_left"])


@app.command("preview")
def preview(ctx: typer.Context, name: NameArg, json_: JsonOpt = False) -> None:
    """Render the next post of an animation without sending it.

    Example: rse animate preview weekly-question
    """
    from rse_cli.cli.output import render
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    result = svc.preview(c.store, c.templates(), name, c.clock(), c.links())
    if json_:
        render(c, result, Format.json)
    else:
        when = result.at.isoformat(timespec="minutes") if result.at else "no next occurrence"
        c.say(f"{name} → {result.community}/{result.room or ''} at {when}")
        c.stdout.write(result.text)


@app.command("run")
def run(
    ctx: typer.Context,
    only: Annotated[Optional[str], typer.Option("--only", help="Run only this animation.")] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Publish what is due, exactly once; meant for cron (every 5 minutes).

    Example: rse animate run --json
    """
    from datetime import timedelta

    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    results = svc.run(c.store, c.network, c.templates, c.clock(),
                      grace=timedelta(minutes=c.settings.animation_grace_minutes), only=only)
    if results or json_ or format_ is not Format.table:
        from rse_cli.cli.output import render

        render(c, results, fmt(json_, format_), columns=["name", "occurrence", "state", "event_id", "detail"])
    posted = sum(r.state == "posted" for r in results)
    failed = [r for r in results if r.state == "failed"]
    if results:  # silent when nothing is due: cron mails any output
        c.say(f"{posted} posted, {sum(r.state == 'skipped' for r in results)} skipped, {len(failed)} failed")
    if failed:
        from rse_cli.errors import ServerError

        raise ServerError(f"{len(failed)} animation(s) failed", hint="the next `rse animate run` retries them within the grace period")


def _toggle(ctx: typer.Context, name: str, paused: bool, json_: bool) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    result = svc.set_paused(c.store, name, paused, c.clock())
    if json_:
        render(c, result, Format.json)
    else:
        c.say(f"{name} {'paused' if paused else 'resumed'}")


@app.command("pause")
def pause(ctx: typer.Context, name: NameArg, json_: JsonOpt = False) -> None:
    """Pause an animation: nothing is posted until it is resumed.

    Example: rse animate pause weekly-question
    """
    _toggle(ctx, name, True, json_)


@app.command("resume")
def resume(ctx: typer.Context, name: NameArg, json_: JsonOpt = False) -> None:
    """Resume a paused animation; what fell while it was paused is not posted.

    Example: rse animate resume weekly-question
    """
    _toggle(ctx, name, False, json_)


@app.command("remove")
def remove(ctx: typer.Context, name: NameArg) -> None:
    """Remove an animation and its history.

    Example: rse animate remove ama-dg
    """
    from rse_cli.services import animations as svc

    c = ctx_of(ctx)
    svc.remove(c.store, name)
    c.say(f"removed {name}")
