"""The parser's errors in the user's language: a bad option value lists the valid ones, an unknown
option or command says which one was meant. Imported only when such an error happens.

typer checks values with pydantic and words its errors in English ("Value error, 'severe' is not
one of …", "Input should be a valid integer"); nothing of that reaches the user: the message is
rebuilt from the parameter (its enum's values, its bounds) and the value typed.
"""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

from rse_cli.i18n import _
from rse_cli.suggest import close_matches, did_you_mean

__all__ = ["choices_of", "did_you_mean", "explain", "pydantic_problem"]


def choices_of(param: Any) -> list[str] | None:
    """The values an enum (or Literal) parameter accepts, as typed on the command line."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if typing.get_origin(annotation) in (list, tuple):
        args = typing.get_args(annotation)
        annotation = args[0] if args else None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(m.value) for m in annotation]
    if typing.get_origin(annotation) is typing.Literal:
        return [str(a) for a in typing.get_args(annotation)]
    return None


def _name(param: Any) -> str:
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    from rse_cli.cli.helptext import argument

    return getattr(param, "metavar", None) or argument(getattr(param, "name", None))  # as the help page shows it


def _typed(exc: Exception) -> tuple[Any, dict[str, Any]]:
    """The value the user typed and pydantic's error (type, ctx), when pydantic checked it."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            return first.get("input"), first
        except (IndexError, TypeError):
            pass
    return None, {}


def _problem(value: Any, error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    limits = error.get("ctx") or {}
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return _("“{value}” is not a whole number").format(value=value)
    if kind in ("float_parsing", "float_type"):
        return _("“{value}” is not a number").format(value=value)
    if kind in ("greater_than_equal", "greater_than"):
        return _("{value} is too small: the least is {limit}").format(value=value, limit=limits.get("ge", limits.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("{value} is too large: the most is {limit}").format(value=value, limit=limits.get("le", limits.get("lt")))
    if kind in ("bool_parsing", "bool_type"):
        return _("“{value}” is neither true nor false").format(value=value)
    return _("“{value}” is not a valid value").format(value=value)


def explain(exc: Any) -> tuple[str, str | None]:
    """(message, hint) for one of typer's UsageError."""
    from typer._click.exceptions import BadParameter, MissingParameter, NoSuchOption

    ctx = getattr(exc, "ctx", None)
    help_hint = _("see `{command} --help`").format(command=ctx.command_path) if ctx is not None else None
    if isinstance(exc, MissingParameter):
        return _("{name} is missing").format(name=_name(exc.param) if exc.param else _("a value")), help_hint
    if isinstance(exc, BadParameter):
        param = exc.param
        name = _name(param) if param is not None else _("a value")
        value, error = _typed(exc)
        choices = choices_of(param) if param is not None else None
        if choices is not None:
            shown = value if value is not None else _quoted_value(exc.message)
            message = _("{name}: “{value}” is not one of the accepted values").format(name=name, value=shown)
            hint = did_you_mean(str(shown), choices)
            if hint:
                return message, _("{suggestion} (accepted values: {values})").format(suggestion=hint, values=", ".join(choices))
            return message, _("the accepted values: {values}").format(values=", ".join(choices))
        if value is not None or error:
            return _("{name}: {problem}").format(name=name, problem=_problem(value, error)), help_hint
        return _("{name}: {problem}").format(name=name, problem=exc.message.removeprefix("Value error, ")), help_hint
    if isinstance(exc, NoSuchOption):
        options = {o.lstrip("-"): o for o in (exc.possibilities or _options(ctx))}  # the dashes would make all alike
        close = close_matches(exc.option_name.lstrip("-"), options)
        hint = did_you_mean(options[close[0]], [options[c] for c in close]) if close else help_hint
        return _("unknown option {option}").format(option=exc.option_name), hint
    message = str(getattr(exc, "message", exc))
    if message.startswith("No such command") and ctx is not None:
        typed = message.split("'")[1] if message.count("'") >= 2 else ""
        commands = ctx.command.list_commands(ctx) if hasattr(ctx.command, "list_commands") else []
        return (_("unknown command “{command}”").format(command=typed), did_you_mean(typed, commands) or help_hint)
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.index("(") + 1 : message.rindex(")")] if "(" in message and ")" in message else ""
        return _("unexpected argument: {arguments}").format(arguments=extra), help_hint
    if "requires an argument" in message or ("requires" in message and "argument" in message):
        option = message.split()[1] if message.startswith("Option") else message
        return _("{option} needs a value").format(option=option.strip("'")), help_hint
    return message, help_hint


def _quoted_value(message: str) -> str:
    parts = message.split("'")
    return parts[1] if len(parts) >= 3 else message


def _options(ctx: Any) -> list[str]:
    if ctx is None:
        return []
    return [o for p in ctx.command.params for o in getattr(p, "opts", [])]


def pydantic_problem(errors: list[dict[str, Any]]) -> str:
    """One line for a pydantic ValidationError's first error: the field and what is wrong, in the user's language."""
    first = errors[0] if errors else {}
    name = ".".join(str(p) for p in first.get("loc", ())) or _("a value")
    return _("{name}: {problem}").format(name=name, problem=_problem(first.get("input"), first))
