"""rse audit: community health from the synced store (metrics, findings, score), as table, JSON, CSV or HTML."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format


class FailOn(str, Enum):
    info = "info"
    warning = "warning"
    critical = "critical"


def parse_window(text: str | None) -> int | None:
    """'30d', '4w' or '30' -> days."""
    from rse_cli.services.schedule import parse_duration

    return None if text is None else parse_duration(text, units="dw", bare="d", what="--window").days


def audit(
    ctx: typer.Context,
    communities: Annotated[Optional[list[str]], typer.Argument(help="Communities to audit (default: every synced one); `history COMMUNITY` shows past audits.")] = None,
    window: Annotated[Optional[str], typer.Option("--window", help="Period audited, e.g. 30d or 4w (default: audit.window_days).")] = None,
    csv_file: Annotated[Optional[Path], typer.Option("--csv", help="Also write one CSV row per community to FILE.")] = None,
    html_file: Annotated[Optional[Path], typer.Option("--html", help="Also write a self-contained HTML report to FILE.")] = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Exit with code 8 when a finding of this severity or worse exists.")] = None,
    people_file: Annotated[Optional[Path], typer.Option("--people", help="The HR export (CSV): adds the company-wide reach (who is in a community, who wrote).")] = None,
    sync_first: Annotated[bool, typer.Option("--sync/--no-sync", help="Pull new events from the network before auditing (default: audit the store as it is).")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Audit community health: metrics, findings with actions and a 0-100 score (or `audit history COMMUNITY`).

    Reads the local store (run `rse sync` first, or pass --sync). Each audit is recorded, and
    `rse audit history COMMUNITY` shows the score's trend.

    Example: rse audit ventes-ouest --window 30d --html report.html --fail-on critical

    Example: rse audit history ventes-ouest --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import health

    c = ctx_of(ctx)
    refs = list(communities or [])
    f = fmt(json_, format_)
    if refs[:1] == ["history"]:
        from rse_cli.errors import UsageError

        if len(refs) != 2:
            raise UsageError("usage: rse audit history COMMUNITY")
        rows = health.history(c.store, refs[1])
        if f is Format.table:
            flat = [{"at": r.at.isoformat(), "score": r.score, "trend": f"{r.trend} {r.delta:+d}" if r.delta is not None else "",
                     **{k: r.metrics.get(k) for k in ("members", "contributors", "messages", "unanswered_questions")},
                     "findings": r.findings} for r in rows]
            render(c, flat, f)
        else:
            render(c, rows, f)
        return
    days = parse_window(window)
    if sync_first:
        from rse_cli.services.sync import sync

        results = sync(c.network(), c.store, refs or None)
        c.say(f"synced {sum(r.new_events for r in results)} new event(s)")
    report = health.audit(c.store, c.settings, refs, now=c.clock(), window_days=days, company=_company(people_file))
    health.save_snapshots(c.store, report)
    if csv_file:
        from rse_cli.services.report import write_csv

        write_csv(report, csv_file)
        c.say(f"wrote {csv_file}")
    if html_file:
        from rse_cli.services.report import write_html

        write_html(report, html_file, settings=c.settings)
        c.say(f"wrote {html_file}")
    if f is Format.table:
        _table(c, report)
    else:
        render(c, report, f)
    worst = report.worst()
    if fail_on and worst and health.SEVERITY_RANK[worst] >= health.SEVERITY_RANK[fail_on.value]:
        from rse_cli.errors import ExitCode, FindingsError

        raise FindingsError(f"findings at or above {fail_on.value}: exit code {int(ExitCode.FINDINGS)}")


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


def _table(c, report) -> None:
    from rse_cli.cli.output import render

    # finding codes are for --json and scripts: the table says what was found, by severity
    rows = [{"community": x.name, "score": x.score, "band": x.band, "members": x.metrics["members"],
             "contributors": x.metrics["contributors"], "messages": x.metrics["messages"],
             "unanswered": x.metrics["unanswered_questions"], "idle_days": x.metrics["days_since_last_post"],
             "findings": ", ".join(f"{n} {s}" for s in ("critical", "warning", "info") if (n := sum(f.severity == s for f in x.findings)))}
            for x in report.communities]
    render(c, rows, Format.table, title=f"Community health, last {report.window_days} days")
    every = [(x.name, f) for x in report.communities for f in x.findings] + [("(network)", f) for f in report.findings]
    if every:
        render(c, [{"where": w, "severity": f.severity, "message": f.message, "action": f.action} for w, f in every],
               Format.table, title="Findings")
