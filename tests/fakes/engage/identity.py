"""The Microsoft identity platform, as far as msal's device code flow and refresh need it.

Routes (served over TLS: msal requires an https authority, and instance_discovery=False
for a host it does not know):
- GET  /{tenant}/v2.0/.well-known/openid-configuration
  https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc
- POST /{tenant}/oauth2/v2.0/devicecode and the device_code grant on /{tenant}/oauth2/v2.0/token
  https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
- the refresh_token grant on /{tenant}/oauth2/v2.0/token
  https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow#refresh-the-access-token
Error bodies: {"error", "error_description" ("AADSTSnnnn: ..."), "error_codes", ...}
  https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes

Rules kept: one resource per token request (AADSTS28000); only admin-consented permissions
are granted (AADSTS65001, suberror consent_required); "authorization_pending" until the user
signs in (here: the test approves); "expired_token" once the code expired; refresh tokens are
multi-resource (a Graph sign-in's refresh token gets a Yammer token), expire after 90 days of
inactivity (AADSTS700082) and can be revoked (AADSTS50173). Access tokens carry the user, the
app, the audience and the scopes; Graph and Yammer check them.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid
from typing import TYPE_CHECKING

from .http import Request, Response, Router
from .state import AccessToken, DeviceCode, RefreshToken, User

if TYPE_CHECKING:
    from .fake import FakeEngage

GRAPH_RESOURCE = "https://graph.microsoft.com"
YAMMER_RESOURCE = "https://api.yammer.com"
OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}
REFRESH_INACTIVITY = 90 * 24 * 3600.0


def _b64(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def jwt_shaped(claims: dict[str, object]) -> str:
    """A JWT-shaped string (header.claims.signature) whose claims a client may read; the fake
    trusts only its own table of issued tokens, never the claims."""
    return ".".join([_b64({"typ": "JWT", "alg": "RS256", "kid": "engage-fake"}), _b64(claims), secrets.token_urlsafe(32)])


def aad_error(status: int, error: str, code: int, description: str, suberror: str | None = None) -> Response:
    body: dict[str, object] = {
        "error": error,
        "error_description": f"AADSTS{code}: {description}",
        "error_codes": [code],
        "trace_id": str(uuid.uuid4()),
        "correlation_id": str(uuid.uuid4()),
    }
    if suberror:
        body["suberror"] = suberror
    return Response.json(status, body)


class ScopeError(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def split_scopes(raw: str) -> tuple[str, set[str], set[str]]:
    """(resource, short scope names, OIDC scopes) of a space-separated scope parameter.
    A bare name ("User.Read") is a Graph scope, as in Entra ID."""
    resources: set[str] = set()
    names: set[str] = set()
    oidc: set[str] = set()
    for s in raw.split():
        if s in OIDC_SCOPES:
            oidc.add(s)
            continue
        if "/" in s:
            resource, name = s.rsplit("/", 1)
        else:
            resource, name = GRAPH_RESOURCE, s
        resources.add(resource.rstrip("/"))
        names.add(name)
    if len(resources) > 1:
        raise ScopeError(
            aad_error(
                400,
                "invalid_scope",
                28000,
                "Provided value for the input parameter scope is not valid because it contains more than one resource. "
                f"Scope {raw} is not valid.",
            )
        )
    if not resources:  # only OIDC scopes: Entra issues a Graph token for the profile
        return GRAPH_RESOURCE, {"User.Read"}, oidc
    return resources.pop(), names, oidc


class Identity:
    def __init__(self, fake: FakeEngage) -> None:
        self.fake = fake
        self.router = Router()
        t = r"/(?P<tenant>[^/]+)"
        self.router.add("GET", t + r"/v2\.0/\.well-known/openid-configuration", self.openid_configuration)
        self.router.add("POST", t + r"/oauth2/v2\.0/devicecode", self.devicecode)
        self.router.add("POST", t + r"/oauth2/v2\.0/token", self.token)

    # -- helpers ---------------------------------------------------------------------------
    def _tenant_ok(self, tenant: str) -> bool:
        f = self.fake
        return tenant.lower() in {f.tenant_id, f.tenant_domain.lower(), "organizations", "common"}

    def _unknown_tenant(self, tenant: str) -> Response:
        return aad_error(
            400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID."
        )

    def _form(self, req: Request) -> dict[str, str]:
        from urllib.parse import parse_qs

        return {k: v[0] for k, v in parse_qs(req.body.decode("utf-8"), keep_blank_values=True).items()}

    def _grant(self, client_id: str, scope_raw: str) -> tuple[str, set[str], set[str]]:
        """Resolve and consent-check the scopes of a request (raises ScopeError)."""
        app = self.fake.apps[client_id]
        resource, names, oidc = split_scopes(scope_raw)
        granted = {s.rsplit("/", 1)[1] for s in app.granted if s.rsplit("/", 1)[0] == resource}
        if ".default" in names:
            names = (names - {".default"}) | granted
        missing = sorted(names - granted)
        if missing or not names:
            raise ScopeError(
                aad_error(
                    400,
                    "invalid_grant",
                    65001,
                    f"The user or administrator has not consented to use the application with ID '{client_id}'. "
                    f"Send an interactive authorization request for this user and resource. Missing: {', '.join(resource + '/' + m for m in missing)}",
                    suberror="consent_required",
                )
            )
        return resource, names, oidc

    def issue(
        self,
        user: User,
        client_id: str,
        resource: str,
        names: set[str],
        oidc: set[str],
        *,
        with_refresh: bool = True,
        client_info: bool = True,
    ) -> dict[str, object]:
        f = self.fake
        now = f.clock.now()
        lifetime = f.access_token_lifetime
        at = jwt_shaped(
            {
                "aud": resource,
                "iss": f"https://sts.windows.net/{f.tenant_id}/",
                "iat": int(now),
                "nbf": int(now),
                "exp": int(now + lifetime),
                "appid": client_id,
                "oid": user.graph_id,
                "tid": f.tenant_id,
                "upn": user.upn,
                "name": user.display_name,
                "scp": " ".join(sorted(names)),
            }
        )
        f.access_tokens[at] = AccessToken(at, user, client_id, resource, set(names), now + lifetime)
        body: dict[str, object] = {
            "token_type": "Bearer",
            "scope": " ".join(f"{resource}/{n}" for n in sorted(names)),
            "expires_in": int(lifetime),
            "ext_expires_in": int(lifetime),
            "access_token": at,
        }
        if with_refresh and "offline_access" in oidc:
            rt = "1.fake." + secrets.token_urlsafe(48)
            f.refresh_tokens[rt] = RefreshToken(rt, user, client_id, now)
            body["refresh_token"] = rt
        if "openid" in oidc:
            body["id_token"] = jwt_shaped(
                {
                    "aud": client_id,
                    "iss": f"{f.login_origin}/{f.tenant_id}/v2.0",
                    "iat": int(now),
                    "nbf": int(now),
                    "exp": int(now + 3600),
                    "name": user.display_name,
                    "oid": user.graph_id,
                    "sub": user.graph_id,
                    "preferred_username": user.upn,
                    "tid": f.tenant_id,
                    "ver": "2.0",
                }
            )
        if client_info:
            body["client_info"] = _b64({"uid": user.graph_id, "utid": f.tenant_id})
        return body

    # -- routes ----------------------------------------------------------------------------
    def openid_configuration(self, req: Request) -> Response:
        tenant = req.params["tenant"]
        if not self._tenant_ok(tenant):
            return self._unknown_tenant(tenant)
        base = f"{self.fake.login_origin}/{self.fake.tenant_id}"
        return Response.json(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{base}/v2.0",
                "jwks_uri": f"{self.fake.login_origin}/{self.fake.tenant_id}/discovery/v2.0/keys",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "tenant_region_scope": "EU",
            },
        )

    def _check_client(self, client_id: str | None) -> Response | None:
        if not client_id:
            return aad_error(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
            )
        app = self.fake.apps.get(client_id)
        if app is None:
            return aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{self.fake.tenant_domain}'.",
            )
        if not app.public_client:
            return aad_error(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        return None

    def devicecode(self, req: Request) -> Response:
        if not self._tenant_ok(req.params["tenant"]):
            return self._unknown_tenant(req.params["tenant"])
        form = self._form(req)
        bad = self._check_client(form.get("client_id"))
        if bad:
            return bad
        try:
            split_scopes(form.get("scope", ""))
        except ScopeError as e:
            return e.response
        f = self.fake
        user_code = "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(9))
        dc = DeviceCode(
            device_code=secrets.token_urlsafe(40),
            user_code=user_code,
            client_id=form["client_id"],
            scopes=form.get("scope", "").split(),
            expires_at=f.clock.now() + f.device_code_lifetime,
        )
        f.device_codes[dc.device_code] = dc
        uri = "https://microsoft.com/devicelogin"
        return Response.json(
            200,
            {
                "user_code": user_code,
                "device_code": dc.device_code,
                "verification_uri": uri,
                "expires_in": int(f.device_code_lifetime),
                "interval": f.device_code_interval,
                "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate.",
            },
        )

    def token(self, req: Request) -> Response:
        if not self._tenant_ok(req.params["tenant"]):
            return self._unknown_tenant(req.params["tenant"])
        form = self._form(req)
        bad = self._check_client(form.get("client_id"))
        if bad:
            return bad
        grant = form.get("grant_type", "")
        if grant in ("urn:ietf:params:oauth:grant-type:device_code", "device_code"):
            return self._device_grant(form)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        return aad_error(400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'.")

    def _device_grant(self, form: dict[str, str]) -> Response:
        f = self.fake
        dc = f.device_codes.get(form.get("device_code", ""))
        if dc is None or dc.client_id != form["client_id"] or dc.redeemed:
            return aad_error(400, "invalid_grant", 70000, "The provided value for the 'device_code' is not valid.")
        dc.polls += 1
        if f.auto_approve is not None and dc.approved_by is None and not dc.declined and dc.polls >= f.auto_approve[1]:
            dc.approved_by = f.user(f.auto_approve[0])
        if f.clock.now() >= dc.expires_at:
            return aad_error(400, "expired_token", 70019, "Verification code expired.")
        if dc.declined:
            return aad_error(400, "authorization_declined", 70000, "The user declined the sign-in request.")
        if dc.approved_by is None:
            return aad_error(
                400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling."
            )
        try:
            resource, names, oidc = self._grant(dc.client_id, " ".join(dc.scopes))
        except ScopeError as e:
            return e.response
        dc.redeemed = True
        return Response.json(200, self.issue(dc.approved_by, dc.client_id, resource, names, oidc))

    def _refresh_grant(self, form: dict[str, str]) -> Response:
        f = self.fake
        now = f.clock.now()
        rt = f.refresh_tokens.get(form.get("refresh_token", ""))
        if rt is None or rt.client_id != form["client_id"]:
            return aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
        if rt.revoked:
            return aad_error(
                400,
                "invalid_grant",
                50173,
                "The provided grant has expired due to it being revoked, a fresh auth token is needed. "
                "The user might have changed or reset their password.",
            )
        if now - rt.last_used > REFRESH_INACTIVITY:
            return aad_error(
                400,
                "invalid_grant",
                700082,
                "The refresh token has expired due to inactivity. The token was issued on "
                f"{rt.last_used} and was inactive for 90.00:00:00.",
            )
        try:
            resource, names, oidc = self._grant(rt.client_id, form.get("scope", ""))
        except ScopeError as e:
            return e.response
        rt.last_used = now
        # Entra returns a new refresh token with each redemption; the old one stays valid.
        return Response.json(200, self.issue(rt.user, rt.client_id, resource, names, oidc | {"offline_access"}))
