"""rse campaign: welcome newcomers, nudge them until they post, and follow the funnel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _, ngettext, pgettext

app = typer.Typer(help=_("Onboarding campaigns for newcomers: welcome, nudges, funnel."), no_args_is_help=True)


def _columns(raw: list[str] | None) -> dict[str, str] | None:
    """--column FIELD=COLUMN (repeat): rse's field -> the export's column name."""
    from rse_cli.errors import UsageError

    if not raw:
        return None
    out: dict[str, str] = {}
    for item in raw:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UsageError(_("bad --column '{value}': expected FIELD=COLUMN, e.g. email=Courriel").format(value=item))
        out[field.strip()] = column.strip()
    return out


@app.command(
    "create",
    help=_(
        "Create a campaign for the people of an HR export; `rse campaign run` then sends its steps.\n\n"
        "Example: rse campaign create newcomers-2026-12 --people hr_export.csv --community accueil "
        "--nudge 3d:nudge-first-post --lang fr"
    ),
)
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Campaign name, e.g. newcomers-2026-12."))],
    people: Annotated[
        Path,
        typer.Option("--people", help=_("HR export (CSV, `,` or `;`, UTF-8): email or matrix_id, first_name, manager_email...")),
    ],
    community: Annotated[list[str], typer.Option("--community", help=_("Community to invite them to (repeat)."))],
    welcome: Annotated[str, typer.Option("--welcome", help=_("Template of the day-0 welcome message."))] = "welcome",
    nudge: Annotated[
        Optional[list[str]],
        typer.Option(
            "--nudge",
            help=_("DELAY:TEMPLATE, e.g. 3d:nudge-first-post (repeat). Default: 3d:nudge-first-post and 7d:nudge-second."),
        ),
    ] = None,
    thanks: Annotated[
        Optional[str],
        typer.Option("--thanks", help=_("Template thanking people for their first post (optional), e.g. thanks-first-post.")),
    ] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help=_("fr or en (default: the profile's lang)."))] = None,
    where: Annotated[
        Optional[list[str]], typer.Option("--where", help=_("Only rows whose COLUMN=VALUE[,VALUE] (repeat), e.g. site=Nantes."))
    ] = None,
    started_since: Annotated[
        Optional[str], typer.Option("--started-since", help=_("Only people whose start_date is on or after this date."))
    ] = None,
    column: Annotated[
        Optional[list[str]],
        typer.Option(
            "--column",
            help=_(
                "FIELD=COLUMN: the export's column for one of rse's fields, as a manifest's [people.columns] (repeat), e.g. --column email=Courriel --column first_name=Prénom."
            ),
        ),
    ] = None,
    welcome_in: Annotated[
        str,
        typer.Option(
            "--welcome-in",
            help=_(
                "Where the campaign's messages go: dm (private messages) or community (a post in the first community that mentions the person, for a network without private messages)."
            ),
        ),
    ] = "dm",
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help=_("Drop bad rows and unknown people (listed) instead of refusing."))
    ] = False,
    json_: JsonOpt = False,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    language = lang or c.settings.lang
    camp, skipped = campaigns.create(
        c.network(),
        c.store,
        name,
        people,
        community,
        templates=c.templates(language),
        welcome=welcome,
        nudges=nudge,
        thanks=thanks,
        lang=language,
        now=c.clock(),
        skip_invalid=skip_invalid,
        where=where,
        started_since=started_since,
        welcome_in=welcome_in,
        columns=_columns(column),
    )
    for p in skipped:
        c.say(_("skipped {problem}").format(problem=p))
    c.say(
        ngettext(
            "campaign {name}: {n} person, steps {steps}; run `rse campaign run` (cron)",
            "campaign {name}: {n} people, steps {steps}; run `rse campaign run` (cron)",
            camp.people,
        ).format(name=camp.name, n=camp.people, steps=", ".join(s.name for s in camp.steps))
    )
    if json_:
        render(c, camp, Format.json)
        return
    from rse_cli.cli.output import when

    shown = {
        "name": camp.name,
        "people": camp.people,
        "lang": _(LANGUAGES.get(camp.lang, camp.lang)),
        "created_at": when(camp.created_at),
    }
    render(c, shown, Format.table, labels=CREATED)


# `campaign create`'s fields in words (--json keeps the field names and values)
CREATED = {"lang": N_("language"), "created_at": N_("created on")}
LANGUAGES = {"fr": N_("French"), "en": N_("English")}


OUTCOMES = {"sent": N_("sent"), "skipped": N_("skipped"), "failed": N_("failed")}


@app.command(
    "run",
    help=_(
        "Send every campaign step that is due, exactly once (safe under cron, even with concurrent runs).\n\n"
        "Example: rse campaign run --json"
    ),
)
def run(
    ctx: typer.Context,
    campaign: Annotated[Optional[str], typer.Option("--campaign", help=_("Only this campaign."))] = None,
    no_sync: Annotated[
        bool, typer.Option("--no-sync", help=_("Use the synced state as is (do not sync the campaigns' communities first)."))
    ] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    results = campaigns.run(
        c.network(),
        c.store,
        templates_for=c.templates,
        now=c.clock(),
        grace_hours=c.settings.campaign_grace_hours,
        sync=not no_sync,
        only=campaign,
    )
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("sent", "skipped", "failed")}
    c.say(_("{sent} sent, {skipped} skipped, {failed} failed").format(**counts))
    f = fmt(json_, format_)
    if f is Format.table:
        # a reader's table: the reason for a skip or a failure, never an event id (those are in --json, or --verbose)
        rows = [
            {
                _("campaign"): r.campaign,
                _("person"): r.person,
                _("step"): r.step,
                _("outcome"): _(OUTCOMES.get(r.outcome, r.outcome)),
                _("detail"): r.detail if (r.outcome != "sent" or c.verbose) else "",
            }
            for r in results
        ]
        render(c, rows, f)
    else:
        render(c, results, f, columns=["campaign", "person", "step", "outcome", "detail"])
    if counts["failed"]:
        from rse_cli.errors import ServerError

        raise ServerError(
            ngettext(
                "{n} step failed; it will be retried by the next run",
                "{n} steps failed; they will be retried by the next run",
                counts["failed"],
            ).format(n=counts["failed"])
        )


FUNNEL = (
    ("enrolled", N_("enrolled")),
    ("invited", N_("invited")),
    ("joined", N_("joined")),
    ("first_post", N_("first post")),
    ("active", N_("active")),
)


@app.command(
    "status",
    help=_(
        "Show the campaign's funnel: invited → joined → first post → active (from synced events).\n\n"
        "Example: rse campaign status newcomers-2026-12 --json"
    ),
)
def status(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Campaign name."))],
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help=_("Also write one line per person to this CSV file."))] = None,
    json_: JsonOpt = False,
) -> None:
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
                writer.writerow(
                    [
                        p.person,
                        p.first_name,
                        p.day0.isoformat(),
                        p.invited,
                        p.joined,
                        p.first_post_at.isoformat() if p.first_post_at else "",
                        p.messages,
                        *(p.steps.get(s, "") for s in steps),
                    ]
                )
        c.say(
            ngettext("wrote {n} line to {file}", "wrote {n} lines to {file}", len(result.people)).format(
                n=len(result.people), file=csv_file
            )
        )
    if json_:
        render(c, result, Format.json)
        return
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    t = L10n(current())
    f = result.funnel
    base = f.enrolled or 1
    labels = [(_(label), getattr(f, key)) for key, label in FUNNEL]
    width = max(len(label) for label, _n in labels)
    for label, n in labels:
        c.stdout.write(f"{label:<{width}} {n:>5}  {t.pct(n / base):>6}  {'█' * round(30 * n / base)}".rstrip() + "\n")
    now = c.clock()
    later = sorted(p.day0 for p in result.people if p.day0 > now)
    if later:
        first, last = t.date(later[0]), t.date(later[-1])
        if first == last:  # one day: "on 26 November 2026", not "from 26 November 2026 to 26 November 2026"
            line = ngettext(
                "{n} person not started yet: welcomed on their start date, {day}",
                "{n} people not started yet: welcomed on their start date, {day}",
                len(later),
            ).format(n=len(later), day=first)
        else:
            line = ngettext(
                "{n} person not started yet: welcomed from their start date ({first} to {last})",
                "{n} people not started yet: welcomed from their start date ({first} to {last})",
                len(later),
            ).format(n=len(later), first=first, last=last)
        c.stdout.write(line + "\n")


@app.command("list", help=_("List the campaigns of this profile.\n\nExample: rse campaign list --json"))
def list_(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render, when
    from rse_cli.services import campaigns

    c = ctx_of(ctx)
    items = campaigns.list_(c.store)
    f = fmt(json_, format_)
    if f is Format.table:
        rows = [
            {
                _("name"): x.name,
                _("people"): x.people,
                _("communities"): [k["name"] for k in x.communities],
                _("steps"): [s.name for s in x.steps],
                pgettext("a column: the date a campaign was created", "created"): when(x.created_at),
            }
            for x in items
        ]
        render(c, rows, f)
        return
    render(c, items, f)
