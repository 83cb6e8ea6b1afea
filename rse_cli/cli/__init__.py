"""The root `rse` command: global options, sub-command registration, error to exit-code mapping.

Sub-command modules are imported here explicitly (no registration by import side effect);
they import only typer at module level, so `rse --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from rse_cli.cli import (
    animate,
    audit,
    auth,
    campaign,
    community,
    config,
    cron,
    digest,
    doctor,
    helptext,
    journal,
    leaders,
    member,
    onboard,
    post,
    sandbox,
    sync,
)
from rse_cli.cli.context import AppContext
from rse_cli.i18n import _

helptext.install()


class RseGroup(TyperGroup):
    """Turns rse's typed errors into a one-line message on stderr and the documented exit code,
    and does the same for the parser's own errors (a bad option value, an unknown option or
    command) so that they speak the user's language and never show pydantic's or click's wording."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _usage_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        from rse_cli.errors import ExitCode, RseError

        try:
            with _usage_errors():
                return super().invoke(ctx)
        except RseError as exc:
            _print_error(exc.message, exc.hint)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            typer.echo(_("interrupted"), err=True)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except ValueError as exc:
            # a pydantic ValidationError that no service turned into an RseError: say which value, in the
            # user's words, never pydantic's ("Input should be …", "Value error, …")
            errors = getattr(exc, "errors", None)
            if not (type(exc).__module__.startswith("pydantic") and callable(errors)):
                raise
            from rse_cli.cli.usage import pydantic_problem

            _print_error(pydantic_problem(errors()), None)
            raise typer.Exit(int(ExitCode.USAGE)) from None
        finally:
            obj = ctx.obj
            if isinstance(obj, AppContext):
                obj.close()


def _print_error(message: str, hint: str | None) -> None:
    typer.echo(_("error: {message}").format(message=message), err=True)
    if hint:
        typer.echo("  " + _("hint: {hint}").format(hint=hint), err=True)


class _usage_errors:  # a context manager, named for what it catches
    """Parser errors (typer's vendored click) -> rse's own message and exit code 2."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb):
        from typer._click.exceptions import NoArgsIsHelpError, UsageError

        if exc is None or not isinstance(exc, UsageError) or isinstance(exc, NoArgsIsHelpError):
            return False
        from rse_cli.cli.usage import explain

        message, hint = explain(exc)
        _print_error(message, hint)
        raise typer.Exit(2) from None


app = typer.Typer(
    cls=RseGroup,
    name="rse",
    help=_("A terminal toolbox for the champions who bring an enterprise social network to life."),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(
    help=_("Animate communities, onboard newcomers, brief leaders, audit community health.\n\nExample: rse community list --json")
)
def root(
    ctx: typer.Context,
    profile: Annotated[
        Optional[str], typer.Option("--profile", "-p", envvar="RSE_PROFILE", help=_("Profile of the config file to use."))
    ] = None,
    config_file: Annotated[
        Optional[Path],
        typer.Option("--config", envvar="RSE_CONFIG", help=_("Config file (default: $RSE_CONFIG_DIR/config.toml).")),
    ] = None,
    homeserver: Annotated[Optional[str], typer.Option("--homeserver", help=_("Override the profile's server URL."))] = None,
    lang: Annotated[
        Optional[str],
        typer.Option(
            "--lang",
            help=_("Language of this run, for what rse prints and writes: fr or en (default: the profile's lang, then LANG)."),
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help=_("Log every HTTP request (tokens redacted) on stderr."))
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", envvar="NO_COLOR", help=_("No colours in output."))] = False,
) -> None:
    import os

    from rse_cli.i18n import activate, choose, profile_lang

    activate(
        choose(lang, os.environ.get("RSE_LANG") or profile_lang(str(config_file) if config_file else None, profile, os.environ))
    )
    ctx.obj = AppContext(
        config_path=config_file,
        profile=profile,
        flags={"homeserver": homeserver, "lang": lang},
        verbose=verbose,
        color=not no_color,
    )


app.add_typer(config.app, name="config")
app.add_typer(auth.app, name="auth")
app.add_typer(community.app, name="community")
app.add_typer(member.app, name="member")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(onboard.app, name="onboard")
app.add_typer(campaign.app, name="campaign")
app.command("post", help=post.POST_HELP)(post.post)
app.command("dm", help=post.DM_HELP)(post.dm)
app.command("journal", help=journal.HELP)(journal.journal)
app.command("sync", help=sync.HELP)(sync.sync)
app.command("audit")(audit.audit)
app.add_typer(digest.app, name="digest")
app.add_typer(animate.app, name="animate")
app.add_typer(leaders.app, name="leaders")
app.command("cron", help=cron.HELP)(cron.cron)
app.command("doctor", help=doctor.HELP)(doctor.doctor)


def main() -> None:
    app(prog_name="rse")


if __name__ == "__main__":  # pragma: no cover
    main()
