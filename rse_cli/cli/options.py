"""Options shared by many commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

from rse_cli.cli.output import Format
from rse_cli.i18n import _

JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print JSON (stable field names) instead of a table."))]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help=_("table, json, ndjson or csv."))]


def fmt(json_flag: bool, format_: Format) -> Format:
    return Format.json if json_flag else format_


def ctx_of(ctx: typer.Context):
    from rse_cli.cli.context import AppContext

    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext)
    return obj
