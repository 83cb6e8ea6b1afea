"""rse auth: log in with a password, see who rse acts as, log out."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Log in and check which account rse acts as.", no_args_is_help=True)


@app.command("login")
def login(
    ctx: typer.Context,
    user: Annotated[Optional[str], typer.Option("--user", "-u", help="Matrix user: name or @name:server.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Log in (Matrix: a password; Viva Engage: a device code to enter in a browser); the token is stored, never shown.

    Example: echo "$PASS" | rse auth login --user champion --password-stdin
    Example: rse --profile contoso auth login
    """
    from rse_cli.errors import UsageError
    from rse_cli.network.base import capabilities
    from rse_cli.services.auth import login as do_login

    c = ctx_of(ctx)
    if capabilities(c.settings).login == "device_code":
        from rse_cli.services.auth import device_login

        def show(url: str, code: str, message: str) -> None:
            c.say(f"To sign in, open {url} and enter the code {code}")

        done = device_login(c.settings, show)
        c.say(f"signed in as {done.user}; tokens cached in {done.saved_in} (refreshed silently)")
        return
    if not user:
        raise UsageError("--user is required to log in with a password", hint="rse auth login --user NAME --password-stdin")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True)
    else:
        raise UsageError("no password: use --password-stdin when stdin is not a terminal")
    if not password:
        raise UsageError("empty password")
    result = do_login(c.settings, c.network(authenticated=False), user, password, config_path=c.config_path)
    c.say(f"logged in as {result.user_id} (device {result.device_id}); token saved in {result.saved_in}")


@app.command("status")
def status(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """Show who rse acts as, on which network (and tenant), with which permissions, and whether the account is an admin.

    Example: rse auth status --json
    """
    from rse_cli.cli.output import render
    from rse_cli.network.base import capabilities

    c = ctx_of(ctx)
    if capabilities(c.settings).login == "device_code":
        from rse_cli.services.auth import session_status

        found = session_status(c.settings, c.network(), c.clock())
        render(c, found, fmt(json_, format_))
        if found.warning:
            c.say(f"warning: {found.warning}")
        return
    render(c, c.network().whoami(), fmt(json_, format_))


@app.command("logout")
def logout(ctx: typer.Context) -> None:
    """Forget the stored token of the active profile (the device id is kept for the next login).

    Example: rse auth logout
    """
    from rse_cli.credentials import forget_token

    c = ctx_of(ctx)
    s = c.settings
    from rse_cli.network.base import capabilities

    if capabilities(s).login == "device_code":
        from rse_cli.services.auth import device_logout

        c.say(f"signed out: {device_logout(s)} deleted")
        return
    forget_token(s.profile, s.homeserver, s.user)
    c.say(f"token of profile {s.profile!r} forgotten")


