"""FakeEngage: one fake Viva Engage tenant (Graph + Yammer REST v1 + the identity platform) served
on 127.0.0.1, with a control API in Python for tests.

    fake = FakeEngage(tmp_path, time_scale=0)   # frozen clock: time moves by fake.clock.sleep/advance
    fake.start()
    camille = fake.add_user("camille@contoso.com", "Camille Martin")
    fake.add_community("Logistique Lyon", owners=["camille@contoso.com"])
    token = fake.token("camille@contoso.com", "yammer")   # or sign in with msal against fake.authority
    ...
    fake.stop()

Three servers, as the real service has three hosts: Graph at `graph_url` (…/v1.0), Yammer at
`yammer_url` (…/api/v1), the identity platform at `authority` (https, certificate in `ca_file`).
Graph and Yammer are plain http unless `tls_apis=True`.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .certs import make_certificate, server_context
from .clock import FakeClock
from .graph import Graph
from .http import Request, Response, ServerThread
from .identity import GRAPH_RESOURCE, YAMMER_RESOURCE, Identity
from .limits import GRAPH_ENGAGE_LIMIT, YAMMER_LIMITS, RateLimiter
from .state import AccessToken, App, DeviceCode, Group, Ids, Message, Operation, RefreshToken, User
from .yammer import Yammer

DEFAULT_CLIENT_ID = "0e6f6a4c-5d8b-4f0e-9a41-7f3c2b1d9e80"
# What the README asks the tenant admin to grant (delegated): full scope strings per resource.
DEFAULT_GRANTS = {
    f"{GRAPH_RESOURCE}/User.Read",
    f"{GRAPH_RESOURCE}/User.Read.All",
    f"{GRAPH_RESOURCE}/Community.ReadWrite.All",
    f"{GRAPH_RESOURCE}/GroupMember.ReadWrite.All",
    f"{GRAPH_RESOURCE}/Group.Read.All",
    # what https://learn.microsoft.com/en-us/rest/api/yammer/app-registration tells the admin to grant
    f"{YAMMER_RESOURCE}/access_as_user",
}


@dataclass(frozen=True)
class RequestRecord:
    at: float  # fake time
    service: str  # graph | yammer | identity
    method: str
    path: str
    query: str
    status: int
    user: str | None  # e-mail of the token's user, when the token was known


@dataclass
class _Fault:
    service: str | None
    method: str | None
    path: re.Pattern[str]
    response: Response
    times: int


class FakeEngage:
    def __init__(
        self,
        directory: Path,
        *,
        time_scale: float = 1.0,
        tls_apis: bool = False,
        tenant_domain: str = "contoso.onmicrosoft.com",
        network_permalink: str = "contoso.com",
        community_creation_seconds: float = 45.0,
        device_code_interval: int = 1,
    ) -> None:
        self.directory = Path(directory)
        self.clock = FakeClock(time_scale=time_scale)
        self.lock = threading.RLock()
        self.ids = Ids()
        self.tenant_id = Ids.guid()
        self.tenant_domain = tenant_domain
        self.network_id = 4_718_201
        self.network_permalink = network_permalink
        # -- network settings (see set_* below) --
        self.native_mode = True
        self.private_messages_enabled = True
        self.private_feed_received_only = False
        self.community_creation_seconds = community_creation_seconds
        self.feed_reply_cap: int | None = None
        self.yammer_retry_after = False  # Yammer's docs do not promise a Retry-After header
        self.access_token_lifetime = 3600.0
        self.device_code_lifetime = 900.0
        self.device_code_interval = device_code_interval
        self.next_creation_failure: str | None = None
        self.next_creation_status = "failed"
        # -- state --
        self.users: list[User] = []
        self.groups: list[Group] = []
        self.messages: list[Message] = []
        self.deleted_by: dict[int, User] = {}
        self.operations: dict[str, Operation] = {}
        self.apps: dict[str, App] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.device_codes: dict[str, DeviceCode] = {}
        self.auto_approve: tuple[str, int] | None = None
        self.on_message: list[Callable[[Message], None]] = []
        self.log: list[RequestRecord] = []
        self._faults: list[_Fault] = []
        self.graph_limiter = RateLimiter({"engage": GRAPH_ENGAGE_LIMIT})
        self.yammer_limiter = RateLimiter(YAMMER_LIMITS, poll_burst=3)
        self.client_id = DEFAULT_CLIENT_ID
        self.register_app(DEFAULT_CLIENT_ID)
        # -- servers --
        cert, key = make_certificate(self.directory / "tls")
        self.ca_file = cert
        tls = server_context(cert, key)
        self._graph = Graph(self)
        self._yammer = Yammer(self)
        self._identity = Identity(self)
        self._servers = {
            "graph": ServerThread(self._app("graph", self._graph), tls if tls_apis else None),
            "yammer": ServerThread(self._app("yammer", self._yammer), tls if tls_apis else None),
            "identity": ServerThread(self._app("identity", self._identity_app), tls),
        }

    # -- lifecycle and addresses ----------------------------------------------------------------
    def start(self) -> FakeEngage:
        for s in self._servers.values():
            s.start()
        return self

    def stop(self) -> None:
        for s in self._servers.values():
            s.stop()

    def __enter__(self) -> FakeEngage:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def graph_url(self) -> str:
        """Stands for https://graph.microsoft.com/v1.0"""
        return self._servers["graph"].origin + "/v1.0"

    @property
    def yammer_url(self) -> str:
        """Stands for https://www.yammer.com/api/v1 (the Data Export API is {yammer_url}/export)."""
        return self._servers["yammer"].origin + "/api/v1"

    @property
    def login_origin(self) -> str:
        """Stands for https://login.microsoftonline.com"""
        return self._servers["identity"].origin

    @property
    def authority(self) -> str:
        """The msal authority: {login_origin}/{tenant domain}; use instance_discovery=False and verify=ca_file."""
        return f"{self.login_origin}/{self.tenant_domain}"

    def requests_session(self) -> object:
        """A requests.Session that trusts the fake's certificate, for msal's `http_client=`.

        msal's own `verify=` is not enough when REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE is set (as on
        this machine): requests lets the environment override a session's verify (psf/requests#3829).
        The other way is to set REQUESTS_CA_BUNDLE to `ca_file` for the test."""
        import requests

        session = requests.Session()
        session.verify = str(self.ca_file)
        session.trust_env = False
        return session

    # -- request plumbing -----------------------------------------------------------------------
    def _identity_app(self, req: Request) -> Response:
        handler, params, known = self._identity.router.match(req.method, req.path)
        if handler is None:
            return Response.json(405 if known else 404, {"error": "not_found", "error_description": req.path})
        req.params = params
        return handler(req)

    def _app(self, service: str, inner: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def serve(req: Request) -> Response:
            with self.lock:
                self._tick()
                resp = self._fault(service, req) or inner(req)
                at = self.access_tokens.get(req.bearer or "")
                query = "&".join(f"{k}={v}" for k, vs in req.query.items() for v in vs)
                self.log.append(
                    RequestRecord(
                        self.clock.now(), service, req.method, req.path, query, resp.status, at.user.mail if at else None
                    )
                )
                return resp

        return serve

    def _fault(self, service: str, req: Request) -> Response | None:
        for f in self._faults:
            if f.service in (None, service) and f.method in (None, req.method) and f.path.search(req.path):
                f.times -= 1
                if f.times <= 0:
                    self._faults.remove(f)
                return f.response
        return None

    def _tick(self) -> None:
        """Finish the community creations whose delay has passed."""
        now = self.clock.now()
        for op in self.operations.values():
            if op.group is None and op.fail_detail is None and now >= op.ready_at:
                g = Group(
                    yammer_id=self.ids.group(),
                    graph_group_id=Ids.guid(),
                    display_name=op.display_name,
                    description=op.description,
                    privacy=op.privacy,
                    created_at=op.ready_at,
                    creator=op.creator,
                    owners=list(op.owners),
                    members=list(op.owners),
                )
                self.groups.append(g)
                op.group = g

    # -- lookups (also used by the routes) ----------------------------------------------------------
    def find_user(self, key: str) -> User | None:
        """By Graph id, userPrincipalName, mail (any case) or Yammer id."""
        k = key.strip().lower()
        for u in self.users:
            if k in (u.graph_id, u.upn.lower(), u.mail.lower(), str(u.yammer_id)):
                return u
        return None

    def graph_user(self, key: str, *, upn: bool = True) -> User | None:
        """A user as Graph addresses one: by object id, or by userPrincipalName where the API takes
        it (https://learn.microsoft.com/en-us/graph/api/user-get: `GET /users/{id | userPrincipalName}`);
        never by mail or Yammer id."""
        k = key.strip().lower()
        for u in self.users:
            if k == u.graph_id or (upn and k == u.upn.lower()):
                return u
        return None

    def user(self, key: str) -> User:
        u = self.find_user(key)
        if u is None:
            raise KeyError(f"no user {key!r} in the fake tenant")
        return u

    def user_by_yammer_id(self, yid: int) -> User | None:
        return next((u for u in self.users if u.yammer_id == yid), None)

    def group_by_yammer_id(self, gid: int) -> Group | None:
        return next((g for g in self.groups if g.yammer_id == gid and not g.deleted), None)

    def message_by_id(self, mid: int) -> Message | None:
        return next((m for m in self.messages if m.id == mid), None)

    # -- control API: people, communities, content ------------------------------------------------
    def add_user(
        self,
        email: str,
        display_name: str,
        *,
        admin: bool = False,
        directory_admin: bool = False,
        job_title: str = "",
        department: str = "",
        upn: str | None = None,
    ) -> User:
        """A person of the tenant (Entra ID user and Engage user). admin = Engage Verified Admin.
        `upn`: their userPrincipalName when it differs from their e-mail address (as in tenants whose
        sign-in names are not the mail addresses)."""
        with self.lock:
            if self.find_user(email) or (upn and self.find_user(upn)):
                raise ValueError(f"{email} already exists")
            u = User(
                graph_id=Ids.guid(),
                yammer_id=self.ids.user(),
                upn=upn or email,
                mail=email,
                display_name=display_name,
                created_at=self.clock.now(),
                verified_admin=admin,
                directory_admin=directory_admin,
                job_title=job_title,
                department=department,
            )
            self.users.append(u)
            return u

    def add_community(
        self,
        name: str,
        *,
        owners: Iterable[str] = (),
        members: Iterable[str] = (),
        privacy: str = "public",
        description: str = "",
        all_company: bool = False,
    ) -> Group:
        """A community that already exists (no async creation). Owners are also members, as after a creation."""
        with self.lock:
            own = [self.user(o) for o in owners]
            mem = list(dict.fromkeys(own + [self.user(m) for m in members]))
            g = Group(
                yammer_id=self.ids.group(),
                graph_group_id=Ids.guid(),
                display_name=name,
                description=description,
                privacy=privacy,
                created_at=self.clock.now(),
                creator=own[0] if own else None,
                owners=own,
                members=mem,
                all_company=all_company,
            )
            self.groups.append(g)
            return g

    def community(self, name: str) -> Group:
        with self.lock:
            self._tick()
            for g in self.groups:
                if g.display_name == name and not g.deleted:
                    return g
        raise KeyError(f"no community {name!r}")

    def members(self, name: str) -> list[str]:
        """E-mails of the community's members (owners included), sorted."""
        g = self.community(name)
        return sorted({u.mail for u in (self.users if g.all_company else g.members + g.owners)})

    def owners(self, name: str) -> list[str]:
        return sorted(u.mail for u in self.community(name).owners)

    def add_message(
        self,
        sender: str,
        body: str,
        *,
        community: str | None = None,
        reply_to: Message | None = None,
        direct_to: Iterable[str] = (),
        at: float | None = None,
    ) -> Message:
        """Seed content as if `sender` had posted it (no rule checks). Seed in time order: message ids
        grow with time on the real service and feeds page by id. `at` defaults to now (fake time)."""
        with self.lock:
            u = self.user(sender)
            mid = self.ids.message()
            direct = [self.user(d) for d in direct_to]
            if reply_to is not None:
                group, participants, thread = reply_to.group, reply_to.participants, reply_to.thread_id
            elif direct:
                group, participants, thread = None, [u] + [d for d in direct if d is not u], mid
            else:
                group, participants, thread = (self.community(community) if community else None), None, mid
                if group is None:
                    raise ValueError("give community, reply_to or direct_to")
            m = Message(
                id=mid,
                sender=u,
                body=body,
                created_at=self.clock.now() if at is None else at,
                thread_id=thread,
                replied_to_id=reply_to.id if reply_to else None,
                group=group,
                participants=participants,
            )
            self.messages.append(m)
            return m

    def like(self, message: Message, email: str) -> None:
        with self.lock:
            u = self.user(email)
            if u not in message.liked_by:
                message.liked_by.append(u)

    # -- control API: network settings -------------------------------------------------------------
    def set_private_messages(self, enabled: bool) -> None:
        """The network admin's "private messages" setting; disabled: POST with direct_to_user_ids is refused."""
        self.private_messages_enabled = enabled

    def set_private_feed_received_only(self, only: bool = True) -> None:
        """messagesprivatejson documents the private feed as "private messages received by the user":
        True makes it list those alone (the fake's default lists both directions)."""
        self.private_feed_received_only = only

    def set_native_mode(self, native: bool) -> None:
        """False: a legacy network; Graph's Viva Engage endpoints refuse every call."""
        self.native_mode = native

    def set_admin(self, email: str, verified: bool = True) -> None:
        self.user(email).verified_admin = verified

    def fail_next_creation(self, detail: str = "The community could not be created.", *, status: str = "failed") -> None:
        """Make the next community creation end in `status` ("failed", or "skipped": the other
        end state longRunningOperationStatus lists, resources/engagementasyncoperation) with this statusDetail."""
        self.next_creation_failure = detail
        self.next_creation_status = status

    def fail_next(
        self,
        path: str,
        *,
        status: int = 503,
        service: str | None = None,
        method: str | None = None,
        times: int = 1,
        body: object = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `times` requests whose path matches the regex `path` with `status`."""
        payload = body if body is not None else {"error": {"code": "serviceUnavailable", "message": "Injected by the test."}}
        with self.lock:
            self._faults.append(_Fault(service, method, re.compile(path), Response.json(status, payload, headers), times))

    @contextlib.contextmanager
    def without_limits(self) -> Iterator[None]:
        """Suspend the rate limits (e.g. while a test reads state back through the APIs)."""
        self.graph_limiter.enabled = self.yammer_limiter.enabled = False
        try:
            yield
        finally:
            self.graph_limiter.enabled = self.yammer_limiter.enabled = True

    # -- control API: identity ---------------------------------------------------------------------
    def register_app(self, client_id: str, scopes: Iterable[str] = DEFAULT_GRANTS, *, public_client: bool = True) -> App:
        """An app registration with its admin-consented delegated permissions (full scope strings)."""
        app = App(client_id=client_id, granted=set(scopes), public_client=public_client)
        self.apps[client_id] = app
        return app

    def token(
        self, email: str, resource: str = "yammer", scopes: Iterable[str] | None = None, client_id: str | None = None
    ) -> str:
        """An access token as if `email` had signed in to the app: resource "graph" or "yammer";
        scopes are short names (default: all the app was granted on that resource)."""
        res = {"graph": GRAPH_RESOURCE, "yammer": YAMMER_RESOURCE}[resource]
        cid = client_id or self.client_id
        with self.lock:
            names = (
                set(scopes)
                if scopes is not None
                else {s.rsplit("/", 1)[1] for s in self.apps[cid].granted if s.rsplit("/", 1)[0] == res}
            )
            body = self._identity.issue(self.user(email), cid, res, names, set(), with_refresh=False)
            return str(body["access_token"])

    def _pending_code(self, user_code: str | None) -> DeviceCode:
        pending = [
            d
            for d in self.device_codes.values()
            if d.approved_by is None and not d.declined and not d.redeemed and (user_code is None or d.user_code == user_code)
        ]
        if not pending:
            raise KeyError("no device code is waiting for sign-in")
        return pending[-1]

    def approve_device_code(self, email: str, user_code: str | None = None) -> None:
        """The person signs in at the verification page and enters the code (default: the latest one)."""
        with self.lock:
            self._pending_code(user_code).approved_by = self.user(email)

    def decline_device_code(self, user_code: str | None = None) -> None:
        with self.lock:
            self._pending_code(user_code).declined = True

    def auto_approve_as(self, email: str | None, after_polls: int = 1) -> None:
        """Approve every device code as `email` once the client has polled `after_polls` times
        (for tests that drive a blocking `rse auth login`); None turns it off."""
        self.auto_approve = (email, after_polls) if email else None

    def expire_access_tokens(self) -> None:
        with self.lock:
            for t in self.access_tokens.values():
                t.expires_at = min(t.expires_at, self.clock.now())

    def revoke_refresh_tokens(self, email: str | None = None) -> None:
        """As when the user's sessions are revoked (or the password reset)."""
        with self.lock:
            for t in self.refresh_tokens.values():
                if email is None or t.user.mail.lower() == email.lower():
                    t.revoked = True

    # -- inspection ---------------------------------------------------------------------------------
    def requests(
        self, service: str | None = None, *, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[RequestRecord]:
        """The log of answered requests, filtered; path is a regex searched in the request path."""
        rx = re.compile(path) if path else None
        with self.lock:
            return [
                r
                for r in self.log
                if (service is None or r.service == service)
                and (method is None or r.method == method)
                and (rx is None or rx.search(r.path))
                and (status is None or r.status == status)
            ]

    def throttled(self, service: str | None = None) -> int:
        """How many requests were answered 429."""
        return len(self.requests(service, status=429))

    def sent(self, *, community: str | None = None, sender: str | None = None, private: bool | None = None) -> list[Message]:
        """Messages in the network (seeded or posted), oldest first, filtered."""
        with self.lock:
            out = []
            for m in self.messages:
                if community is not None and (m.group is None or m.group.display_name != community):
                    continue
                if sender is not None and m.sender.mail.lower() != sender.lower():
                    continue
                if private is not None and m.private != private:
                    continue
                out.append(m)
            return out
