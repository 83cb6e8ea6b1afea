"""typer's own words in help pages ("Usage:", "Options", "Show this message and exit.", "default:")
in the user's language: typer words them in English through the stdlib's default gettext domain,
so rse routes them to its catalog. Installed once, when the command tree is built.

Placeholders read as words too: an argument is its name in capitals (`rse config set KEY VALUE`,
« CLÉ VALEUR »), never typer's `{key}`, and an option's value says what it takes (TEXT, NUMBER,
FILE) instead of Python's type names (`<str>`, `<int range>`). Headings, ranges and the separator
between notes follow the language's punctuation (« [par défaut : 4 ; entre 1 et 52] »)."""

from __future__ import annotations

from typing import Any

from rse_cli.i18n import N_, _, pgettext

__all__ = ["ARGUMENTS", "install"]

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

# every argument of the command tree by its parameter name (tests/cli/test_help.py checks none is missing)
ARGUMENTS = {
    "communities": N_("COMMUNITIES"),
    "community": N_("COMMUNITY"),
    "key": N_("KEY"),
    "leader": N_("LEADER"),
    "manifest": N_("MANIFEST"),
    "name": N_("NAME"),
    "people": N_("PEOPLE"),
    "person": N_("PERSON"),
    "target": N_("TARGET"),
    "user_id": N_("ACCOUNT"),
    "value": N_("VALUE"),
}

# what an option's value is, by typer's type label; a list of choices keeps its values (<table|json>)
TYPES = {
    "str": N_("TEXT"),
    "list[str]": N_("TEXT"),
    "int": N_("NUMBER"),
    "int range": N_("NUMBER"),
    "float": N_("NUMBER"),
    "float range": N_("NUMBER"),
    "path": N_("FILE"),  # every path option of rse names a file
    "datetime": N_("DATE"),
}

# typer's completion options, worded in English by typer itself
COMPLETION = {
    "Install completion for the current shell.": N_("Install completion for the current shell."),
    "Show completion for the current shell, to copy it or customize the installation.": N_(
        "Show completion for the current shell, to copy it or customize the installation."
    ),
}

_installed = False


def argument(name: str | None) -> str:
    """An argument's placeholder: its name in capitals, in the user's language."""
    word = ARGUMENTS.get(name or "")
    return _(word) if word else (name or "").upper()


def value_type(shown: str) -> str:
    """`<str>` -> TEXT, `<int range>` -> NUMBER (translated); choices as typer shows them."""
    word = TYPES.get(shown[1:-1]) if shown.startswith("<") and shown.endswith(">") else None
    return _(word) if word else shown


def number_range(low: float | None, high: float | None) -> str | None:
    """typer's `1<=x<=52` in words: "between 1 and 52", "at least 1", "at most 52"."""
    if low is None and high is None:
        return None
    if low is None:
        return _("at most {max}").format(max=high)
    if high is None:
        return _("at least {min}").format(min=low)
    return _("between {min} and {max}").format(min=low, max=high)


def _notes(help_: str) -> str:
    """typer ends a help text with its notes in brackets, joined by "; ": the language's separator."""
    text, sep, notes = help_.rpartition("[")
    if not sep or not notes.endswith("]") or "; " not in notes:
        return help_
    return text + sep + notes.replace("; ", pgettext("between two items of a list", "; "))


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

    def heading(self: Any, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}" + _("{heading}:").format(heading=heading) + "\n")

    formatting.HelpFormatter.write_heading = heading  # type: ignore[method-assign]

    get_help_option = click_core.Command.get_help_option

    def help_option(self: Any, ctx: Any) -> Any:
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    click_core.Command.get_help_option = help_option  # type: ignore[method-assign]

    _placeholders(typer.core)


def _placeholders(core: Any) -> None:
    """Arguments by name in capitals, option values in words, ranges and notes in the language."""
    Argument, Option, Group = core.TyperArgument, core.TyperOption, core.TyperGroup

    def usage_name(self: Any) -> str:
        name = self.metavar or argument(self.name)
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def row_name(self: Any) -> str:
        name = self.metavar or argument(self.name)
        return name + ("..." if self.metavar is None and self.nargs != 1 else "")

    def argument_type(self: Any, ctx: Any) -> str | None:
        shown = core._TyperParameter.display_type(self, ctx)
        return shown if self.type_descriptor.is_choice else None  # the name says it; choices say more

    Argument._usage_display_name = usage_name
    Argument._rich_display_name = row_name
    Argument.display_type_rich = argument_type

    option_type = Option.display_type

    def option_value(self: Any, ctx: Any) -> str:
        return value_type(option_type(self, ctx))

    Option.display_type = option_value

    def ranged(self: Any) -> str | None:
        if getattr(self, "count", False) and self.min == 0 and self.max is None:
            return None
        return number_range(self.min, self.max)

    Argument._get_number_range_help_str = ranged
    Option._get_number_range_help_str = ranged

    for cls in (Argument, Option):
        record = cls.get_help_record

        def help_record(self: Any, ctx: Any, _record: Any = record) -> tuple[str, str] | None:
            found = _record(self, ctx)
            if found is None:
                return None
            name, text = found
            if self.help in COMPLETION:
                text = text.replace(self.help, _(COMPLETION[self.help]), 1)
            return name, _notes(text)

        cls.get_help_record = help_record

    collect = Group.collect_usage_pieces

    def group_usage(self: Any, ctx: Any) -> list[str]:
        pieces = collect(self, ctx)
        if pieces and pieces[-1] == "COMMAND [ARGS]...":
            pieces[-1] = _("COMMAND [ARGS]...")
        return pieces

    Group.collect_usage_pieces = group_usage
