"""rse config: create, inspect and change the config file."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from typer.core import TyperCommand

from rse_cli.cli.options import FormatOpt, JsonOpt, ctx_of, fmt
from rse_cli.cli.output import Format
from rse_cli.i18n import _, pgettext

app = typer.Typer(help=_("Create, show and change rse's configuration."), no_args_is_help=True)


def _installed_text() -> str:
    from rse_cli.network.base import available

    found = available()
    between = pgettext("between two items of a list", "; ")  # French puts a space before ";"
    return between.join(
        _("{network}: {description}").format(network=name, description=_(text)) for name, text in found.items()
    ) or _("none")


class _InitCommand(TyperCommand):
    """`config init --help` lists the installed connectors, looked up only when that help is
    shown: `rse --help` and every other start stay free of the entry-point scan."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.epilog = _("Installed networks: {networks}.").format(networks=_installed_text())
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
            raise UsageError(
                _("unexpected argument {argument}").format(argument=repr(flag)), hint=_("see `rse config init --help`")
            )
        if not eq:
            if not rest or rest[0].startswith("--"):
                raise UsageError(_("{flag} needs a value").format(flag=key))
            value = rest.pop(0)
        name = key[2:].replace("-", "_")
        if name in SECRET_KEYS:
            raise UsageError(
                _("{flag}: a secret is never kept in the config file").format(flag=key), hint=_("use `rse auth login`")
            )
        out[name] = value
    return out


def _path(ctx: typer.Context):
    from rse_cli.config import default_config_path

    return ctx_of(ctx).config_path or default_config_path()


@app.command(
    "init",
    cls=_InitCommand,
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    help=_(
        "Write (or update) a profile in the config file, at mode 0600.\n\n"
        "Other --KEY VALUE options go to the network's own table, [profiles.NAME.<network>] "
        "(Matrix: --client-url, --animator-level, --moderator-level).\n\n"
        "Example: rse config init --homeserver https://matrix.example.org"
    ),
)
def init(
    ctx: typer.Context,
    network: Annotated[
        Optional[str],
        typer.Option("--network", help=_("The connector to use (default: matrix); the installed ones are listed below.")),
    ] = None,
    homeserver: Annotated[
        Optional[str], typer.Option("--homeserver", help=_("URL of the network's server (Matrix: the homeserver)."))
    ] = None,
    user: Annotated[Optional[str], typer.Option("--user", help=_("The account rse acts as, e.g. @champion:example.org."))] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help=_("fr or en."))] = None,
    make_default: Annotated[bool, typer.Option("--default", help=_("Make this profile the default one."))] = False,
) -> None:
    from rse_cli.config import write_profile
    from rse_cli.errors import UsageError
    from rse_cli.network.base import check_settings, connector, installed

    c = ctx_of(ctx)
    name = c.profile or "default"
    if network is not None and network not in installed():
        raise UsageError(
            _("--network {network}: no such connector is installed").format(network=network),
            hint=_("installed: {networks}").format(networks=_installed_text()),
        )
    values: dict[str, Any] = {"network": network, "homeserver": homeserver, "user": user, "lang": lang}
    chosen = network or _current_network(ctx, name)
    values |= {f"{chosen}.{key}": value for key, value in _table_options(ctx.args).items()}
    write_profile(_path(ctx), name, values, make_default=make_default, check=check_settings)
    c.say(_("profile {name} written to {path}").format(name=repr(name), path=_path(ctx)))
    if connector(chosen).capabilities.login == "device_code":
        c.say(_("next: {command}").format(command="rse auth login"))
    else:
        c.say(_("next: {command}").format(command="rse auth login --user NAME --password-stdin"))


def _current_network(ctx: typer.Context, profile: str) -> str:
    """The network the profile already names in the file (a re-run of init keeps it)."""
    from rse_cli.config import read_file

    section = (read_file(_path(ctx)).get("profiles") or {}).get(profile) or {}
    return str(section.get("network") or "matrix")


@app.command(
    "set",
    help=_(
        "Change one key of the active profile (validated before it is written).\n\n"
        "A key of the network's own table is written TABLE.KEY, e.g. matrix.client_url.\n\n"
        "Example: rse config set ca_bundle /etc/ssl/company-ca.pem"
    ),
)
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help=_("A key of config.example.toml, e.g. concurrency."))],
    value: Annotated[str, typer.Argument(help=_("The new value; 'none' removes the key."))],
) -> None:
    from rse_cli.config import SECRET_KEYS, write_profile
    from rse_cli.errors import ConfigError
    from rse_cli.network.base import check_settings

    c = ctx_of(ctx)
    if key.rpartition(".")[2] in SECRET_KEYS:
        raise ConfigError(
            _("{key} is a secret and is not kept in the config file").format(key=key),
            hint=_("use `rse auth login` or RSE_TOKEN"),
        )
    parsed: object = None if value.lower() == "none" else value
    if key == "leaders" and parsed is not None:
        parsed = [v.strip() for v in value.split(",") if v.strip()]
    write_profile(_path(ctx), c.profile or c.settings.profile, {key: parsed}, check=check_settings)
    c.say(_("{key} updated").format(key=key))


@app.command(
    "show",
    help=_(
        "Show the active settings after flags, environment and file are merged; secrets are hidden.\n\n"
        "Example: rse --profile sandbox config show --json"
    ),
)
def show(ctx: typer.Context, json_: JsonOpt = False, format_: FormatOpt = Format.table) -> None:
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


@app.command("path", help=_("Print the path of the config file in use.\n\nExample: rse config path"))
def path(ctx: typer.Context) -> None:
    typer.echo(str(_path(ctx)))
