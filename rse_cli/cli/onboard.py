"""rse onboard: open communities for a business line from a TOML manifest (plan, apply, status)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, NP_, _, ngettext

app = typer.Typer(help=_("Onboard communities in bulk from a manifest (plan, apply, status)."), no_args_is_help=True)

ManifestArg = Annotated[
    Path, typer.Argument(help=_("The manifest, e.g. communities.toml (see templates/communities.example.toml)."))
]
SYMBOL = {"+": "+", "~": "~", "=": " "}

# a change's kind as a reader sees it (the kind itself stays in --json)
KINDS = {
    "community": N_("community"),
    "topic": N_("description"),
    "avatar": N_("picture"),
    "room": N_("room"),
    "role": N_("role"),
    "invite": N_("invitation"),
    "join": N_("addition"),
    "welcome-dm": N_("welcome message"),
    "welcome-mention": N_("welcome post mentioning"),
    "welcome-post": N_("welcome post"),
}
ROLES = {"animator": N_("animator"), "moderator": N_("moderator")}


def _todo(kind: str, n: int) -> str:
    """'2 invitations to send': one grammatical phrase per kind of change (ngettext, never '(s)')."""
    phrases = {
        "community": ngettext("{n} community to create", "{n} communities to create", n),
        "room": ngettext("{n} room to create", "{n} rooms to create", n),
        "topic": ngettext("{n} description to set", "{n} descriptions to set", n),
        "avatar": ngettext("{n} picture to set", "{n} pictures to set", n),
        "role": ngettext("{n} role to give", "{n} roles to give", n),
        "invite": ngettext("{n} invitation to send", "{n} invitations to send", n),
        "join": ngettext("{n} person to add", "{n} people to add", n),
        "welcome-dm": ngettext("{n} welcome message to send", "{n} welcome messages to send", n),
        "welcome-mention": ngettext("{n} welcome post to send", "{n} welcome posts to send", n),
        "welcome-post": ngettext("{n} community post to send", "{n} community posts to send", n),
    }
    return phrases.get(kind, "{n} " + kind).format(n=n)


def _duration(seconds: float) -> str:
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    if seconds < 90:
        return _("{n} s").format(n=f"{seconds:.0f}")
    if seconds < 5400:
        return _("{n} min").format(n=f"{seconds / 60:.0f}")
    return _("{n} h").format(n=L10n(current()).num(round(seconds / 3600, 1)))


def limits_note(est) -> list[str]:
    """The rate-limit note, in the run's language, with the plan line's own counts: what is sent,
    then what is created (a welcome message's conversation is a room to create where the network
    says so: `dm_creates_room`), and the connector's fast path. Empty when it does not apply: no work,
    under a minute, or an account exempt from the limits."""
    if est.exempt or est.seconds_at_default_limits < 60:
        return []
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    l10n = L10n(current())
    limits = est.rates.describe(l10n.num) if est.rates is not None else est.limits
    lines = [
        _("note: this takes at least {duration} at {limits}.").format(
            duration=_duration(est.seconds_at_default_limits), limits=limits
        )
    ]
    posts = est.messages - est.welcomes

    def some(n: int, text: str) -> str:  # "1 204 invitations" (Babel's digits), or nothing
        return text.format(n=l10n.num(n)) if n else ""

    sends = [
        some(est.invitations, ngettext("{n} invitation", "{n} invitations", est.invitations)),
        some(est.welcomes, ngettext("{n} welcome message", "{n} welcome messages", est.welcomes)),
        some(posts, ngettext("{n} community post", "{n} community posts", posts)),
        some(
            est.other_writes,
            ngettext(
                "{n} other change (role, description or picture)",
                "{n} other changes (roles, descriptions, pictures)",
                est.other_writes,
            ),
        ),
    ]
    if any(sends):
        lines.append(_("  to send: {what}").format(what=l10n.join([w for w in sends if w])))
    made = [
        some(est.communities, ngettext("{n} community", "{n} communities", est.communities)),
        some(est.rooms, ngettext("{n} room", "{n} rooms", est.rooms)),
        some(
            est.conversations,
            ngettext(
                "{n} conversation (a room for the welcome message)",
                "{n} conversations (a room for each welcome message)",
                est.conversations,
            ),
        ),
    ]
    if any(made):
        lines.append(_("  to create: {what}").format(what=l10n.join([w for w in made if w])))
    fast = est.rates.describe_fast_path() if est.rates is not None else est.fast_path
    if fast:  # the connector's words: rse's commands know no network
        lines.append(_("  fast path: {how}.").format(how=fast))
    return lines


# how long `apply` trusts that the reader saw `plan`'s note for the same work
SHOWN_FOR_SECONDS = 3600


def _shown_file():
    from rse_cli.paths import data_dir

    return data_dir() / "onboard-notes.json"


def _note_key(c, manifest: Path, lines: list[str]) -> str:
    import hashlib

    who = f"{c.settings.profile}\0{manifest.resolve()}\0" + "\n".join(lines)
    return hashlib.sha256(who.encode()).hexdigest()


def _shown_recently(key: str) -> bool:
    import json
    import time

    try:
        shown = json.loads(_shown_file().read_text(encoding="utf-8"))
        return isinstance(shown, dict) and time.time() - float(shown.get(key, 0)) < SHOWN_FOR_SECONDS
    except (OSError, ValueError, TypeError):
        return False


def _remember_shown(key: str) -> None:
    """Best effort: a data dir that cannot be written only means apply notes it once more."""
    import json
    import time

    from rse_cli.fsutil import write_private

    try:
        try:
            shown = json.loads(_shown_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            shown = {}
        now = time.time()
        shown = {k: t for k, t in (shown if isinstance(shown, dict) else {}).items() if now - float(t) < SHOWN_FOR_SECONDS}
        shown[key] = now
        write_private(_shown_file(), json.dumps(shown).encode())
    except (OSError, ValueError, TypeError):
        pass


def _warn_limits(c, est, manifest: Path, *, by_plan: bool) -> None:
    """The rate-limit note: once per command, only when there is work that takes over a minute,
    and not again from `apply` when `plan` just showed the same note for the same manifest."""
    lines = limits_note(est)
    if not lines:
        return
    key = _note_key(c, manifest, lines)
    if not by_plan and _shown_recently(key):
        return
    for line in lines:
        c.say(line)
    if by_plan:
        _remember_shown(key)


def _problems(c, problems) -> None:
    for p in problems:
        c.say(f"{p.file}:{p.line}: {p.message}" if p.line else f"{p.file}: {p.message}")


def plan_text(result) -> str:
    """The plan as a reader sees it: per community, what changes; then one summary line."""
    out: list[str] = []
    current = None
    for ch in result.changes:
        if ch.community != current:
            current = ch.community
            out.append(current)
        if ch.op != "=" or ch.kind in ("community", "room"):
            detail = _(ROLES[ch.detail]) if ch.kind == "role" and ch.detail in ROLES else ch.detail
            out.append(f"  {SYMBOL[ch.op]} {_(KINDS.get(ch.kind, ch.kind))} {ch.target}{f' ({detail})' if detail else ''}")
    todo = [_todo(k, v) for k, v in result.counts.items() if k != "unchanged"]
    unchanged = result.counts.get("unchanged", 0)
    already = ngettext("{n} already in place", "{n} already in place", unchanged).format(n=unchanged)
    out.append(_("Plan: {todo}; {already}.").format(todo=", ".join(todo) or _("nothing to do"), already=already))
    return "\n".join(out) + "\n"


@app.command(
    "plan",
    help=_(
        "Show what `apply` would change (communities, rooms, roles, invitations, welcomes); write nothing.\n\n"
        "Exits 2 when the manifest or its CSV has problems (all listed with file:line).\n\n"
        "Example: rse onboard plan communities.toml --json"
    ),
)
def plan(ctx: typer.Context, manifest: ManifestArg, json_: JsonOpt = False) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import onboarding

    c = ctx_of(ctx)
    result = onboarding.plan(c.network(), c.store, manifest, templates=c.templates())
    if json_:
        render(c, result, Format.json)
    else:
        c.stdout.write(plan_text(result))
        if not result.problems:  # a plan that cannot be applied takes no time
            _warn_limits(c, result.estimate, manifest, by_plan=True)
    for note in result.notes:
        c.say(_("note: {note}").format(note=note))
    if result.problems:
        _problems(c, result.problems)
        from rse_cli.errors import InputError

        n = len(result.problems)
        rows = sum(1 for p in result.problems if p.skippable)  # the hint only where it would help
        if not rows:
            hint = None
        elif rows == n:
            hint = _("fix them, or drop the bad rows with `rse onboard apply --skip-invalid`")
        else:
            hint = ngettext(
                "`--skip-invalid` would drop the {n} bad row, not fix the rest",
                "`--skip-invalid` would drop the {n} bad rows, not fix the rest",
                rows,
            ).format(n=rows)
        raise InputError(
            ngettext("{n} problem to fix before `rse onboard apply`", "{n} problems to fix before `rse onboard apply`", n).format(
                n=n
            ),
            hint=hint,
        )


def done_text(s: dict[str, int]) -> list[str]:
    """What apply did, in one sentence: the counts that are not zero (one ngettext each), then
    the failures, always; "nothing to do" when a re-run found everything in place."""
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    num = L10n(current()).num

    def part(key: str, text: str) -> str:
        return text.format(n=num(s.get(key, 0))) if s.get(key, 0) else ""

    changes = [
        part(
            "communities_created", ngettext("{n} community created", "{n} communities created", s.get("communities_created", 0))
        ),
        part("rooms_created", ngettext("{n} room created", "{n} rooms created", s.get("rooms_created", 0))),
        part("invited", ngettext("{n} person invited", "{n} people invited", s.get("invited", 0))),
        part("joined", ngettext("{n} person added", "{n} people added", s.get("joined", 0))),
        part("welcome_sent", ngettext("{n} welcome sent", "{n} welcomes sent", s.get("welcome_sent", 0))),
        part("topics_set", ngettext("{n} description set", "{n} descriptions set", s.get("topics_set", 0))),
        part("avatars_set", ngettext("{n} picture set", "{n} pictures set", s.get("avatars_set", 0))),
    ]
    said = [c for c in changes if c] or [_("nothing to do")]
    said.append(part("unchanged", ngettext("{n} already there", "{n} already there", s.get("unchanged", 0))))
    said.append(ngettext("{n} failed", "{n} failed", s.get("failed", 0)).format(n=num(s.get("failed", 0))))
    return [_("done: {summary}").format(summary=", ".join(x for x in said if x))]


@app.command(
    "apply",
    help=_(
        "Create the communities and rooms, set roles, invite members and welcome them; safe to re-run.\n\n"
        "A run killed at any point resumes where it stopped when re-run, with no duplicate invitation "
        "or message.\n\nExample: rse onboard apply communities.toml --yes"
    ),
)
def apply(
    ctx: typer.Context,
    manifest: ManifestArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help=_("Drop invalid rows and people not found (listed) instead of refusing."))
    ] = False,
    failed_csv: Annotated[
        Optional[Path],
        typer.Option("--failed-csv", help=_("Where to write the rows that failed (default: MANIFEST.failed.csv).")),
    ] = None,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import onboard_run

    c = ctx_of(ctx)

    def preflight(check: onboard_run.Preflight) -> None:
        for p in check.skipped:
            c.say(_("skipped {problem}").format(problem=p))
        if check.changes:  # nothing to do takes no time
            _warn_limits(c, check.estimate, manifest, by_plan=False)
        if check.changes and check.ask:  # --yes: no question asked
            _confirm(ngettext("apply {n} change?", "apply {n} changes?", check.changes).format(n=check.changes))

    with c.progress(_("onboarding")) as bar:
        result = onboard_run.apply_manifest(
            c.network(),
            c.store,
            manifest,
            templates=c.templates(),
            skip_invalid=skip_invalid,
            failed_csv=failed_csv,
            plan_first=not yes,
            preflight=preflight,
            progress=bar.update if bar else None,
        )
    s = result.summary
    for line in done_text(s):
        c.say(line)
    if result.failed_csv:
        c.say(_("failed rows written to {file} (fix and feed them back)").format(file=result.failed_csv))
    f = fmt(json_, format_)
    if f is Format.table:
        rows = [
            {
                _("community"): o.community,
                _("person"): o.person,
                _("action"): _(ACTIONS.get(o.action, o.action)),
                _("welcome"): _(ACTIONS.get(o.welcome, o.welcome)) if o.welcome else "",
                _("error"): o.error or "",
            }
            for o in result.outcomes
            if o.action != "unchanged" or o.welcome == "sent"
        ]
        render(c, rows, f)
    else:
        render(c, result, f)
    if s.get("failed"):
        from rse_cli.errors import ServerError

        raise ServerError(
            ngettext("{n} person could not be onboarded", "{n} people could not be onboarded", s["failed"]).format(n=s["failed"]),
            hint=_("see {file}").format(file=result.failed_csv),
        )


# what happened to a person, as the apply table shows it (the values stay as they are in --json)
ACTIONS = {
    "invited": N_("invitation sent"),
    "joined": N_("added"),
    "unchanged": N_("already there"),
    "failed": N_("failed"),
    "sent": N_("sent"),
}


def _confirm(question: str) -> None:
    """Ask on the terminal; refuse to guess when there is none (cron, CI)."""
    import sys

    from rse_cli.errors import AbortedError, UsageError

    if not sys.stdin.isatty():
        raise UsageError(_("apply needs --yes when not run from a terminal"))
    if not typer.confirm(question, err=True):
        raise AbortedError(_("nothing applied"))


# `onboard status`'s columns: one word per concept, the same as the audit's ("invited, not joined")
STATUS_COLUMNS = (
    ("community", N_("community")),
    ("alias", N_("alias")),
    ("exists", N_("exists")),
    ("expected", N_("expected")),
    ("joined", N_("joined")),
    ("invited_not_joined", N_("invited, not joined")),
    ("not_yet_invited", N_("not yet invited")),
    ("failed", NP_("a column: how many people", "failed")),  # "en échec", not a step's "échec"
)


@app.command(
    "status",
    help=_(
        "Show, per community of the manifest, how many people joined, are invited but not joined, "
        "are not yet invited, or failed.\n\nExample: rse onboard status communities.toml --json"
    ),
)
def status(ctx: typer.Context, manifest: ManifestArg, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render
    from rse_cli.services import onboarding

    c = ctx_of(ctx)
    result = onboarding.status(c.network(), c.store, manifest)
    f = fmt(json_, format_)
    if f is Format.table:
        rows = [
            {
                _(label): (_("yes") if v else _("no")) if isinstance(v := getattr(s, key), bool) else v
                for key, label in STATUS_COLUMNS
            }
            for s in result
        ]
        render(c, rows, f)
        return
    render(c, result, f)
