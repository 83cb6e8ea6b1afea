"""rse audit: community health from the synced store (metrics, findings, score), as table, JSON, CSV or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _, ngettext

SEVERITIES = ("info", "warning", "critical")  # --fail-on's values, parsed: never translated
# what readers see for a severity or a band (the values stay English in --json)
LABELS = {
    "info": N_("info"),
    "warning": N_("warning"),
    "critical": N_("critical"),
    "green": N_("green"),
    "amber": N_("amber"),
    "red": N_("red"),
}
TOO_NEW = N_("too new to score")  # in place of a band: docs/health.md, "Too new to score"
NONE = "–"  # no value: the same dash as the HTML report's tiles


def parse_window(text: str | None) -> int | None:
    """'30d', '4w' or '30' -> days."""
    from rse_cli.services.schedule import parse_duration

    return None if text is None else parse_duration(text, units="dw", bare="d", what="--window").days


def parse_fail_on(value: str | None) -> str | None:
    """--fail-on's severity; a wrong one lists the valid values in the user's language."""
    if value is None or value in SEVERITIES:
        return value
    from rse_cli.errors import UsageError

    # the same words as every other option's wrong value (cli/usage.py), with each severity's label
    shown = [s if _(LABELS[s]) == s else f"{s} ({_(LABELS[s])})" for s in SEVERITIES]
    raise UsageError(
        _("{name}: “{value}” is not one of the accepted values").format(name="--fail-on", value=value),
        hint=_("the accepted values: {values}").format(values=", ".join(shown)),
    )


def audit(
    ctx: typer.Context,
    communities: Annotated[
        Optional[list[str]],
        typer.Argument(help=_("Communities to audit (default: every synced one); `history COMMUNITY` shows past audits.")),
    ] = None,
    window: Annotated[
        Optional[str], typer.Option("--window", help=_("Period audited, e.g. 30d or 4w (default: audit.window_days)."))
    ] = None,
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help=_("Also write one CSV row per community to FILE."))] = None,
    html_file: Annotated[
        Optional[Path], typer.Option("--html", help=_("Also write a self-contained HTML report to FILE."))
    ] = None,
    fail_on: Annotated[
        Optional[str],
        typer.Option(
            "--fail-on",
            metavar="info|warning|critical",
            help=_("Exit with code 8 when a finding of this severity or worse exists: info, warning or critical."),
        ),
    ] = None,
    people_file: Annotated[
        Optional[Path],
        typer.Option("--people", help=_("The HR export (CSV): adds the company-wide reach (who is in a community, who wrote).")),
    ] = None,
    sync_first: Annotated[
        bool,
        typer.Option(
            "--sync/--no-sync", help=_("Pull new events from the network before auditing (default: audit the store as it is).")
        ),
    ] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.i18n import current
    from rse_cli.network.base import capabilities
    from rse_cli.services import health

    c = ctx_of(ctx)
    refs = list(communities or [])
    f = fmt(json_, format_)
    if refs[:1] == ["history"]:
        from rse_cli.errors import UsageError

        if len(refs) != 2:
            raise UsageError(_("usage: rse audit history COMMUNITY"))
        rows = health.history(c.store, refs[1], addressing=c.addressing)
        if f is Format.table:
            t = _l10n()
            flat = [
                {
                    _("at"): t.moment(r.at),  # as every other date and time rse prints
                    _("score"): r.score,
                    _("trend"): _trend(r.delta),
                    _("members"): r.metrics.get("members"),
                    _("contributors"): r.metrics.get("contributors"),
                    _("messages"): r.metrics.get("messages"),
                    _("unanswered"): r.metrics.get("unanswered_questions"),
                    _("findings"): _counts([code.rpartition(":")[2] for code in r.findings]),
                }
                for r in rows
            ]
            render(c, flat, f)
        else:
            render(c, rows, f)
        return
    severity = parse_fail_on(fail_on)
    days = parse_window(window)
    if sync_first:
        from rse_cli.services.sync import sync

        results = sync(c.network(), c.store, refs or None)
        n = sum(r.new_events for r in results)
        c.say(ngettext("synced {n} new event", "synced {n} new events", n).format(n=n))
    lang = current()  # one language per run: the table, the findings and the HTML report
    report = health.audit(
        c.store,
        c.settings,
        refs,
        now=c.clock(),
        addressing=c.addressing,
        capabilities=capabilities(c.settings),
        window_days=days,
        company=_company(people_file),
        lang=lang,
    )
    health.save_snapshots(c.store, report)
    if csv_file:
        from rse_cli.services.report import write_csv

        write_csv(report, csv_file)
        c.say(_("wrote {path}").format(path=csv_file))
    if html_file:
        from rse_cli.services.report import write_html

        write_html(report, html_file, settings=c.settings.model_copy(update={"lang": lang}))
        c.say(_("wrote {path}").format(path=html_file))
    if f is Format.table:
        _table(c, report)
    else:
        render(c, report, f)
    worst = report.worst()
    if severity and worst and health.SEVERITY_RANK[worst] >= health.SEVERITY_RANK[severity]:
        from rse_cli.errors import ExitCode, FindingsError

        raise FindingsError(
            _("findings at or above {severity}: exit code {code}").format(severity=severity, code=int(ExitCode.FINDINGS))
        )


HELP = N_(
    "Audit community health: metrics, findings with actions and a 0-100 score (or `audit history COMMUNITY`).\n\n"
    "Reads the local store (run `rse sync` first, or pass --sync). Each audit is recorded, and "
    "`rse audit history COMMUNITY` shows the score's trend.\n\n"
    "Example: rse audit ventes-ouest --window 30d --html report.html --fail-on critical\n\n"
    "Example: rse audit history ventes-ouest --json"
)
# the command's help, translated: typer reads it when the CLI is built, after the language is chosen
audit.__doc__ = _(HELP)


def _company(path: Path | None) -> list[str] | None:
    """The people of the HR export, by the identifier each line gives (None without --people)."""
    if path is None:
        return None
    from rse_cli.errors import InputError
    from rse_cli.services.people_csv import read_people

    found = read_people(path)
    fatal = [p for p in found.problems if not p.skippable]
    if fatal:
        raise InputError(str(fatal[0]))
    return [row.ref for row in found.rows]


def _l10n():
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    return L10n(current())


def _trend(delta: int | None) -> str:
    """The score's change since the previous audit: "=", "+3" or "−2" (a true minus sign); empty for the first."""
    if delta is None:
        return ""
    return "=" if delta == 0 else f"{delta:+d}".replace("-", "\u2212")


def _counts(severities: list[str]) -> str:
    """'1 critical, 2 warnings' in the language of the run."""
    words = {
        "critical": lambda n: ngettext("{n} critical", "{n} critical", n),
        "warning": lambda n: ngettext("{n} warning", "{n} warnings", n),
        "info": lambda n: ngettext("{n} info", "{n} info", n),
    }
    return ", ".join(words[s](n).format(n=n) for s in ("critical", "warning", "info") if (n := severities.count(s)))


def _table(c, report) -> None:
    from rse_cli.cli.output import render

    # finding codes are for --json and scripts: the table says what was found, by severity
    t = _l10n()
    rows = [
        {
            _("community"): x.name,
            _("score"): NONE if x.score is None else x.score,
            _("band"): _(TOO_NEW) if x.band is None else _(LABELS[x.band]),
            _("members"): x.metrics["members"],
            _("contributors"): x.metrics["contributors"],
            _("messages"): x.metrics["messages"],
            _("unanswered"): x.metrics["unanswered_questions"],
            # never a message: no "0 idle days" (--json keeps the days since the community began, for scripts)
            _("idle days"): NONE if x.metrics["last_post_at"] is None else t.num(x.metrics["days_since_last_post"]),
            _("findings"): _counts([f.severity for f in x.findings]),
        }
        for x in report.communities
    ]
    render(c, rows, Format.table, title=_("Community health, last {days} days").format(days=report.window_days))
    every = [(x.name, f) for x in report.communities for f in x.findings] + [(_("(network)"), f) for f in report.findings]
    if every:
        render(
            c,
            [
                {_("where"): w, _("severity"): _(LABELS[f.severity]), _("message"): f.message, _("action"): f.action}
                for w, f in every
            ],
            Format.table,
            title=_("Findings"),
        )
    for note in report.notes:  # once, after the figures they qualify
        c.say(_("note: {message}").format(message=note.message))
