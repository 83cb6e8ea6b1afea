"""Signing in to Microsoft Entra with msal: device-code flow, a token cache on disk, silent refresh.

rse acts as the champion who signed in (delegated tokens: the Yammer REST API accepts no other,
https://learn.microsoft.com/en-us/rest/api/yammer/rest-api-rate-limits). One sign-in consents to
Graph; the Yammer token is then obtained silently from the same refresh token (each token for
its own audience). The cache (refresh tokens included) is a 0600 file under the data directory:
cron runs unattended from it until the refresh token lapses (Entra's default: 90 days without use).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rse_cli.errors import AuthError, ConfigError, NetworkError
from rse_cli.network.engage.settings import LOGIN_URL, EngageSettings

# Least privileged delegated permissions: communities (Community.ReadWrite.All,
# https://learn.microsoft.com/en-us/graph/api/employeeexperience-post-communities), their group's
# members and owners (GroupMember.ReadWrite.All, https://learn.microsoft.com/en-us/graph/api/group-post-members),
# people by name or e-mail (User.Read.All, https://learn.microsoft.com/en-us/graph/api/user-list)
GRAPH_SCOPES = [
    "https://graph.microsoft.com/Community.ReadWrite.All",
    "https://graph.microsoft.com/GroupMember.ReadWrite.All",
    "https://graph.microsoft.com/User.Read.All",
]
# The Yammer resource's delegated permission that Microsoft tells admins to grant: "Choose 'Yammer'
# from the list of API permissions, choose Delegated permissions and 'access_as_user'"
# (https://learn.microsoft.com/en-us/rest/api/yammer/app-registration). The resource also lists an
# older `user_impersonation` with the same meaning; asking for one the admin did not grant fails
# with AADSTS65001, so rse asks for the one the documentation names.
YAMMER_SCOPES = ["https://api.yammer.com/access_as_user"]
AUDIENCES = {"graph": GRAPH_SCOPES, "yammer": YAMMER_SCOPES}
REFRESH_LIFETIME_DAYS = 90  # Entra's default inactivity lifetime of a refresh token
_CONSENT_ERRORS = {"invalid_grant", "interaction_required", "consent_required"}


def cache_path(data_dir: Path, profile: str) -> Path:
    return data_dir / "engage" / f"{profile}.msal.json"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    os.chmod(path, 0o600)


class EngageAuth:
    """Tokens for Graph and Yammer from one msal PublicClientApplication and its cache file."""

    def __init__(
        self, settings: EngageSettings, path: Path, *, verify: Any = True, clock: Callable[[], float] = time.time
    ) -> None:
        import msal

        self.settings = settings
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self.cache = msal.SerializableTokenCache()
        self._meta: dict[str, Any] = {}
        if path.exists():
            try:
                doc = json.loads(path.read_text())
                self.cache.deserialize(json.dumps(doc.get("msal", {})))
                self._meta = doc.get("rse", {})
            except (OSError, ValueError):
                raise ConfigError(f"{path}: the sign-in cache is unreadable", hint="delete it and run `rse auth login`") from None
        authority = settings.authority_url
        import functools

        import requests  # msal's own HTTP library

        # rse's `ca_bundle` must win over REQUESTS_CA_BUNDLE and proxies come from rse's settings,
        # as for http.py (trust_env=False); msal would otherwise let the environment decide
        session = requests.Session()
        session.trust_env = False
        session.verify = verify
        session.request = functools.partial(session.request, timeout=30)  # type: ignore[method-assign]
        try:
            self.app = msal.PublicClientApplication(
                settings.client_id,
                authority=authority,
                token_cache=self.cache,
                http_client=session,
                # msal checks authorities it does not know against Microsoft's discovery endpoint
                instance_discovery=authority.startswith(LOGIN_URL),
            )
        except ValueError as exc:
            raise ConfigError(
                f"engage.authority {authority!r} was refused: {exc}", hint="check `tenant` and `authority`"
            ) from None
        except Exception as exc:  # msal reaches the authority at construction time
            raise NetworkError(
                f"cannot reach the sign-in authority {authority} ({type(exc).__name__})",
                hint="check the network, `ca_bundle` and engage.authority",
            ) from None

    # -- persistence -------------------------------------------------------------------
    def _save(self, refreshed: bool = False) -> None:
        if refreshed:
            self._meta["refreshed_at"] = self._clock()
        if self.cache.has_state_changed or refreshed:
            _write_private(self.path, json.dumps({"msal": json.loads(self.cache.serialize() or "{}"), "rse": self._meta}))
            self.cache.has_state_changed = False

    # -- sign-in -----------------------------------------------------------------------
    def login_device_code(self, show: Callable[[str, str, str], None]) -> dict[str, Any]:
        """Device-code sign-in: `show(url, code, message)` tells the user where to go; blocks until done."""
        flow = self.app.initiate_device_flow(scopes=GRAPH_SCOPES)
        if "user_code" not in flow:
            raise AuthError(
                f"the sign-in service refused to start a device-code sign-in: {flow.get('error_description') or flow.get('error')}",
                hint="the app registration must allow public client flows (Authentication > Allow public client flows)",
            )
        show(flow["verification_uri"], flow["user_code"], flow.get("message", ""))
        result = self.app.acquire_token_by_device_flow(flow)
        self._check(result, "graph")
        with self._lock:
            self._meta["scopes"] = {"graph": result.get("scope", "")}
            self._save(refreshed=True)
        self.token("yammer")  # consent to the Yammer resource is checked now, not mid-campaign
        return result.get("id_token_claims") or {}

    def logout(self) -> None:
        for account in self.app.get_accounts():
            self.app.remove_account(account)
        self.path.unlink(missing_ok=True)

    # -- tokens ------------------------------------------------------------------------
    def account(self) -> dict[str, Any] | None:
        accounts = self.app.get_accounts()
        return accounts[0] if accounts else None

    def token(self, audience: str, fresh: bool = False) -> str:
        """An access token for `graph` or `yammer`, refreshed silently when it expired (or, `fresh`,
        when the server refused the cached one: tokens can be invalidated before their end)."""
        with self._lock:
            account = self.account()
            if account is None:
                raise AuthError("not signed in to Viva Engage", hint="run `rse auth login` (device-code sign-in)")
            before = self.cache.serialize()
            result = self.app.acquire_token_silent_with_error(AUDIENCES[audience], account=account, force_refresh=fresh)
            if result is None:
                raise AuthError("the cached sign-in has no refresh token left", hint="run `rse auth login` again")
            self._check(result, audience)
            if result.get("scope"):  # a token served from the cache does not repeat its scopes: keep the known ones
                self._meta.setdefault("scopes", {})[audience] = result["scope"]
            self._save(refreshed=self.cache.serialize() != before)
            return str(result["access_token"])

    def _check(self, result: dict[str, Any], audience: str) -> None:
        if "access_token" in result:
            return
        error = str(result.get("error", "unknown"))
        detail = str(result.get("error_description", "")).split("\n", 1)[0]
        if error in _CONSENT_ERRORS:
            what = "Graph" if audience == "graph" else "the Viva Engage (Yammer) API"
            raise AuthError(
                f"the sign-in for {what} expired or consent was withdrawn ({error}: {detail})",
                errcode=error,
                hint="run `rse auth login` again; if it persists, ask the tenant admin to grant consent to the app "
                "(API permissions > Grant admin consent)",
            )
        if error == "authorization_declined":
            raise AuthError("the sign-in was declined in the browser", errcode=error, hint="run `rse auth login` and accept")
        if error == "expired_token":
            raise AuthError(
                "the device code expired before the sign-in was completed", errcode=error, hint="run `rse auth login` again"
            )
        raise AuthError(f"sign-in failed ({error}: {detail})", errcode=error, hint="check engage.tenant and engage.client_id")

    def tenant(self) -> str | None:
        return self.settings.tenant

    def location(self) -> str:
        return str(self.path)

    # -- status ------------------------------------------------------------------------
    def granted_scopes(self) -> dict[str, str]:
        return dict(self._meta.get("scopes", {}))

    def refresh_expires_at(self) -> float | None:
        """When the cached refresh token lapses if unused (an estimate: Entra does not say)."""
        at = self._meta.get("refreshed_at")
        return float(at) + REFRESH_LIFETIME_DAYS * 86400 if at else None
