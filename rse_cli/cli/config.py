"""rse config: create, inspect and change the config file."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Create, show and change rse's configuration.", no_args_is_help=True)


def _path(ctx: typer.Context):
    from rse_cli.config import default_config_path

    return ctx_of(ctx).config_path or default_config_path()


@app.command("init")
def init(
    ctx: typer.Context,
    homeserver: Annotated[Optional[str], typer.Option("--homeserver", help="URL of the Matrix homeserver.")] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="The account rse acts as, e.g. @champion:example.org.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="fr or en.")] = None,
    make_default: Annotated[bool, typer.Option("--default", help="Make this profile the default one.")] = False,
    network: Annotated[str, typer.Option("--network", help="The connector: matrix, engage (see the installed ones in the error).")] = "matrix",
    tenant: Annotated[Optional[str], typer.Option("--tenant", help="Viva Engage: the tenant, e.g. contoso.onmicrosoft.com.")] = None,
    client_id: Annotated[Optional[str], typer.Option("--client-id", help="Viva Engage: the app (client) id the tenant admin registered.")] = None,
) -> None:
    """Write (or update) a profile in the config file, at mode 0600.

    Example: rse config init --homeserver https://matrix.example.org
    Example: rse config init --network engage --tenant contoso.onmicrosoft.com --client-id APP_ID
    """
    from rse_cli.config import write_profile
    from rse_cli.errors import ConfigError
    from rse_cli.network.base import connector

    c = ctx_of(ctx)
    name = c.profile or "default"
    plugin = connector(network)  # an unknown name lists the installed connectors
    values: dict[str, object] = {"network": None if network == "matrix" else network, "lang": lang}
    if network == "matrix":
        if not homeserver:
            raise ConfigError("--homeserver is required for a Matrix profile", hint="rse config init --homeserver https://matrix.example.org")
        values.update(homeserver=homeserver, user=user)
    elif plugin.settings_model is not None:
        table = {k: v for k, v in {"tenant": tenant, "client_id": client_id}.items() if v}
        from pydantic import ValidationError

        try:
            plugin.settings_model.model_validate(table)
        except ValidationError as exc:
            missing = ", ".join("--" + str(e["loc"][-1]).replace("_", "-") for e in exc.errors())
            raise ConfigError(f"a {network} profile needs {missing}",
                              hint=f"rse config init --network {network} --tenant contoso.onmicrosoft.com --client-id APP_ID") from None
        values[network] = table
    write_profile(_path(ctx), name, values, make_default=make_default)
    c.say(f"profile {name!r} written to {_path(ctx)}")
    c.say("next: rse auth login" + (" --user NAME --password-stdin" if plugin.capabilities.login == "password" else ""))


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A key of config.example.toml, e.g. concurrency.")],
    value: Annotated[str, typer.Argument(help="The new value; 'none' removes the key.")],
) -> None:
    """Change one key of the active profile (validated before it is written).

    Example: rse config set ca_bundle /etc/ssl/company-ca.pem
    """
    from rse_cli.config import SECRET_KEYS, write_profile
    from rse_cli.errors import ConfigError

    c = ctx_of(ctx)
    if key in SECRET_KEYS:
        raise ConfigError(f"{key} is a secret and is not kept in the config file", hint="use `rse auth login` or RSE_TOKEN")
    parsed: object = None if value.lower() == "none" else value
    if key == "leaders" and parsed is not None:
        parsed = [v.strip() for v in value.split(",") if v.strip()]
    write_profile(_path(ctx), c.profile or c.settings.profile, {key: parsed})
    c.say(f"{key} updated")


@app.command("show")
def show(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
    """Show the active settings after flags, environment and file are merged; secrets are hidden.

    Example: rse --profile sandbox config show --json
    """
    from rse_cli.cli.output import render
    from rse_cli.config import scrubbed

    c = ctx_of(ctx)
    data = scrubbed(c.settings)
    data["audit"] = ", ".join(f"{k}={v}" for k, v in data["audit"].items()) if not json_ else data["audit"]
    data["config_file"] = str(_path(ctx))
    data["token_from"] = c.token_source()[1]
    render(c, data, fmt(json_, format_))


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the path of the config file in use.

    Example: rse config path
    """
    typer.echo(str(_path(ctx)))
