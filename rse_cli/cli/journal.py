"""rse journal: every write rse made to the network, newest first."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _

# what a write came to, in words (the store and --json keep these values)
OUTCOMES = {
    "ok": N_("done"),
    "unchanged": N_("already done"),
    "failed": N_("failed"),
    "skipped": N_("skipped"),
    "started": N_("started"),
    "recovered": N_("recovered"),
}
# details the store keeps as "<words> as <id>": the words translated, the id only with --verbose
AS_ID = {
    "already sent as ": N_("already sent"),
    "sent by an interrupted run as ": N_("sent by an interrupted run"),
}
ROLES = {"member": N_("member"), "animator": N_("animator"), "moderator": N_("moderator"), "owner": N_("owner")}

HELP = _("Show the journal of every write rse made to the network, newest first.\n\nExample: rse journal --limit 20 --json")


def journal(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help=_("How many entries."))] = 50,
    action: Annotated[Optional[str], typer.Option("--action", help=_("Only this action, e.g. post or member.*"))] = None,
    all_profiles: Annotated[bool, typer.Option("--all-profiles", help=_("Entries of every profile."))] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = Format.table,
) -> None:
    from rse_cli.cli.output import render

    c = ctx_of(ctx)
    entries = c.store.journal_entries(limit=limit, action=action, all_profiles=all_profiles)
    f = fmt(json_, format_)
    columns = ["at", "profile", "action", "target", "outcome", "detail"]
    if f is not Format.table:
        render(c, entries, f, columns=columns)
        return
    rows = [
        {
            **e.model_dump(mode="json"),
            "outcome": _(OUTCOMES[e.outcome]) if e.outcome in OUTCOMES else e.outcome,
            "detail": detail(e.detail, failed=e.outcome == "failed", verbose=c.verbose),
        }
        for e in entries
    ]
    render(c, rows, f, columns=columns, title=_("Journal"))


def detail(text: str | None, *, failed: bool, verbose: bool) -> str | None:
    """A journal entry's detail for a reader: known words translated; what a write made (the id of
    a message, a room, a community: one word) only with --verbose; an error code and a skip reason
    (written in the run's language) as they are."""
    if not text:
        return text
    for prefix, words in AS_ID.items():
        if text.startswith(prefix):
            ident = text[len(prefix) :]
            return f"{_(words)} ({ident})" if verbose else _(words)
    if text in ROLES:
        return _(ROLES[text])
    if not verbose and not failed and " " not in text:
        return None
    return text
