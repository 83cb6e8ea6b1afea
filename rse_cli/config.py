"""Settings: profiles in one TOML file, precedence flag > environment > file > defaults.

The file lives in `$RSE_CONFIG_DIR/config.toml` (tests and cron set it) or the platform's
user config directory. It is written with tomli-w at mode 0600. Tokens are not kept in it:
see credentials.py.
"""

from __future__ import annotations

import difflib
import os
import sys
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from rse_cli.errors import ConfigError

APP = "rse"
DEFAULT_PROFILE = "default"


def _platform_dir(kind: Literal["config", "data"]) -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("APPDATA" if kind == "config" else "LOCALAPPDATA") or home / "AppData" / "Roaming"
        return Path(base) / APP
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP
    xdg = os.environ.get("XDG_CONFIG_HOME" if kind == "config" else "XDG_DATA_HOME")
    return Path(xdg) / APP if xdg else home / (".config" if kind == "config" else ".local/share") / APP


def config_dir() -> Path:
    return Path(os.environ["RSE_CONFIG_DIR"]) if os.environ.get("RSE_CONFIG_DIR") else _platform_dir("config")


def data_dir() -> Path:
    return Path(os.environ["RSE_DATA_DIR"]) if os.environ.get("RSE_DATA_DIR") else _platform_dir("data")


def default_config_path() -> Path:
    return config_dir() / "config.toml"


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


class Settings(BaseModel):
    """One profile's settings. Every field is documented in config.example.toml."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    profile: str = DEFAULT_PROFILE
    network: Literal["matrix"] = "matrix"
    homeserver: str | None = None
    user: str | None = Field(None, description="the account rse acts as, e.g. @champion:example.org")
    device_id: str | None = None
    token: SecretStr | None = Field(None, description="prefer RSE_TOKEN or `rse auth login`")
    ca_bundle: Path | None = None
    verify_tls: bool = True
    timeout: float = Field(30.0, gt=0)
    concurrency: int = Field(8, ge=1, le=64)
    max_retries: int = Field(5, ge=0, le=20)
    animator_level: int = Field(50, ge=1, le=100)
    moderator_level: int = Field(75, ge=1, le=100)
    lang: Literal["fr", "en"] = "fr"
    store: str | None = Field(None, description="SQLite path, or postgresql://… (default: data dir/rse.db)")
    templates_dir: Path | None = None
    client_url: str = Field("https://matrix.to/#/", description="prefix of links that open in a Matrix client")
    leaders: list[str] = []
    animation_grace_minutes: int = Field(120, ge=0, description="an animation missed by more than this is skipped, not posted late")
    campaign_grace_hours: int = Field(24, ge=0, description="a campaign step missed by more than this is skipped, not sent late")
    qa_rooms: list[str] = Field([], description="rooms (names or ids) where every root message counts as a question")
    smtp_host: str | None = Field(None, description="SMTP server for e-mailed digests")
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password: SecretStr | None = Field(None, description="prefer RSE_SMTP_PASSWORD")
    smtp_from: str | None = None
    audit: AuditSettings = AuditSettings()

    @field_validator("homeserver")
    @classmethod
    def _homeserver_url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip().rstrip("/")
        if not v.startswith(("http://", "https://")):
            raise ValueError("a URL starting with https:// (or http:// for a local server)")
        return v

    @field_validator("ca_bundle", "templates_dir")
    @classmethod
    def _expand_home(cls, v: Path | None) -> Path | None:
        return v.expanduser() if v is not None else v

    @field_validator("user")
    @classmethod
    def _user_id(cls, v: str | None) -> str | None:
        if v is not None and not (v.startswith("@") and ":" in v):
            raise ValueError("a full user id such as @champion:example.org")
        return v

    def store_location(self) -> str:
        return self.store or str(data_dir() / "rse.db")


SECRET_KEYS = {"token", "password", "smtp_password", "as_token"}
ENV_PREFIX = "RSE_"
_LIST_KEYS = {"leaders", "qa_rooms"}


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in Settings.model_fields:
        if name in {"profile", "audit"}:
            continue
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        out[name] = [x.strip() for x in raw.split(",") if x.strip()] if name in _LIST_KEYS else raw
    return out


def read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", hint="fix the file or run `rse config init --force`") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _describe(err: dict[str, Any], path: Path, table: str) -> str:
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        near = difflib.get_close_matches(str(err["loc"][-1]), list(Settings.model_fields) + list(AuditSettings.model_fields), n=1)
        tip = f" (did you mean `{near[0]}`?)" if near else ""
        return f"{path}: [{table}] {key}: unknown key{tip}"
    expected = err["msg"].removeprefix("Value error, ")
    return f"{path}: [{table}] {key}: expected {expected}, got {err.get('input')!r}"


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
        raise ConfigError(f"{path}: `profiles` must be a table of [profiles.NAME] sections")
    name = profile or environ.get("RSE_PROFILE") or doc.get("profile") or DEFAULT_PROFILE
    if profile and profiles and name not in profiles:
        raise ConfigError(
            f"{path}: no profile named {name!r}", hint=f"known profiles: {', '.join(sorted(profiles))}"
        )
    file_values = dict(profiles.get(name, {}))
    merged: dict[str, Any] = {**file_values, **_env_overrides(environ), **{k: v for k, v in (flags or {}).items() if v is not None}}
    merged["profile"] = name
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        lines = [_describe(e, path, f"profiles.{name}") for e in exc.errors()]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None


def write_profile(path: Path, profile: str, values: dict[str, Any], *, make_default: bool = False) -> None:
    """Merge `values` into [profiles.<profile>] and write the file atomically at mode 0600."""
    import tomli_w

    doc = read_file(path)
    profiles = doc.setdefault("profiles", {})
    section = profiles.setdefault(profile, {})
    for key, value in values.items():
        if key in SECRET_KEYS:
            continue  # secrets go to credentials.py, never into the config file
        if value is None:
            section.pop(key, None)
        else:
            section[key] = str(value) if isinstance(value, Path) else value
    # validate before writing, so a bad value never lands on disk
    try:
        valid = Settings.model_validate({**section, "profile": profile}).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise ConfigError("refusing to write:\n  " + "\n  ".join(_describe(e, path, f"profiles.{profile}") for e in exc.errors())) from None
    for key in list(section):
        if key in valid:
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
    """The settings as JSON-able data with every secret replaced by a marker."""
    data = settings.model_dump(mode="json")
    for key in SECRET_KEYS:
        if data.get(key):
            data[key] = "***"
    return data
