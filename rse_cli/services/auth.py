"""Signing in: the connector says how (capabilities.login); rse keeps what it returns.

The token goes to credentials.py (keyring or a 0600 file), never to the config file; what the
connector wants for the next sign-in (Matrix: the device id, so that transaction ids keep
deduplicating across logins) goes to its `[profiles.NAME.<network>]` table.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from rse_cli.config import Settings, default_config_path, write_profile
from rse_cli.credentials import forget_token, store_token
from rse_cli.domain import Whoami
from rse_cli.errors import UsageError
from rse_cli.i18n import _, ngettext
from rse_cli.network.base import (
    CachedSignIn,
    DeviceCodeLogin,
    Network,
    PasswordLogin,
    Session,
    capabilities,
    check_settings,
)

__all__ = ["REFRESH_WARNING_DAYS", "LoginResult", "SignedIn", "login", "login_device_code", "logout", "status"]

# a cron job fails silently once the cached sign-in lapses: warn this long before
REFRESH_WARNING_DAYS = 14


class LoginResult(BaseModel):
    user_id: str
    device_id: str | None = None
    saved_in: str
    account: str | None = None  # how the sign-in names the account (shown rather than a numeric id)


def login(settings: Settings, network: Network, user: str, password: str, *, config_path: Path | None = None) -> LoginResult:
    """Sign in with a password (networks whose capabilities.login is "password")."""
    if network.capabilities.login != "password" or not isinstance(network, PasswordLogin):
        raise UsageError(
            _("{network} does not sign in with a password").format(network=network.name),
            hint=_("run `rse auth login` without --user: it prints a code to enter in your browser"),
        )
    return _keep(settings, network, network.login(user, password), config_path)


def login_device_code(
    settings: Settings, network: Network, show: Callable[[str], None], *, config_path: Path | None = None
) -> LoginResult:
    """Sign in with a device code shown to the user (capabilities.login == "device_code")."""
    if network.capabilities.login != "device_code" or not isinstance(network, DeviceCodeLogin):
        raise UsageError(
            _("{network} signs in with a password").format(network=network.name),
            hint=_("run `rse auth login --user NAME --password-stdin`"),
        )
    return _keep(settings, network, network.login_device_code(show), config_path)


def _keep(settings: Settings, network: Network, session: Session, config_path: Path | None) -> LoginResult:
    values: dict[str, object] = {"homeserver": settings.homeserver, "user": session.user_id}
    values |= {f"{settings.network}.{key}": value for key, value in session.settings.items()}
    write_profile(config_path or default_config_path(), settings.profile, values, check=check_settings)
    if session.token is None:  # the connector keeps the credential itself (a token cache)
        return LoginResult(
            user_id=session.user_id,
            device_id=session.device_id,
            account=session.account,
            saved_in=session.saved_in or _("the {network} connector's sign-in cache").format(network=network.name),
        )
    where = store_token(settings.profile, settings.homeserver or "", session.user_id, session.token)
    return LoginResult(user_id=session.user_id, device_id=session.device_id, account=session.account, saved_in=where)


class SignedIn(BaseModel):
    """`rse auth status` on a network that keeps its own sign-in: whoami, and the sign-in itself."""

    user_id: str
    display_name: str | None = None
    account: str | None = Field(None, description="the account signed in, as the identity provider names it")
    network: str
    tenant: str | None = None
    admin: bool = False
    scopes: dict[str, str] = Field({}, description="permissions granted, per API")
    sign_in_expires: datetime | None = Field(None, description="when the cached sign-in lapses unless rse runs (estimate)")
    saved_in: str | None = None
    warning: str | None = None


def status(network: Network, now: datetime) -> Whoami | SignedIn:
    """Who rse acts as; where the network keeps its own sign-in, also which account, tenant and
    permissions, and a warning days before that sign-in lapses (unattended runs would fail)."""
    me = network.whoami()
    if not isinstance(network, CachedSignIn):
        return me
    cached = network.sign_in_status()
    warning = None
    if cached.expires_at is not None and cached.expires_at - now < timedelta(days=REFRESH_WARNING_DAYS):
        days = max(0, math.ceil((cached.expires_at - now).total_seconds() / 86400))
        when = _("today") if days == 0 else ngettext("in {n} day", "in {n} days", days).format(n=days)
        warning = _(
            "the cached sign-in lapses {when} unless rse runs: run `rse auth login` "
            "before then, or unattended runs (cron) will fail"
        ).format(when=when)
    return SignedIn(
        user_id=me.user_id,
        display_name=me.display_name,
        account=cached.account,
        network=network.name,
        tenant=cached.tenant,
        admin=me.admin,
        scopes=cached.scopes,
        sign_in_expires=cached.expires_at,
        saved_in=cached.saved_in,
        warning=warning,
    )


def logout(settings: Settings, connect: Callable[[], Network]) -> list[str]:
    """Forget the stored token of the profile and, where the connector keeps its own sign-in
    (capabilities.login == "device_code"), clear that too; what was forgotten, for the user."""
    forget_token(settings.profile, settings.homeserver, settings.user)
    done = [_("token of profile {profile} forgotten").format(profile=repr(settings.profile))]
    if capabilities(settings).login == "device_code":
        network = connect()  # no token needed: only the cache is touched
        if isinstance(network, CachedSignIn):
            done.append(_("cached sign-in deleted ({where})").format(where=network.logout()))
    return done
