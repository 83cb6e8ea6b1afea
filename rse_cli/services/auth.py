"""Signing in: the connector says how (capabilities.login); rse keeps what it returns.

The token goes to credentials.py (keyring or a 0600 file), never to the config file; what the
connector wants for the next sign-in (Matrix: the device id, so that transaction ids keep
deduplicating across logins) goes to its `[profiles.NAME.<network>]` table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from rse_cli.config import Settings, default_config_path, write_profile
from rse_cli.credentials import store_token
from rse_cli.errors import UsageError
from rse_cli.network.base import (
    DeviceCodeLogin,
    Network,
    PasswordLogin,
    Session,
    check_settings,
)

__all__ = ["LoginResult", "login", "login_device_code"]


class LoginResult(BaseModel):
    user_id: str
    device_id: str | None = None
    saved_in: str


def login(settings: Settings, network: Network, user: str, password: str, *, config_path: Path | None = None) -> LoginResult:
    """Sign in with a password (networks whose capabilities.login is "password")."""
    if network.capabilities.login != "password" or not isinstance(network, PasswordLogin):
        raise UsageError(f"{network.name} does not sign in with a password",
                         hint="run `rse auth login` without --user: it prints a code to enter in your browser")
    return _keep(settings, network, network.login(user, password), config_path)


def login_device_code(settings: Settings, network: Network, show: Callable[[str], None], *,
                      config_path: Path | None = None) -> LoginResult:
    """Sign in with a device code shown to the user (capabilities.login == "device_code")."""
    if network.capabilities.login != "device_code" or not isinstance(network, DeviceCodeLogin):
        raise UsageError(f"{network.name} signs in with a password", hint="run `rse auth login --user NAME --password-stdin`")
    return _keep(settings, network, network.login_device_code(show), config_path)


def _keep(settings: Settings, network: Network, session: Session, config_path: Path | None) -> LoginResult:
    values: dict[str, object] = {"homeserver": settings.homeserver, "user": session.user_id}
    values |= {f"{settings.network}.{key}": value for key, value in session.settings.items()}
    write_profile(config_path or default_config_path(), settings.profile, values, check=check_settings)
    where = store_token(settings.profile, settings.homeserver or "", session.user_id, session.token)
    return LoginResult(user_id=session.user_id, device_id=session.device_id, saved_in=where)
