"""typer's own words in help pages ("Usage:", "Options", "Show this message and exit.", "default:")
in the user's language: typer words them in English through the stdlib's default gettext domain,
so rse routes them to its catalog. Installed once, when the command tree is built."""

from __future__ import annotations

from typing import Any

from rse_cli.i18n import N_, _

__all__ = ["install"]

# the words typer's help pages use (typer/core.py, typer/_click): listed here so the catalog has them
WORDS = (
    N_("Usage: "),
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Aborted!"),
)

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    import typer.core
    from typer._click import core as click_core
    from typer._click import formatting

    known = set(WORDS)
    typer.core._ = lambda message: _(message) if message in known else message

    write_usage = formatting.HelpFormatter.write_usage

    def usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage  # type: ignore[method-assign]

    get_help_option = click_core.Command.get_help_option

    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    click_core.Command.get_help_option = help_option  # type: ignore[method-assign]
