"""The single renderer: pydantic models -> rich table | plain text | json | ndjson | csv.

Data goes to stdout, messages to stderr. On a terminal, tables are drawn with rich; when
stdout is a pipe or a file, plain aligned columns without colour, so `grep` and `cut` work.
JSON field names are the models' field names: a stable contract.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any

__all__ = ["Format", "render"]

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


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T" and value[4:5] == "-":
        return value[:16].replace("T", " ")  # ISO timestamps: minutes are enough in a table
    return str(value)


def render(ctx: AppContext, data: BaseModel | Sequence[BaseModel | Mapping[str, Any]] | Mapping[str, Any], fmt: Format, *,
           columns: list[str] | None = None, title: str | None = None) -> None:
    """Print `data` on stdout in the chosen format. A single model is shown as key/value rows."""
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
    if isinstance(payload, dict) and not isinstance(data, list):
        keys = columns or list(payload)
        _table(ctx, ["field", "value"], [[k, _cell(payload.get(k))] for k in keys], title, fmt)
        return
    keys = columns or (list(rows[0]) if rows else [])
    _table(ctx, keys, [[_cell(r.get(k)) for k in keys] for r in rows], title, fmt)


def _table(ctx: AppContext, header: list[str], rows: list[list[str]], title: str | None, fmt: Format) -> None:
    out = ctx.stdout
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        out.write(buf.getvalue())
        return
    if ctx.stdout_is_terminal:
        from rich.table import Table

        table = Table(title=title, header_style="bold", show_lines=False)
        for h in header:
            table.add_column(h.replace("_", " "), overflow="fold")
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
