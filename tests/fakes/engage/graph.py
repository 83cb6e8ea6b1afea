"""Microsoft Graph v1.0, the part rse uses: Viva Engage communities and their Microsoft 365 groups,
and users. Mounted at {graph_url} (the real one is https://graph.microsoft.com/v1.0).

Error bodies: {"error": {"code", "message", "innerError": {...}}}
  https://learn.microsoft.com/en-us/graph/errors
The Viva Engage API exists in native-mode networks only ("You can't use this API to manage legacy
or external Viva Engage networks": https://learn.microsoft.com/en-us/graph/api/resources/engagement-api-overview).
The error a legacy network gets is not documented; the fake answers 403 "NotSupported" with that
sentence, so a client can detect it by status and say what to do.
"""

from __future__ import annotations

import base64
import re
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .http import Request, Response, Router
from .identity import GRAPH_RESOURCE
from .limits import retry_after
from .state import Group, Operation, User, iso

if TYPE_CHECKING:
    from .fake import FakeEngage

COMMUNITY_READ = {"Community.Read.All", "Community.ReadWrite.All"}
COMMUNITY_WRITE = {"Community.ReadWrite.All"}
# group-post-members / group-post-owners: GroupMember.ReadWrite.All least privileged.
GROUP_MEMBER_WRITE = {"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
GROUP_READ = {"GroupMember.Read.All", "Group.Read.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.Read.All"}
USER_READ = {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All"}
ME_READ = {"User.Read"} | USER_READ

KEY = r"(?:/(?P<id>[^/()']+)|\('(?P<qid>[^']+)'\))"  # /{id} or ('{id}') (Operation-Location uses the latter)


def graph_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    if status == 401:  # as Entra-protected APIs do: says which token problem it is
        headers = {
            "WWW-Authenticate": f'Bearer realm="", error="invalid_token", error_description="{message}"',
            **(headers or {}),
        }
    return Response.json(
        status,
        {
            "error": {
                "code": code,
                "message": message,
                "innerError": {"request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())},
            }
        },
        headers,
    )


def _key(req: Request) -> str:
    return req.params.get("id") or req.params.get("qid") or ""


def _not_found(what: str) -> Response:
    return graph_error(
        404,
        "Request_ResourceNotFound",
        f"Resource '{what}' does not exist or one of its queried reference-property objects are not present.",
    )


def _skip(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode() + b"==").decode().split(":")[1])
    except (ValueError, IndexError):
        return -1


def _skiptoken(offset: int) -> str:
    return base64.urlsafe_b64encode(f"skip:{offset}".encode()).decode().rstrip("=")


class Graph:
    def __init__(self, fake: FakeEngage) -> None:
        self.fake = fake
        r = self.router = Router()
        p = "/v1.0"
        r.add("GET", p + r"/me", self.me)
        r.add("GET", p + r"/users", self.list_users)
        r.add("GET", p + r"/users/(?P<id>[^/]+)", self.get_user)
        r.add("GET", p + r"/employeeExperience/communities", self.list_communities)
        r.add("POST", p + r"/employeeExperience/communities", self.create_community)
        r.add("GET", p + r"/employeeExperience/communities" + KEY, self.get_community)
        r.add("PATCH", p + r"/employeeExperience/communities" + KEY, self.update_community)
        r.add("DELETE", p + r"/employeeExperience/communities" + KEY, self.delete_community)
        r.add("GET", p + r"/employeeExperience/engagementAsyncOperations" + KEY, self.get_operation)
        r.add("GET", p + r"/groups/(?P<gid>[^/]+)", self.get_group)
        r.add("GET", p + r"/groups/(?P<gid>[^/]+)/(?P<rel>members|owners)", self.list_group_rel)
        r.add("POST", p + r"/groups/(?P<gid>[^/]+)/(?P<rel>members|owners)/\$ref", self.add_group_rel)
        r.add("DELETE", p + r"/groups/(?P<gid>[^/]+)/(?P<rel>members|owners)/(?P<uid>[^/]+)/\$ref", self.remove_group_rel)

    # -- the gate every request goes through ------------------------------------------------
    def __call__(self, req: Request) -> Response:
        f = self.fake
        handler, params, known = self.router.match(req.method, req.path)
        if handler is None:
            if known:
                return graph_error(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.")
            return graph_error(400, "BadRequest", f"Resource not found for the segment '{req.path.rsplit('/', 1)[-1]}'.")
        req.params = params
        token = req.bearer
        if not token:
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
        at = f.access_tokens.get(token)
        if at is None:
            return graph_error(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).")
        if at.audience != GRAPH_RESOURCE:
            return graph_error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
        if f.clock.now() >= at.expires_at:
            return graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        req.user = at.user  # type: ignore[attr-defined]
        req.scopes = at.scopes  # type: ignore[attr-defined]
        if "/employeeExperience/" in req.path:
            wait = f.graph_limiter.check(at.user.graph_id, at.client_id, "engage", f.clock.now())
            if wait is not None:
                return graph_error(
                    429,
                    "TooManyRequests",
                    "Too many requests. Please retry after the time in the Retry-After header.",
                    {"Retry-After": retry_after(wait)},
                )
            if not f.native_mode:
                return graph_error(
                    403,
                    "NotSupported",
                    "The Viva Engage API in Microsoft Graph is only supported for Viva Engage networks in native mode.",
                )
        return handler(req)

    def _require(self, req: Request, allowed: set[str]) -> Response | None:
        if req.scopes & allowed:  # type: ignore[attr-defined]
            return None
        return graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    # -- users --------------------------------------------------------------------------------
    def user_json(self, u: User) -> dict[str, Any]:
        given, _, surname = u.display_name.partition(" ")
        return {
            "@odata.type": "#microsoft.graph.user",
            "id": u.graph_id,
            "displayName": u.display_name,
            "givenName": given,
            "surname": surname or None,
            "mail": u.mail,
            "userPrincipalName": u.upn,
            "jobTitle": u.job_title or None,
            "businessPhones": [],
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": None,
        }

    def me(self, req: Request) -> Response:
        denied = self._require(req, ME_READ)
        return denied or Response.json(
            200,
            {"@odata.context": f"{self.fake.graph_url}/$metadata#users/$entity", **self._select(req, self.user_json(req.user))},
        )  # type: ignore[attr-defined]

    def get_user(self, req: Request) -> Response:
        denied = self._require(req, USER_READ)
        if denied:
            return denied
        # https://learn.microsoft.com/en-us/graph/api/user-get: GET /users/{id | userPrincipalName};
        # an e-mail address that is not the UPN is not a key (find people by mail with $filter)
        u = self.fake.graph_user(req.params["id"])
        if u is None:
            return _not_found(req.params["id"])
        return Response.json(
            200, {"@odata.context": f"{self.fake.graph_url}/$metadata#users/$entity", **self._select(req, self.user_json(u))}
        )

    def list_users(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/user-list with the $filter forms the fake knows:
        `mail|userPrincipalName|displayName eq '…'` and `startswith(displayName|mail,'…')`
        (https://learn.microsoft.com/en-us/graph/filter-query-parameter; '' escapes a quote)."""
        denied = self._require(req, USER_READ)
        if denied:
            return denied
        flt = req.arg("$filter")
        users = [u for u in self.fake.users if u.state == "active"]
        if flt:
            fields = {"mail": lambda u: u.mail, "userPrincipalName": lambda u: u.upn, "displayName": lambda u: u.display_name}
            eq = re.fullmatch(r"\s*(mail|userPrincipalName|displayName)\s+eq\s+'((?:[^']|'')*)'\s*", flt)
            sw = re.fullmatch(r"\s*startswith\(\s*(mail|userPrincipalName|displayName)\s*,\s*'((?:[^']|'')*)'\s*\)\s*", flt)
            if eq:
                get, value = fields[eq.group(1)], eq.group(2).replace("''", "'").lower()
                users = [u for u in users if get(u).lower() == value]
            elif sw:
                get, value = fields[sw.group(1)], sw.group(2).replace("''", "'").lower()
                users = [u for u in users if get(u).lower().startswith(value)]
            else:
                return graph_error(
                    400, "Request_UnsupportedQuery", f"Unsupported or invalid query filter clause specified: {flt}"
                )
        return self._page(req, [self.user_json(u) for u in users], "users", default_top=100, max_top=999)

    # -- $select (https://learn.microsoft.com/en-us/graph/query-parameters#select-parameter) -----------
    @staticmethod
    def _select(req: Request, obj: dict[str, Any]) -> dict[str, Any]:
        chosen = [p.strip() for p in (req.arg("$select") or "").split(",") if p.strip()]
        if not chosen:
            return obj
        return {k: v for k, v in obj.items() if k in chosen or k.startswith("@odata.")}

    # -- paging (https://learn.microsoft.com/en-us/graph/paging) --------------------------------
    def _page(self, req: Request, items: list[dict[str, Any]], context: str, *, default_top: int, max_top: int) -> Response:
        top_raw = req.arg("$top")
        try:
            top = int(top_raw) if top_raw is not None else default_top
        except ValueError:
            return graph_error(400, "BadRequest", f"Invalid $top value '{top_raw}'.")
        if not 1 <= top <= max_top:
            return graph_error(
                400, "BadRequest", f"Invalid page size specified: '{top}'. Must be between 1 and {max_top} inclusive."
            )
        offset = _skip(req.arg("$skiptoken"))
        if offset < 0:
            return graph_error(400, "BadRequest", "Invalid $skiptoken.")
        body: dict[str, Any] = {
            "@odata.context": f"{self.fake.graph_url}/$metadata#{context}",
            "value": [self._select(req, i) for i in items[offset : offset + top]],
        }
        if offset + top < len(items):
            # The next link keeps the query (filter, select, order) and adds the skip token.
            keep = [(k, v) for k, vs in req.query.items() if k not in ("$skiptoken", "$top") for v in vs]
            query = "&".join(f"{k}={quote(v)}" for k, v in [*keep, ("$top", str(top)), ("$skiptoken", _skiptoken(offset + top))])
            body["@odata.nextLink"] = f"{self.fake.graph_url}{req.path.removeprefix('/v1.0')}?{query}"
        return Response.json(200, body)

    # -- communities ----------------------------------------------------------------------------
    def community_json(self, g: Group) -> dict[str, Any]:
        return {
            "id": g.community_id,
            "displayName": g.display_name,
            "description": g.description,
            "privacy": g.privacy,
            "groupId": g.graph_group_id,
        }

    def list_communities(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/employeeexperience-list-communities: pages of 20
        by default (or $top) with @odata.nextLink; $orderby=displayName supported."""
        denied = self._require(req, COMMUNITY_READ)
        if denied:
            return denied
        groups = [g for g in self.fake.groups if not g.deleted]
        if (req.arg("$orderby") or "").startswith("displayName"):
            groups.sort(key=lambda g: g.display_name.lower(), reverse=(req.arg("$orderby") or "").endswith(" desc"))
        return self._page(
            req, [self.community_json(g) for g in groups], "employeeExperience/communities", default_top=20, max_top=999
        )

    def _community(self, req: Request) -> Group | None:
        key = _key(req)
        return next((g for g in self.fake.groups if g.community_id == key and not g.deleted), None)

    def get_community(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/community-get"""
        denied = self._require(req, COMMUNITY_READ)
        if denied:
            return denied
        g = self._community(req)
        if g is None:
            return graph_error(404, "NotFound", f"Community '{_key(req)}' was not found.")
        return Response.json(
            200,
            {
                "@odata.context": f"{self.fake.graph_url}/$metadata#employeeExperience/communities/$entity",
                **self._select(req, self.community_json(g)),
            },
        )

    def _validate_fields(self, body: dict[str, Any], *, creating: bool) -> Response | None:
        allowed = (
            {"displayName", "description", "privacy", "owners@odata.bind", "@odata.type"}
            if creating
            else {"displayName", "description", "privacy"}
        )
        unknown = sorted(set(body) - allowed)
        if unknown:
            return graph_error(400, "BadRequest", f"Invalid property '{unknown[0]}' for the community.")
        name = body.get("displayName")
        if creating and (not isinstance(name, str) or not name.strip()):
            return graph_error(400, "BadRequest", "The displayName property is required.")
        if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 255):
            return graph_error(400, "BadRequest", "displayName must be a non-empty string of at most 255 characters.")
        desc = body.get("description")
        if desc is not None and (not isinstance(desc, str) or len(desc) > 1024):
            return graph_error(400, "BadRequest", "description must be a string of at most 1,024 characters.")
        privacy = body.get("privacy")
        if privacy is not None and privacy not in ("public", "private"):
            return graph_error(400, "BadRequest", f"Invalid value '{privacy}' for privacy: expected public or private.")
        return None

    def create_community(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/employeeexperience-post-communities: 202 Accepted,
        Operation-Location header; without owners@odata.bind the (delegated) caller is the owner."""
        denied = self._require(req, COMMUNITY_WRITE)
        if denied:
            return denied
        try:
            body = req.json()
        except ValueError:
            return graph_error(400, "BadRequest", "The request body is missing or is not valid JSON.")
        if not isinstance(body, dict):
            return graph_error(400, "BadRequest", "The request body must be a JSON object.")
        bad = self._validate_fields(body, creating=True)
        if bad:
            return bad
        f = self.fake
        owners: list[User] = []
        binds = body.get("owners@odata.bind")
        if binds is not None:
            if not isinstance(binds, list) or not binds or len(binds) > 100:
                return graph_error(400, "BadRequest", "owners@odata.bind must be a list of 1 to 100 user references.")
            for ref in binds:
                m = re.search(r"/(users|directoryObjects)/([^/]+)$", str(ref))
                u = f.graph_user(m.group(2), upn=m.group(1) == "users") if m else None
                if u is None:
                    return graph_error(400, "BadRequest", f"Invalid owner reference '{ref}'.")
                if u not in owners:
                    owners.append(u)
        else:
            owners = [req.user]  # type: ignore[attr-defined]
        now = f.clock.now()
        name = body["displayName"].strip()
        taken = any(g.display_name.lower() == name.lower() for g in f.groups if not g.deleted) or any(
            op.display_name.lower() == name.lower() and op.fail_detail is None for op in f.operations.values() if op.group is None
        )
        op_id = _b64_op()
        op = Operation(
            id=op_id,
            created_at=now,
            ready_at=now + f.community_creation_seconds,
            creator=req.user,  # type: ignore[attr-defined]
            display_name=name,
            description=body.get("description") or "",
            privacy=body.get("privacy") or "public",
            owners=owners,
            fail_detail=f.next_creation_failure or ("A community with this name already exists." if taken else None),
        )
        if f.next_creation_failure is not None:
            op.fail_status = f.next_creation_status
        f.next_creation_failure = None
        f.next_creation_status = "failed"
        f.operations[op_id] = op
        return Response.empty(
            202,
            {
                "Operation-Location": f"{f.graph_url}/employeeExperience/engagementAsyncOperations('{op_id}')",
                "Content-Type": "application/json",
            },
        )

    def update_community(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/community-update: 204 No Content."""
        denied = self._require(req, COMMUNITY_WRITE)
        if denied:
            return denied
        g = self._community(req)
        if g is None:
            return graph_error(404, "NotFound", f"Community '{_key(req)}' was not found.")
        if not (g.is_admin(req.user) or req.user.verified_admin):  # type: ignore[attr-defined]
            return graph_error(403, "Forbidden", "Only community admins can update the community.")
        try:
            body = req.json()
        except ValueError:
            return graph_error(400, "BadRequest", "The request body is missing or is not valid JSON.")
        if not isinstance(body, dict):
            return graph_error(400, "BadRequest", "The request body must be a JSON object.")
        bad = self._validate_fields(body, creating=False)
        if bad:
            return bad
        if "displayName" in body:
            g.display_name = body["displayName"].strip()
        if "description" in body:
            g.description = body["description"] or ""
        if "privacy" in body:
            g.privacy = body["privacy"]
        g.updated_at = self.fake.clock.now()
        return Response.empty(204)

    def delete_community(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/community-delete: 204; the group goes with it."""
        denied = self._require(req, COMMUNITY_WRITE)
        if denied:
            return denied
        g = self._community(req)
        if g is None:
            return graph_error(404, "NotFound", f"Community '{_key(req)}' was not found.")
        if not (g.is_admin(req.user) or req.user.verified_admin):  # type: ignore[attr-defined]
            return graph_error(403, "Forbidden", "Only community admins can delete the community.")
        g.deleted = True
        g.updated_at = self.fake.clock.now()
        return Response.empty(204)

    def get_operation(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/engagementasyncoperation-get"""
        denied = self._require(req, COMMUNITY_READ)
        if denied:
            return denied
        f = self.fake
        op = f.operations.get(_key(req))
        if op is None:
            return graph_error(404, "NotFound", f"Operation '{_key(req)}' was not found.")
        now = f.clock.now()
        status = op.status(now)
        body: dict[str, Any] = {
            "@odata.context": f"{f.graph_url}/$metadata#employeeExperience/engagementAsyncOperations/$entity",
            "id": op.id,
            "createdDateTime": iso(op.created_at),
            "lastActionDateTime": iso(min(now, op.ready_at)),
            "status": status,
            "statusDetail": op.fail_detail if status in ("failed", "skipped") else None,
            "operationType": "createCommunity",
            "resourceId": None,
            "resourceLocation": None,
        }
        if status == "succeeded" and op.group is not None:
            body["resourceId"] = op.group.community_id
            body["resourceLocation"] = f"{f.graph_url}/employeeExperience/communities('{op.group.community_id}')"
        return Response.json(200, body)

    # -- groups ---------------------------------------------------------------------------------
    def _group(self, req: Request) -> Group | None:
        gid = req.params["gid"]
        return next((g for g in self.fake.groups if g.graph_group_id == gid and not g.deleted), None)

    def get_group(self, req: Request) -> Response:
        denied = self._require(req, GROUP_READ)
        if denied:
            return denied
        g = self._group(req)
        if g is None:
            return _not_found(req.params["gid"])
        return Response.json(
            200,
            {
                "@odata.context": f"{self.fake.graph_url}/$metadata#groups/$entity",
                "id": g.graph_group_id,
                "displayName": g.display_name,
                "description": g.description,
                "groupTypes": ["Unified"],
                "mailEnabled": True,
                "securityEnabled": False,
                "visibility": g.privacy.capitalize(),
                "createdDateTime": iso(g.created_at),
            },
        )

    def list_group_rel(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/group-list-members (pages of 100, $top up to 999)."""
        denied = self._require(req, GROUP_READ)
        if denied:
            return denied
        g = self._group(req)
        if g is None:
            return _not_found(req.params["gid"])
        people = (self.fake.users if g.all_company else g.members) if req.params["rel"] == "members" else g.owners
        return self._page(req, [self.user_json(u) for u in people], "directoryObjects", default_top=100, max_top=999)

    def _may_manage(self, req: Request, g: Group) -> Response | None:
        u: User = req.user  # type: ignore[attr-defined]
        if g.is_admin(u) or u.directory_admin:
            return None
        return graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    def add_group_rel(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/group-post-members and group-post-owners: body
        {"@odata.id": ".../directoryObjects/{id}"}; 204; 400 when already there; 404 when the object
        does not exist. A new owner becomes an admin of the community
        (https://learn.microsoft.com/en-us/graph/api/resources/engagement-api-overview)."""
        denied = self._require(req, GROUP_MEMBER_WRITE)
        if denied:
            return denied
        g = self._group(req)
        if g is None:
            return _not_found(req.params["gid"])
        try:
            body = req.json()
        except ValueError:
            return graph_error(400, "BadRequest", "The request body is missing or is not valid JSON.")
        ref = body.get("@odata.id") if isinstance(body, dict) else None
        m = re.search(r"/(?:directoryObjects|users)/([^/]+)$", str(ref or ""))
        if not m:
            return graph_error(
                400,
                "BadRequest",
                'Invalid object identifier: the body must be {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.',
            )
        denied = self._may_manage(req, g)
        if denied:
            return denied
        u = self.fake.graph_user(m.group(1), upn=False)  # a directoryObject is named by its id
        if u is None:
            return _not_found(m.group(1))
        rel = req.params["rel"]
        people = g.members if rel == "members" else g.owners
        if u in people or (rel == "members" and g.all_company):
            return graph_error(
                400,
                "Request_BadRequest",
                f"One or more added object references already exist for the following modified properties: '{rel}'.",
            )
        people.append(u)
        g.updated_at = self.fake.clock.now()
        return Response.empty(204)

    def remove_group_rel(self, req: Request) -> Response:
        """https://learn.microsoft.com/en-us/graph/api/group-delete-members and group-delete-owners;
        the last owner cannot be removed (engagement-api-overview)."""
        denied = self._require(req, GROUP_MEMBER_WRITE)
        if denied:
            return denied
        g = self._group(req)
        if g is None:
            return _not_found(req.params["gid"])
        denied = self._may_manage(req, g)
        if denied:
            return denied
        u = self.fake.graph_user(req.params["uid"], upn=False)
        rel = req.params["rel"]
        people = g.members if rel == "members" else g.owners
        if u is None or u not in people:
            return _not_found(req.params["uid"])
        if rel == "owners" and len(g.owners) == 1:
            return graph_error(
                400, "Request_BadRequest", "The group must have at least one owner, hence this owner cannot be removed."
            )
        people.remove(u)
        g.updated_at = self.fake.clock.now()
        return Response.empty(204)


def _b64_op() -> str:
    from .state import b64url_json

    return b64url_json({"_type": "LongRunningOperation", "id": str(uuid.uuid4()), "operation": "CreateCommunity"})
