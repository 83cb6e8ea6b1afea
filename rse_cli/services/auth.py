"""Logging in: keep the device id so transaction ids stay meaningful across logins."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from rse_cli.config import Settings, default_config_path, write_profile
from rse_cli.credentials import store_token
from rse_cli.errors import UsageError
from rse_cli.network.base import Network, connector


class LoginResult(BaseModel):
    user_id: str
    device_id: str
    saved_in: str


def login(settings: Settings, network: Network, user: str, password: str, *, config_path: Path | None = None) -> LoginResult:
    if settings.user and not user.startswith("@") and settings.user.startswith(f"@{user}:"):
        user = settings.user
    same_account = settings.user is None or settings.user == user or settings.user.startswith(f"@{user}:")
    device = settings.device_id if same_account else None
    token, device_id, user_id = network.login(user, password, device)
    write_profile(config_path or default_config_path(), settings.profile,
                  {"homeserver": settings.homeserver, "user": user_id, "device_id": device_id})
    where = store_token(settings.profile, settings.homeserver or "", user_id, token)
    return LoginResult(user_id=user_id, device_id=device_id, saved_in=where)


# -- device-code sign-in (connectors whose capabilities.login is "device_code") ---------------

@runtime_checkable
class SignIn(Protocol):
    """A connector's own sign-in (Viva Engage: msal and its token cache)."""

    def login_device_code(self, show: Callable[[str, str, str], None]) -> dict[str, Any]: ...
    def account(self) -> dict[str, Any] | None: ...
    def granted_scopes(self) -> dict[str, str]: ...
    def refresh_expires_at(self) -> float | None: ...
    def logout(self) -> None: ...
    def tenant(self) -> str | None: ...
    def location(self) -> str: ...


@runtime_checkable
class SignsIn(Protocol):
    """A connector that signs in by itself (device code) instead of with a password."""

    def auth(self, settings: Settings) -> SignIn: ...


class DeviceLoginResult(BaseModel):
    user: str
    saved_in: str


class SessionStatus(BaseModel):
    user_id: str
    display_name: str | None = None
    account: str | None = Field(None, description="the Microsoft account signed in (user principal name)")
    network: str
    tenant: str | None = None
    admin: bool = False
    scopes: dict[str, str] = {}
    refresh_expires: datetime | None = Field(None, description="when the cached sign-in lapses if rse is not run (estimate)")
    warning: str | None = None


REFRESH_WARNING_DAYS = 14


def _sign_in(settings: Settings) -> SignIn:
    plugin = connector(settings.network)
    if not isinstance(plugin, SignsIn):
        raise UsageError(f"the {settings.network} connector has no device-code sign-in", hint="rse auth login --user NAME --password-stdin")
    return plugin.auth(settings)


def device_login(settings: Settings, show: Callable[[str, str, str], None]) -> DeviceLoginResult:
    """Sign in with a device code: `show(url, code, message)` tells the champion where to go."""
    auth = _sign_in(settings)
    claims = auth.login_device_code(show)
    account = auth.account() or {}
    who = str(claims.get("preferred_username") or account.get("username") or claims.get("name") or "?")
    return DeviceLoginResult(user=who, saved_in=auth.location())


def session_status(settings: Settings, network: Network, now: datetime) -> SessionStatus:
    """Who rse acts as, where, with which permissions, and when the cached sign-in lapses."""
    auth = _sign_in(settings)
    me = network.whoami()
    expires_at = auth.refresh_expires_at()
    expires = datetime.fromtimestamp(expires_at, tz=UTC) if expires_at else None
    warning = None
    if expires is not None and expires - now < timedelta(days=REFRESH_WARNING_DAYS):
        days = max(0, math.ceil((expires - now).total_seconds() / 86400))
        when = "today" if days == 0 else "in 1 day" if days == 1 else f"in {days} days"
        warning = (f"the cached sign-in lapses {when} unless rse runs: run `rse auth login` "
                   "before then, or unattended runs (cron) will fail")
    tenant = auth.tenant()
    return SessionStatus(user_id=me.user_id, display_name=me.display_name, account=(auth.account() or {}).get("username"),
                         network=settings.network, tenant=tenant, admin=me.admin, scopes=auth.granted_scopes(),
                         refresh_expires=expires, warning=warning)


def device_logout(settings: Settings) -> str:
    """Forget the cached sign-in (tokens and refresh token) of a device-code profile; where it was."""
    auth = _sign_in(settings)
    where = auth.location()
    auth.logout()
    return where
