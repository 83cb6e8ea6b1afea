"""rse config: create, inspect and change the config file."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format

app = typer.Typer(help="Create, show and change rse's configuration.", no_args_is_help=True)


def _installed_text() -> str:
    from rse_cli.network.base import available

    found = available()
    return "; ".join(f"{name}: {text}" for name, text in found.items()) or "none"


class _InitCommand(TyperCommand):
    """`config init --help` lists the installed connectors, looked up only when that help is
    shown: `rse --help` and every other start stay free of the entry-point scan."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.epilog = f"Installed networks: {_installed_text()}."
        super().format_help(ctx, formatter)


def _table_options(args: list[str]) -> dict[str, str]:
    """`--client-url URL --device-id X` -> {"client_url": URL, "device_id": X}: options the
    connector's table knows, checked by the connector's settings model before anything is written."""
    from rse_cli.config import SECRET_KEYS
    from rse_cli.errors import UsageError

    out: dict[str, str] = {}
    rest = list(args)
    while rest:
        flag = rest.pop(0)
        key, eq, value = flag.partition("=")
        if not key.startswith("--") or len(key) < 3:
            raise UsageError(f"unexpected argument {flag!r}", hint="see `rse config init --help`")
        if not eq:
            if not rest or rest[0].startswith("--"):
                raise UsageError(f"{key} needs a value")
            value = rest.pop(0)
        name = key[2:].replace("-", "_")
        if name in SECRET_KEYS:
            raise UsageError(f"{key}: a secret is never kept in the config file", hint="use `rse auth login`")
        out[name] = value
    return out


def _path(ctx: typer.Context):
    from rse_cli.config import default_config_path

    return ctx_of(ctx).config_path or default_config_path()


@app.command("init", cls=_InitCommand, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def init(
    ctx: typer.Context,
    network: Annotated[
        Optional[str],
        typer.Option("--network", help="The connector to use (default: matrix); the installed ones are listed below."),
    ] = None,
    homeserver: Annotated[
        Optional[str], typer.Option("--homeserver", help="URL of the network's server (Matrix: the homeserver).")
    ] = None,
    user: Annotated[Optional[str], typer.Option("--user", help="The account rse acts as, e.g. @champion:example.org.")] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="fr or en.")] = None,
    make_default: Annotated[bool, typer.Option("--default", help="Make this profile the default one.")] = False,
) -> None:
    """Write (or update) a profile in the config file, at mode 0600.

    Other --KEY VALUE options go to the network's own table, [profiles.NAME.<network>]
    (Matrix: --client-url, --animator-level, --moderator-level).

    Example: rse config init --homeserver https://matrix.example.org
    """
    from rse_cli.config import write_profile
    from rse_cli.errors import UsageError
    from rse_cli.network.base import check_settings, connector, installed

    c = ctx_of(ctx)
    name = c.profile or "default"
    if network is not None and network not in installed():
        raise UsageError(f"--network {network}: no such connector is installed", hint=f"installed: {_installed_text()}")
    values: dict[str, Any] = {"network": network, "homeserver": homeserver, "user": user, "lang": lang}
    chosen = network or _current_network(ctx, name)
    values |= {f"{chosen}.{key}": value for key, value in _table_options(ctx.args).items()}
    write_profile(_path(ctx), name, values, make_default=make_default, check=check_settings)
    c.say(f"profile {name!r} written to {_path(ctx)}")
    if connector(chosen).capabilities.login == "device_code":
        c.say("next: rse auth login")
    else:
        c.say("next: rse auth login --user NAME --password-stdin")


def _current_network(ctx: typer.Context, profile: str) -> str:
    """The network the profile already names in the file (a re-run of init keeps it)."""
    from rse_cli.config import read_file

    section = (read_file(_path(ctx)).get("profiles") or {}).get(profile) or {}
    return str(section.get("network") or "matrix")


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A key of config.example.toml, e.g. concurrency.")],
    value: Annotated[str, typer.Argument(help="The new value; 'none' removes the key.")],
) -> None:
    """Change one key of the active profile (validated before it is written).

    A key of the network's own table is written TABLE.KEY, e.g. matrix.client_url.

    Example: rse config set ca_bundle /etc/ssl/company-ca.pem
    """
    from rse_cli.config import SECRET_KEYS, write_profile
    from rse_cli.errors import ConfigError
    from rse_cli.network.base import check_settings

    c = ctx_of(ctx)
    if key.rpartition(".")[2] in SECRET_KEYS:
        raise ConfigError(f"{key} is a secret and is not kept in the config file", hint="use `rse auth login` or RSE_TOKEN")
    parsed: object = None if value.lower() == "none" else value
    if key == "leaders" and parsed is not None:
        parsed = [v.strip() for v in value.split(",") if v.strip()]
    write_profile(_path(ctx), c.profile or c.settings.profile, {key: parsed}, check=check_settings)
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
    if not json_:  # tables on one line each in the table view
        for key in [k for k, v in data.items() if isinstance(v, dict)]:
            data[key] = ", ".join(f"{k}={v}" for k, v in data[key].items())
    data["config_file"] = str(_path(ctx))
    data["token_from"] = c.token_source()[1]
    render(c, data, fmt(json_, format_))


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print the path of the config file in use.

    Example: rse config path
    """
    typer.echo(str(_path(ctx)))
