"""Settings: profiles in one TOML file, precedence flag > environment > file > defaults.

The file lives in `$RSE_CONFIG_DIR/config.toml` (tests and cron set it) or the platform's
user config directory. It is written with tomli-w at mode 0600. Tokens are not kept in it:
see credentials.py.
"""

from __future__ import annotations

import difflib
import os
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from rse_cli import i18n
from rse_cli.errors import ConfigError
from rse_cli.i18n import _, choose
from rse_cli.paths import config_dir, data_dir, default_config_path  # noqa: F401 - re-exported

APP = "rse"
DEFAULT_PROFILE = "default"


class AuditSettings(BaseModel):
    """Thresholds of `rse audit` (see README, "Audit")."""

    model_config = ConfigDict(extra="forbid")
    window_days: int = Field(30, ge=1)
    dormant_warning_days: int = Field(21, ge=1)
    dormant_critical_days: int = Field(40, ge=1)
    unanswered_hours: int = Field(48, ge=1)
    slow_reply_hours: int = Field(24, ge=1)
    low_participation_ratio: float = Field(0.10, ge=0, le=1)
    concentration_ratio: float = Field(0.80, ge=0, le=1)
    pending_invite_days: int = Field(7, ge=1)
    score_green: int = Field(70, ge=0, le=100)  # score bands (issue 14): green from here,
    score_amber: int = Field(40, ge=0, le=100)  # amber from here, red below


class ConfigWarning(UserWarning):
    """Something in the config works but should change (the CLI prints it on stderr)."""


# Keys that lived in the profile itself before connectors had their own table: still read, and
# moved into the named connector's table (`[profiles.NAME.matrix]`) whenever rse writes the file.
MOVED_KEYS = {"animator_level": "matrix", "moderator_level": "matrix", "client_url": "matrix", "device_id": "matrix"}


def _content_default() -> Literal["fr", "en"]:
    """Settings made without a file (services, tests): the language this process speaks."""
    return "fr" if i18n.current() == "fr" else "en"


class Settings(BaseModel):
    """One profile's settings. Every field is documented in config.example.toml.

    Settings a single connector understands live in its own table, `[profiles.NAME.<network>]`,
    kept here as raw data (`connectors`) and validated by that connector's `settings_model`
    when rse connects: this module knows no network.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    profile: str = DEFAULT_PROFILE
    network: str = Field("matrix", description="the connector rse talks through (see `rse config init --help`)")
    homeserver: str | None = Field(None, description="URL of the network's server, where it has one")
    user: str | None = Field(None, description="the account rse acts as, in the network's syntax")
    token: SecretStr | None = Field(None, description="prefer RSE_TOKEN or `rse auth login`")
    ca_bundle: Path | None = None
    verify_tls: bool = True
    timeout: float = Field(30.0, gt=0)
    concurrency: int = Field(8, ge=1, le=64)
    max_retries: int = Field(5, ge=0, le=20)
    # the content language (digests, briefs, campaigns, reports): the profile's `lang`, else the
    # run's language (--lang > RSE_LANG > LANG), so that one run speaks one language (issue 16)
    lang: Literal["fr", "en"] = Field(default_factory=lambda: _content_default())
    store: str | None = Field(None, description="SQLite path, or postgresql://… (default: data dir/rse.db)")
    templates_dir: Path | None = None
    leaders: list[str] = []
    animation_grace_minutes: int = Field(
        120, ge=0, description="an animation missed by more than this is skipped, not posted late"
    )
    campaign_grace_hours: int = Field(24, ge=0, description="a campaign step missed by more than this is skipped, not sent late")
    qa_rooms: list[str] = Field([], description="rooms (names or ids) where every root message counts as a question")
    smtp_host: str | None = Field(None, description="SMTP server for e-mailed digests")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password: SecretStr | None = Field(None, description="prefer RSE_SMTP_PASSWORD")
    smtp_from: str | None = None
    audit: AuditSettings = AuditSettings()
    connectors: dict[str, dict[str, Any]] = Field({}, description="connector tables: [profiles.NAME.<network>], raw")
    _source: str | None = PrivateAttr(None)  # the file the settings came from, for error messages

    @model_validator(mode="before")
    @classmethod
    def _connector_tables(cls, data: Any) -> Any:
        """Tables that are not rse's own (`audit`) belong to a connector; old flat keys are moved."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        tables = {k: dict(v) for k, v in (data.pop("connectors", None) or {}).items()}
        for key in [k for k, v in data.items() if isinstance(v, dict) and k not in cls.model_fields]:
            tables[key] = {**data.pop(key), **tables.get(key, {})}
        for key, table in MOVED_KEYS.items():
            if key in data:
                value = data.pop(key)
                if value is not None:
                    tables.setdefault(table, {}).setdefault(key, value)  # the new table wins
        data["connectors"] = tables
        return data

    @field_validator("network")
    @classmethod
    def _network_name(cls, v: str) -> str:
        v = v.strip()
        if not v or not v.replace("-", "_").isidentifier():
            raise ValueError(_("the name of an installed connector, e.g. matrix"))
        return v

    def table(self, name: str | None = None) -> dict[str, Any]:
        """The raw `[profiles.NAME.<name>]` table (default: the active network's)."""
        return dict(self.connectors.get(name or self.network, {}))

    @property
    def source(self) -> str:
        """Where these settings came from, for messages ("config.toml", or "settings")."""
        return self._source or "settings"

    @field_validator("homeserver")
    @classmethod
    def _homeserver_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip().rstrip("/")
        if not v.startswith(("http://", "https://")):
            raise ValueError(_("a URL starting with https:// (or http:// for a local server)"))
        return v

    @field_validator("ca_bundle", "templates_dir")
    @classmethod
    def _expand_home(cls, v: Path | None) -> Path | None:
        return v.expanduser() if v is not None else v

    def store_location(self) -> str:
        return self.store or str(data_dir() / "rse.db")


SECRET_KEYS = {"token", "password", "smtp_password", "as_token"}
ENV_PREFIX = "RSE_"
_LIST_KEYS = {"leaders", "qa_rooms"}


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in [*Settings.model_fields, *MOVED_KEYS]:
        if name in {"profile", "audit", "connectors"}:
            continue
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        out[name] = [x.strip() for x in raw.split(",") if x.strip()] if name in _LIST_KEYS else raw
    return out


def _env_table(environ: dict[str, str], network: str) -> dict[str, str]:
    """RSE_<NETWORK>_<KEY> sets KEY in the active network's table (RSE_MATRIX_CLIENT_URL)."""
    prefix = f"{ENV_PREFIX}{network.upper().replace('-', '_')}_"
    return {k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix) and v != ""}


def read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{path}: not valid TOML: {error}").format(path=path, error=exc),
            hint=_("fix the file or run `rse config init --force`"),
        ) from None
    except OSError as exc:
        raise ConfigError(_("{path}: cannot read: {error}").format(path=path, error=exc.strerror)) from None


def describe_error(err: Any, path: Path | str, table: str, known: list[str] | None = None) -> str:
    """One pydantic error as `FILE: [TABLE] key: what was expected` (with a suggestion for a typo)."""
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        known = known if known is not None else [*Settings.model_fields, *AuditSettings.model_fields, *MOVED_KEYS]
        near = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
        if near:
            return _("{path}: [{table}] {key}: unknown key (did you mean `{near}`?)").format(
                path=path, table=table, key=key, near=near[0]
            )
        return _("{path}: [{table}] {key}: unknown key").format(path=path, table=table, key=key)
    if err["type"] == "missing":
        return _("{path}: [{table}] {key}: missing (required)").format(path=path, table=table, key=key)
    expected = err["msg"].removeprefix("Value error, ")
    return _("{path}: [{table}] {key}: expected {expected}, got {value}").format(
        path=path, table=table, key=key, expected=expected, value=repr(err.get("input"))
    )


def load_settings(
    *,
    config_path: Path | None = None,
    profile: str | None = None,
    flags: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build the active profile's settings: flag > environment > file > defaults."""
    environ = dict(os.environ) if environ is None else environ
    path = config_path or (Path(environ["RSE_CONFIG"]) if environ.get("RSE_CONFIG") else default_config_path())
    doc = read_file(path)
    profiles = doc.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(_("{path}: `profiles` must be a table of [profiles.NAME] sections").format(path=path))
    default = doc.get("profile")
    if default is not None and not isinstance(default, str):
        raise ConfigError(
            _("{path}: profile: expected the name of a [profiles.NAME] table, got {type} {value}").format(
                path=path, type=type(default).__name__, value=repr(default)
            )
        )
    name = profile or environ.get("RSE_PROFILE") or default or DEFAULT_PROFILE
    bad = sorted(k for k, v in profiles.items() if not isinstance(v, dict))
    if bad:
        raise ConfigError(
            _("{path}: profiles.{name}: expected a table [profiles.{name}], got {type}").format(
                path=path, name=bad[0], type=type(profiles[bad[0]]).__name__
            )
        )
    if profile and profiles and name not in profiles:
        raise ConfigError(
            _("{path}: no profile named {name}").format(path=path, name=repr(name)),
            hint=_("known profiles: {names}").format(names=", ".join(sorted(profiles))),
        )
    file_values = dict(profiles.get(name, {}))
    moved = sorted(k for k in file_values if k in MOVED_KEYS)
    if moved:
        tables = sorted({MOVED_KEYS[k] for k in moved})
        warnings.warn(
            ConfigWarning(
                _(
                    "{path}: [profiles.{name}] {keys}: these keys now belong in {tables}"
                    " (read from their old place for now; `rse config set` moves them)"
                ).format(
                    path=path,
                    name=name,
                    keys=", ".join(moved),
                    tables=_(" and ").join(f"[profiles.{name}.{t}]" for t in tables),
                )
            ),
            stacklevel=2,
        )
    merged: dict[str, Any] = {
        **file_values,
        **_env_overrides(environ),
        **{k: v for k, v in (flags or {}).items() if v is not None},
    }
    merged["profile"] = name
    if not merged.get("lang"):  # no --lang, RSE_LANG or profile `lang`: the run's language, from the locale
        merged["lang"] = choose(None, None, environ)
    network = str(merged.get("network") or Settings.model_fields["network"].default)
    env_table = _env_table(environ, network)
    if env_table:
        table = file_values.get(network)
        merged[network] = {**(table if isinstance(table, dict) else {}), **env_table}
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        lines = [describe_error(e, path, f"profiles.{name}") for e in exc.errors()]
        raise ConfigError(_("invalid configuration:\n  {errors}").format(errors="\n  ".join(lines))) from None
    settings._source = str(path)
    return settings


def write_profile(
    path: Path,
    profile: str,
    values: dict[str, Any],
    *,
    make_default: bool = False,
    check: Callable[[Settings], dict[str, Any] | None] | None = None,
) -> None:
    """Merge `values` into [profiles.<profile>] and write the file atomically at mode 0600.

    A key `TABLE.KEY` (or an old flat key of MOVED_KEYS) goes into `[profiles.<profile>.TABLE]`.
    `check` may refuse the result (the CLI passes the connector's own validation) before anything
    is written; what it returns is the active network's table, normalised."""
    import tomli_w

    doc = read_file(path)
    profiles = doc.setdefault("profiles", {})
    section = profiles.setdefault(profile, {})
    for key in [k for k in section if k in MOVED_KEYS]:
        # an old flat key moves into its connector's table (a value already there wins)
        section.setdefault(MOVED_KEYS[key], {}).setdefault(key, section.pop(key))
    for key, value in values.items():
        if key.rpartition(".")[2] in SECRET_KEYS:
            continue  # secrets go to credentials.py, never into the config file (nor a connector's table)
        where, leaf = section, key
        if key in MOVED_KEYS:
            where, leaf = section.setdefault(MOVED_KEYS[key], {}), key
        elif "." in key:  # "matrix.client_url": a key of a connector's table
            table, _sep, leaf = key.partition(".")
            if table in Settings.model_fields and table != "audit":
                raise ConfigError(
                    _("{key}: {table} is not a table").format(key=key, table=table),
                    hint=_("use `{table}` alone").format(table=table),
                )
            where = section.setdefault(table, {})
        if value is None:
            where.pop(leaf, None)
        else:
            where[leaf] = str(value) if isinstance(value, Path) else value
    for key in [k for k, v in section.items() if isinstance(v, dict) and not v]:
        del section[key]  # no empty tables left behind
    # validate before writing, so a bad value never lands on disk
    try:
        valid = Settings.model_validate({**section, "profile": profile}).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise ConfigError(
            _("refusing to write:\n  {errors}").format(
                errors="\n  ".join(describe_error(e, path, f"profiles.{profile}") for e in exc.errors())
            )
        ) from None
    if check is not None:
        settings = Settings.model_validate({**section, "profile": profile})
        settings._source = str(path)
        normalised = check(settings)
        current = section.get(settings.network)
        if normalised is not None and isinstance(current, dict):
            for key in current:
                if key in normalised:
                    current[key] = normalised[key]  # "40" typed on a command line is written as 40
    for key in list(section):
        if key in valid and key != "connectors":
            section[key] = valid[key]  # normalised: a trailing slash removed, numbers as numbers
    if make_default or "profile" not in doc:
        doc["profile"] = profile
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        tomli_w.dump(doc, fh)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def scrubbed(settings: Settings) -> dict[str, Any]:
    """The settings as JSON-able data with every secret replaced by a marker; connector tables
    appear under their own names, as in the file."""
    data = settings.model_dump(mode="json")
    for name, table in data.pop("connectors", {}).items():
        data[name] = {k: ("***" if k in SECRET_KEYS and v else v) for k, v in table.items()}
    for key in SECRET_KEYS:
        if data.get(key):
            data[key] = "***"
    return data
