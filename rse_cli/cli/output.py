"""The single renderer: pydantic models -> rich table | plain text | json | ndjson | csv.

Data goes to stdout, messages to stderr. On a terminal, tables are drawn with rich; when
stdout is a pipe or a file, plain aligned columns without colour, so `grep` and `cut` work.
JSON field names are the models' field names: a stable contract. Tables speak the user's
language: a column's header is the translated label of its field (LABELS, or the `labels` a
command passes for its own fields), `--format json|ndjson|csv` keep the field names and values.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from rse_cli.i18n import N_, _

__all__ = ["LABELS", "Format", "label", "render", "when"]

# Column headers shown in tables, by field name; a field not listed shows as its name with spaces.
LABELS: dict[str, str] = {
    "field": N_("field"),
    "value": N_("value"),
    "id": N_("id"),
    "name": N_("name"),
    "alias": N_("alias"),
    "topic": N_("topic"),
    "link": N_("link"),
    "community": N_("community"),
    "communities": N_("communities"),
    "room": N_("room"),
    "rooms": N_("rooms"),
    "members": N_("members"),
    "member_count": N_("members"),
    "person": N_("person"),
    "people": N_("people"),
    "display_name": N_("display name"),
    "membership": N_("membership"),
    "role": N_("role"),
    "power": N_("power level"),
    "action": N_("action"),
    "error": N_("error"),
    "at": N_("at"),
    "profile": N_("profile"),
    "target": N_("target"),
    "outcome": N_("outcome"),
    "detail": N_("detail"),
    "new_events": N_("new events"),
    "resumed": N_("resumed"),
    "running": N_("running"),
    "url": N_("address"),
    "server_name": N_("server name"),
    "data_dir": N_("data directory"),
    "pid": N_("process"),
    "stale_pid": N_("stale pid file"),
    "seed": N_("seed"),
    "days": N_("days"),
    "messages": N_("messages"),
    "replies": N_("replies"),
    "thread_messages": N_("thread messages"),
    "reactions": N_("reactions"),
    "memberships": N_("memberships"),
    "sent": N_("sent"),
    "skipped": N_("skipped"),
    "seconds": N_("seconds"),
    "csv_path": N_("HR export"),
    "leaders": N_("leaders"),
    "already_complete": N_("already complete"),
    "email": N_("e-mail"),
    "status": N_("status"),
    "animators": N_("animators"),
    "moderators": N_("moderators"),
    "created": N_("created"),
    "event_id": N_("message id"),
}


def label(field: str, labels: Mapping[str, str] | None = None) -> str:
    """The header of `field` in the user's language (a command's own `labels` first)."""
    source = (labels or {}).get(field) or LABELS.get(field)
    return _(source) if source else field.replace("_", " ")


def when(at: datetime) -> str:
    """A moment for a reader, in local time: '25 November 2026, 19:41' / '25 novembre 2026, 19:41',
    as rse animate shows its dates (tables of other commands keep ISO minutes)."""
    from rse_cli.i18n import current
    from rse_cli.l10n import L10n

    return L10n(current()).moment(at.astimezone() if at.tzinfo is not None else at)


if TYPE_CHECKING:
    from pydantic import BaseModel

    from rse_cli.cli.context import AppContext


class Format(str, Enum):
    table = "table"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"


def _jsonable(data: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list):
        return [_jsonable(x) for x in data]
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    return data


def _cell(value: Any, human: bool = True) -> str:
    """A cell as text; `human` (tables, not CSV) says yes/no in the user's language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if human:
            return _("yes") if value else _("no")
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v, human) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v, human)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T" and value[4:5] == "-":
        return value[:16].replace("T", " ")  # ISO timestamps: minutes are enough in a table
    return str(value)


def render(
    ctx: AppContext,
    data: BaseModel | Sequence[BaseModel | Mapping[str, Any]] | Mapping[str, Any],
    fmt: Format,
    *,
    columns: list[str] | None = None,
    title: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Print `data` on stdout in the chosen format. A single model is shown as key/value rows.

    `title` is shown above a table (pass it translated); `labels` maps this command's own fields
    to `N_()`-marked headers (LABELS holds the common ones); CSV keeps the field names."""
    payload = _jsonable(data)
    out = ctx.stdout
    if fmt is Format.json:
        out.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    rows = payload if isinstance(payload, list) else [payload]
    if fmt is Format.ndjson:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    human = fmt is not Format.csv
    if isinstance(payload, dict) and not isinstance(data, list):
        keys = columns or list(payload)
        names = [label(k, labels) if human else k for k in keys]
        _table(ctx, ["field", "value"], [[n, _cell(payload.get(k), human)] for n, k in zip(names, keys, strict=True)], title, fmt)
        return
    keys = columns or (list(rows[0]) if rows else [])
    _table(ctx, keys, [[_cell(r.get(k), human) for k in keys] for r in rows], title, fmt, labels)


def _table(
    ctx: AppContext,
    fields: list[str],
    rows: list[list[str]],
    title: str | None,
    fmt: Format,
    labels: Mapping[str, str] | None = None,
) -> None:
    out = ctx.stdout
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(rows)
        out.write(buf.getvalue())
        return
    header = [label(f, labels) for f in fields]
    if ctx.stdout_is_terminal:
        from rich.table import Table

        table = Table(title=title, header_style="bold", show_lines=False)
        for h in header:
            table.add_column(h, overflow="fold")
        for r in rows:
            table.add_row(*r)
        ctx.console.print(table)
        return
    if not rows:
        return
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    out.write("  ".join(h.upper().ljust(w) for h, w in zip(header, widths, strict=True)).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
