"""rse sandbox: a local Matrix network (Synapse on 127.0.0.1) to try rse without a server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _

if TYPE_CHECKING:
    from rse_cli.services.sandbox import SeedSummary

app = typer.Typer(help=_("Run a local sandbox network to try rse safely."), no_args_is_help=True)


@app.command(
    "up",
    help=_(
        "Start the sandbox (needs rse-cli[sandbox]) and select its `sandbox` profile; harmless twice.\n\nExample: rse sandbox up"
    ),
)
def up(ctx: typer.Context) -> None:
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    st = sandbox.up(c.config_path)
    c.say(
        _("sandbox running at {url}; profile “sandbox” selected").format(url=st.url) + (f" (pid {st.pid})" if c.verbose else "")
    )


@app.command(
    "status", help=_("Show whether the sandbox runs, where, and its data directory.\n\nExample: rse sandbox status --json")
)
def status(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import sandbox

    render(ctx_of(ctx), sandbox.status(), fmt(json_, format_))


@app.command(
    "down",
    help=_(
        "Stop the sandbox server and wait until it is gone (its data is kept for the next `up`).\n\nExample: rse sandbox down"
    ),
)
def down(ctx: typer.Context) -> None:
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    c.say(_("sandbox stopped") if sandbox.down() else _("the sandbox was not running"))


@app.command(
    "seed",
    help=_("""Fill the sandbox with a fictional French company and its history; safe to re-run.

Writes the HR export (hr_export.csv) to the sandbox directory and the company's leaders
to the `sandbox` profile. Re-running with the same arguments adds nothing; other
arguments need --reset.

Example: rse sandbox seed --seed 42 --people 300 --days 90"""),
)
def seed(
    ctx: typer.Context,
    seed_: Annotated[int, typer.Option("--seed", help=_("Seed of the generated company: same seed, same company."))] = 42,
    people: Annotated[int, typer.Option("--people", min=40, help=_("Number of employees."))] = 300,
    days: Annotated[int, typer.Option("--days", min=50, help=_("Days of history, ending now."))] = 90,
    reset: Annotated[bool, typer.Option("--reset", help=_("Stop the sandbox, wipe its data and start it again first."))] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import sandbox

    c = ctx_of(ctx)
    with c.progress(_("seeding")) as bar:
        summary = sandbox.seed(
            c.config_path, seed=seed_, people=people, days=days, reset=reset, progress=bar.update if bar else None
        )
    c.say(seed_sentence(summary))
    f = fmt(json_, format_)
    if f is Format.table:  # what the sandbox holds; what this run did is the sentence above
        render(c, seed_table(summary, verbose=c.verbose), f, title=_("What the sandbox holds"), labels=SEED_LABELS)
    else:
        render(c, summary, f)


# the table's own headers (the common ones are in cli/output.py LABELS)
SEED_LABELS = {"days": N_("days of history")}


def seed_sentence(summary: SeedSummary) -> str:
    """What this run of `rse sandbox seed` did, in one sentence: "sandbox seeded in 70.5 s: 2,763
    events written" (fr: "… en 70,5 s : 2 763 événements écrits"); on a seeded sandbox, that there
    was nothing to do and how to start over."""
    from rse_cli.i18n import current, ngettext
    from rse_cli.l10n import L10n

    t = L10n(current())
    if summary.already_complete:
        size = _("seed {seed}, {people}, {days}").format(
            seed=summary.seed,
            people=ngettext("{n} person", "{n} people", summary.people).format(n=t.num(summary.people)),
            days=ngettext("{n} day of history", "{n} days of history", summary.days).format(n=t.num(summary.days)),
        )
        return _(
            "the sandbox already holds this company ({size}): nothing to write; `rse sandbox seed --reset` starts it over"
        ).format(size=size)
    written = ngettext("{n} event written", "{n} events written", summary.sent).format(n=t.num(summary.sent))
    if summary.skipped:
        kept = ngettext(
            "{n} event was already there from an interrupted run",
            "{n} events were already there from an interrupted run",
            summary.skipped,
        ).format(n=t.num(summary.skipped))
        return _("sandbox seeded in {seconds} s: {written}; {kept}").format(
            seconds=t.num(summary.seconds), written=written, kept=kept
        )
    return _("sandbox seeded in {seconds} s: {written}").format(seconds=t.num(summary.seconds), written=written)


def seed_table(summary: SeedSummary, *, verbose: bool = False) -> dict[str, str]:
    """The seeded company as key/value rows, numbers in the user's language ("2 763")."""
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    t = L10n(current())
    rows = {"seed": str(summary.seed)}  # an identifier, not a quantity: no thousands separator
    for field in ("people", "days", "communities", "rooms", "messages", "replies", "thread_messages", "reactions", "memberships"):
        rows[field] = t.num(getattr(summary, field))
    rows["leaders"] = ", ".join(summary.leaders) if verbose else t.num(len(summary.leaders))  # ids on demand only
    rows["csv_path"] = summary.csv_path
    return rows
