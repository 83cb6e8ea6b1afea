"""rse auth: sign in (a password, or a device code where the network uses one), see who rse acts as, log out."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import N_, _

# the fields of `auth status` in words (--json keeps the field names)
LABELS = {
    "user_id": N_("account id"),
    "device_id": N_("device id"),
    "homeserver": N_("server"),
    "admin": N_("network admin"),
    "account": N_("account"),
    "network": N_("network"),
    "tenant": N_("tenant"),
    "scopes": N_("permissions"),
    "sign_in_expires": N_("sign-in lapses"),
    "saved_in": N_("kept in"),
}

app = typer.Typer(help=_("Log in and check which account rse acts as."), no_args_is_help=True)


@app.command(
    "login",
    help=_(
        "Sign in; the token is stored (keyring or 0600 file), never shown.\n\n"
        "Networks that sign in with a password take --user; others print a code to enter in a browser.\n\n"
        'Example: echo "$PASS" | rse auth login --user champion --password-stdin'
    ),
)
def login(
    ctx: typer.Context,
    user: Annotated[
        Optional[str],
        typer.Option("--user", "-u", help=_("The account, as the network names it (Matrix: name or @name:server).")),
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help=_("Read the password from standard input."))] = False,
) -> None:
    from rse_cli.errors import UsageError
    from rse_cli.network.base import capabilities
    from rse_cli.services import auth

    c = ctx_of(ctx)
    if capabilities(c.settings).login == "device_code":
        result = auth.login_device_code(c.settings, c.network(authenticated=False), c.say, config_path=c.config_path)
        who = f"{result.account} ({result.user_id})" if result.account else result.user_id
        c.say(
            _("signed in as {who}; sign-in cached in {where} (tokens are refreshed silently)").format(
                who=who, where=result.saved_in
            )
        )
        return
    if not user:
        raise UsageError(_("say which account: --user NAME"), hint=_("e.g. rse auth login --user champion --password-stdin"))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = typer.prompt(_("Password"), hide_input=True)
    else:
        raise UsageError(_("no password: use --password-stdin when stdin is not a terminal"))
    if not password:
        raise UsageError(_("empty password"))
    result = auth.login(c.settings, c.network(authenticated=False), user, password, config_path=c.config_path)
    if result.device_id:
        c.say(
            _("logged in as {user} (device {device}); token saved in {where}").format(
                user=result.user_id, device=result.device_id, where=result.saved_in
            )
        )
    else:
        c.say(_("logged in as {user}; token saved in {where}").format(user=result.user_id, where=result.saved_in))


@app.command(
    "status",
    help=_(
        "Show who rse acts as, on which server, and whether the account is an admin of the network.\n\n"
        "Where the network keeps its own sign-in (Viva Engage), also the account, the tenant, the "
        "permissions granted, and a warning days before the cached sign-in lapses.\n\n"
        "Example: rse auth status --json"
    ),
)
def status(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    from rse_cli.cli.output import render, when
    from rse_cli.services import auth

    c = ctx_of(ctx)
    found = auth.status(c.network(), c.clock())
    f = fmt(json_, format_)
    if f is Format.table:
        # what is known, in words: an empty field is left out, the warning follows as a sentence
        shown = {k: v for k, v in found.model_dump(exclude={"warning"}).items() if v not in (None, "", {})}
        if isinstance(found, auth.SignedIn) and found.sign_in_expires is not None:  # a date as elsewhere
            shown["sign_in_expires"] = when(found.sign_in_expires)
        render(c, shown, f, labels=LABELS)
    else:
        render(c, found, f)
    if isinstance(found, auth.SignedIn) and found.warning:
        c.say(_("warning: {message}").format(message=found.warning))


@app.command(
    "logout",
    help=_(
        "Forget the stored token of the active profile (the device id is kept for the next login); "
        "on a network that keeps its own sign-in (Viva Engage), delete that cached sign-in too.\n\n"
        "Example: rse auth logout"
    ),
)
def logout(ctx: typer.Context) -> None:
    from rse_cli.services import auth

    c = ctx_of(ctx)
    for line in auth.logout(c.settings, lambda: c.network(authenticated=False)):
        c.say(line)
