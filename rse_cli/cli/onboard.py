"""rse onboard: open communities for a business line from a TOML manifest (plan, apply, status)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Onboard communities in bulk from a manifest (plan, apply, status).", no_args_is_help=True)

ManifestArg = Annotated[Path, typer.Argument(help="The manifest, e.g. communities.toml (see templates/communities.example.toml).")]
SYMBOL = {"+": "+", "~": "~", "=": " "}


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _warn_limits(c, est) -> None:
    if est.exempt or est.seconds_at_default_limits < 60:
        return
    c.say(f"note: {est.invitations} invitation(s), {est.messages} message(s) and {est.room_creations} room creation(s) "
          f"take at least {_duration(est.seconds_at_default_limits)} at {est.limits}.")
    if est.fast_path:  # the connector's words: rse's commands know no network
        c.say(f"  fast path: {est.fast_path}.")


def _problems(c, problems) -> None:
    for p in problems:
        c.say(f"{p.file}:{p.line}: {p.message}" if p.line else f"{p.file}: {p.message}")


@app.command("plan")
def plan(ctx: typer.Context, manifest: ManifestArg, json_: JsonOpt = False) -> None:
    """Show what `apply` would change (communities, rooms, roles, invitations, welcomes); write nothing.

    Exits 2 when the manifest or its CSV has problems (all listed with file:line).

    Example: rse onboard plan communities.toml --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import onboarding

    c = ctx_of(ctx)
    result = onboarding.plan(c.network(), c.store, manifest, templates=c.templates())
    if json_:
        render(c, result, Format.json)
    else:
        current = None
        for ch in result.changes:
            if ch.community != current:
                current = ch.community
                c.stdout.write(f"{current}\n")
            if ch.op != "=" or ch.kind in ("community", "room"):
                c.stdout.write(f"  {SYMBOL[ch.op]} {ch.kind} {ch.target}{f' ({ch.detail})' if ch.detail else ''}\n")
        todo = {k: v for k, v in result.counts.items() if k != "unchanged"}
        summary = ", ".join(f"{v} {k}" for k, v in todo.items()) or "nothing to do"
        c.stdout.write(f"Plan: {summary}; {result.counts.get('unchanged', 0)} unchanged.\n")
        _warn_limits(c, result.estimate)
    for note in result.notes:
        c.say(f"note: {note}")
    if result.problems:
        _problems(c, result.problems)
        from rse_cli.errors import InputError

        rows = sum(1 for p in result.problems if p.skippable)  # the hint only where it would help
        raise InputError(f"{len(result.problems)} problem(s) to fix before `rse onboard apply`",
                         hint=None if not rows else "or drop the bad rows with `rse onboard apply --skip-invalid`"
                         if rows == len(result.problems) else f"`--skip-invalid` would drop the {rows} bad row(s), not fix the rest")


@app.command("apply")
def apply(
    ctx: typer.Context,
    manifest: ManifestArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Drop invalid rows and people not found (listed) instead of refusing.")] = False,
    failed_csv: Annotated[Optional[Path], typer.Option("--failed-csv", help="Where to write the rows that failed (default: MANIFEST.failed.csv).")] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    """Create the communities and rooms, set roles, invite members and welcome them; safe to re-run.

    A run killed at any point resumes where it stopped when re-run, with no duplicate invitation or message.

    Example: rse onboard apply communities.toml --yes
    """
    from rse_cli.cli.output import render
    from rse_cli.services import onboard_run

    c = ctx_of(ctx)

    def preflight(check: onboard_run.Preflight) -> None:
        for p in check.skipped:
            c.say(f"skipped {p}")
        _warn_limits(c, check.estimate)
        if check.changes:  # None with --yes: no question asked
            _confirm(f"apply {check.changes} change(s)?")

    with c.progress("onboarding") as bar:
        result = onboard_run.apply_manifest(c.network(), c.store, manifest, templates=c.templates(), skip_invalid=skip_invalid,
                                            failed_csv=failed_csv, plan_first=not yes, preflight=preflight,
                                            progress=bar.update if bar else None)
    s = result.summary
    c.say(f"done: {s.get('communities_created', 0)} community(ies) and {s.get('rooms_created', 0)} room(s) created, "
          f"{s.get('invited', 0)} invited, {s.get('joined', 0)} joined, {s.get('unchanged', 0)} already there, "
          f"{s.get('welcome_sent', 0)} welcome(s) sent, {s.get('failed', 0)} failed")
    if s.get("topics_set") or s.get("avatars_set"):
        c.say(f"      {s.get('topics_set', 0)} description(s) and {s.get('avatars_set', 0)} picture(s) set")
    if result.failed_csv:
        c.say(f"failed rows written to {result.failed_csv} (fix and feed them back)")
    f = fmt(json_, format_)
    if f is Format.table:
        rows = [o for o in result.outcomes if o.action != "unchanged" or o.welcome == "sent"]
        render(c, rows, f, columns=["community", "person", "action", "welcome", "error"])
    else:
        render(c, result, f)
    if s.get("failed"):
        from rse_cli.errors import ServerError

        raise ServerError(f"{s['failed']} person(s) could not be onboarded", hint=f"see {result.failed_csv}")


def _confirm(question: str) -> None:
    """Ask on the terminal; refuse to guess when there is none (cron, CI)."""
    import sys

    from rse_cli.errors import AbortedError, UsageError

    if not sys.stdin.isatty():
        raise UsageError("apply needs --yes when not run from a terminal")
    if not typer.confirm(question, err=True):
        raise AbortedError("nothing applied")


@app.command("status")
def status(ctx: typer.Context, manifest: ManifestArg, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """Show, per community of the manifest, how many people are invited, joined, pending or failed.

    Example: rse onboard status communities.toml --json
    """
    from rse_cli.cli.output import render
    from rse_cli.services import onboarding

    c = ctx_of(ctx)
    render(c, onboarding.status(c.network(), c.store, manifest), fmt(json_, format_))
