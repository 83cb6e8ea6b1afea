"""rse campaign: welcome newcomers, nudge them until they post, and follow the funnel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Onboarding campaigns for newcomers: welcome, nudges, funnel.", no_args_is_help=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Campaign name, e.g. newcomers-2026-12.")],
    people: Annotated[Path, typer.Option("--people", help="HR export (CSV, `,` or `;`, UTF-8): email or matrix_id, first_name, manager_email...")],
    community: Annotated[list[str], typer.Option("--community", help="Community to invite them to (repeat).")],
    welcome: Annotated[str, typer.Option("--welcome", help="Template of the day-0 welcome message.")] = "welcome",
    nudge: Annotated[Optional[list[str]], typer.Option("--nudge", help="DELAY:TEMPLATE, e.g. 3d:nudge-first-post (repeat). Default: 3d:nudge-first-post and 7d:nudge-second.")] = None,
    thanks: Annotated[Optional[str], typer.Option("--thanks", help="Template thanking people for their first post (optional), e.g. thanks-first-post.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="fr or en (default: the profile's lang).")] = None,
    where: Annotated[Optional[list[str]], typer.Option("--where", help="Only rows whose COLUMN=VALUE[,VALUE] (repeat), e.g. site=Nantes.")] = None,
    started_since: Annotated[Optional[str], typer.Option("--started-since", help="Only people whose start_date is on or after this date.")] = None,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Drop bad rows and unknown people (listed) instead of refusing.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Create a campaign for the people of an HR export; `rse campaign run` then sends its steps.

    Example: rse campaign create newcomers-2026-12 --people hr_export.csv --community accueil --nudge 3d:nudge-first-post --lang fr
    """
    from rse_cli.cli.output import render
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    language = lang or c.settings.lang
    camp, skipped = campaigns.create(c.network(), c.store, name, people, community, templates=c.templates(language),
                                     welcome=welcome, nudges=nudge, thanks=thanks, lang=language, now=c.clock(), skip_invalid=skip_invalid,
                                     where=where, started_since=started_since)
    for p in skipped:
        c.say(f"skipped {p}")
    c.say(f"campaign {camp.name}: {camp.people} people, steps {', '.join(s.name for s in camp.steps)}; run `rse campaign run` (cron)")
    render(c, camp, Format.json if json_ else Format.table, columns=["name", "people", "lang", "created_at"])


@app.command("run")
def run(
    ctx: typer.Context,
    campaign: Annotated[Optional[str], typer.Option("--campaign", help="Only this campaign.")] = None,
    no_sync: Annotated[bool, typer.Option("--no-sync", help="Use the synced state as is (do not sync the campaigns' communities first).")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Send every campaign step that is due, exactly once (safe under cron, even with concurrent runs).

    Example: rse campaign run --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    results = campaigns.run(c.network(), c.store, templates_for=c.templates,
                            now=c.clock(), grace_hours=c.settings.campaign_grace_hours, sync=not no_sync, only=campaign)
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("sent", "skipped", "failed")}
    c.say(f"{counts['sent']} sent, {counts['skipped']} skipped, {counts['failed']} failed")
    render(c, results, fmt(json_, format_), columns=["campaign", "person", "step", "outcome", "detail"])
    if counts["failed"]:
        from rse_cli.errors import ServerError

        raise ServerError(f"{counts['failed']} step(s) failed; they will be retried by the next run")


@app.command("status")
def status(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Campaign name.")],
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Also write one line per person to this CSV file.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Show the campaign's funnel: invited → joined → first post → active (from synced events).

    Example: rse campaign status newcomers-2026-12 --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    result = campaigns.status(c.store, name)
    if csv_file is not None:
        import csv

        with csv_file.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            steps = list(result.people[0].steps) if result.people else []
            writer.writerow(["person", "first_name", "day0", "invited", "joined", "first_post_at", "messages", *steps])
            for p in result.people:
                writer.writerow([p.person, p.first_name, p.day0.isoformat(), p.invited, p.joined,
                                 p.first_post_at.isoformat() if p.first_post_at else "",
                                 p.messages, *(p.steps.get(s, "") for s in steps)])
        c.say(f"wrote {len(result.people)} line(s) to {csv_file}")
    if json_:
        render(c, result, Format.json)
        return
    f = result.funnel
    base = f.enrolled or 1
    for label, n in (("enrolled", f.enrolled), ("invited", f.invited), ("joined", f.joined), ("first post", f.first_post), ("active", f.active)):
        c.stdout.write(f"{label:<11} {n:>5}  {100 * n / base:5.1f}%  {'█' * round(30 * n / base)}\n")
    now = c.clock()
    later = sorted(p.day0 for p in result.people if p.day0 > now)
    if later:
        c.stdout.write(f"{len(later)} not started yet: welcomed from their start date ({later[0]:%Y-%m-%d} to {later[-1]:%Y-%m-%d})\n")


@app.command("list")
def list_(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """List the campaigns of this profile.

    Example: rse campaign list --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    items = campaigns.list_(c.store)
    f = fmt(json_, format_)
    if f is Format.table:
        rows = [{"name": x.name, "people": x.people, "communities": [k["name"] for k in x.communities],
                 "steps": [s.name for s in x.steps], "created_at": x.created_at.isoformat()} for x in items]
        render(c, rows, f)
        return
    render(c, items, f)
