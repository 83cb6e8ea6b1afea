"""EngageNetwork: rse's Network protocol on Viva Engage (Graph for communities and membership,
Yammer REST for conversations). See ids.py for which id means what."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from rse_cli.domain import Community, EventPage, Member, Message, Person, Picture, Role, Room, Sent, Whoami
from rse_cli.errors import AmbiguousError, ConflictError, ForbiddenError, NotFoundError, RseError, ServerError, UsageError
from rse_cli.names import slug
from rse_cli.network.base import Capabilities, Session, SignInStatus
from rse_cli.network.engage.clients import GraphClient, YammerClient, graph_code
from rse_cli.network.engage.events import body_text, map_message, yammer_time
from rse_cli.network.engage.ids import YAMMER_ID, EngageAddressing, decode_web_id, dm_room, dm_target, encode_web_id
from rse_cli.network.engage.settings import EngageSettings

if TYPE_CHECKING:
    from rse_cli.network.engage.auth import EngageAuth

NO_ROOMS_HINT = "a Viva Engage community is one conversation feed: remove `rooms = [...]` from the manifest (and --room)"
EXPORT_DAYS = 365  # how far back a first export reaches (a day a request: Microsoft recommends daily ranges)
_MENTION = re.compile(r"\[\[user:\d+\]\]\s*")


class DirectMessagesDisabled(ForbiddenError):
    """The tenant turned private messages off."""


def q(part: str) -> str:
    return quote(part, safe="")


def _with(raw: dict[str, Any], person: str) -> bool:
    """Whether a private message is part of the conversation with `person`, when the message says
    (its participants); a message that does not say is kept: the text comparison decides."""
    known = {str(x) for x in raw.get("direct_to_user_ids") or []} | {str(p.get("id")) for p in raw.get("participants") or []}
    return not known or person in known or str(raw.get("sender_id")) == person


def _norm(text: str) -> str:
    return " ".join(_MENTION.sub("", text).split())


def _same_text(sent: str, found: str) -> bool:
    """Yammer may render mentions and whitespace its way: compare the words."""
    return bool(_norm(sent)) and _norm(sent) in _norm(found)


class EngageNetwork:
    name = "engage"
    capabilities: Capabilities  # set in __init__.py with the registration

    def __init__(
        self,
        settings: EngageSettings,
        graph: GraphClient,
        yammer: YammerClient,
        *,
        people: Any = None,
        concurrency: int = 1,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        auth: EngageAuth | None = None,
    ) -> None:
        self.settings = settings
        self.auth = auth  # the msal sign-in the tokens come from (None: a token given by RSE_TOKEN or a test)
        self.graph = graph
        self.yammer = yammer
        self.people = people  # a PeopleCache (store-backed) or None
        # Yammer allows 10 requests per 30 s per user: parallel requests only queue on the pacer
        self.concurrency = concurrency
        self.addressing = EngageAddressing(settings.web_url)
        self._sleep = sleep
        self._clock = clock
        self._me: dict[str, Any] | None = None
        self._groups: dict[str, str] = {}  # community id -> Microsoft 365 group id
        self._feeds: dict[str, str] = {}  # community id -> Yammer group id
        self._dms: bool | None = settings.dms_enabled

    # -- identity -------------------------------------------------------------------------
    def me(self) -> dict[str, Any]:
        if self._me is None:
            self._me = self.yammer.get("/users/current.json")
        return self._me

    @property
    def user_id(self) -> str:
        return str(self.me()["id"])

    def whoami(self) -> Whoami:
        me = self.me()
        admin = str(me.get("verified_admin", me.get("admin", "false"))).lower() == "true"
        return Whoami(
            user_id=str(me["id"]),
            homeserver=f"Viva Engage, tenant {self.settings.tenant}",
            admin=admin,
            display_name=me.get("full_name"),
        )

    # -- sign-in (base.DeviceCodeLogin, base.CachedSignIn): msal's cache is the credential store --
    def _sign_in(self) -> EngageAuth:
        if self.auth is None:
            raise UsageError(
                "this connection uses a token given from outside (RSE_TOKEN): there is no sign-in to manage",
                hint="unset RSE_TOKEN to use the profile's own sign-in",
            )
        return self.auth

    def login_device_code(self, show: Callable[[str], None]) -> Session:
        """Device-code sign-in as the champion. Nothing for rse to store (Session.token is None):
        msal's cache keeps the refresh token, and every later run gets its access tokens from it."""
        auth = self._sign_in()

        def instruct(url: str, code: str, message: str) -> None:
            show(f"To sign in, open {url} and enter the code {code}")

        claims = auth.login_device_code(instruct)
        self._me = None  # whoever signed in now is who rse acts as
        account = auth.account() or {}
        who = claims.get("preferred_username") or account.get("username") or claims.get("name")
        # the profile's `user` is the person id members and events carry (Yammer's), as on every network
        return Session(user_id=self.user_id, token=None, saved_in=auth.location(), account=str(who) if who else None)

    def sign_in_status(self) -> SignInStatus:
        if self.auth is None:  # a token given from outside (RSE_TOKEN): nothing cached to describe
            return SignInStatus(tenant=self.settings.tenant)
        auth = self.auth
        expires = auth.refresh_expires_at()
        return SignInStatus(
            account=(auth.account() or {}).get("username"),
            tenant=auth.tenant(),
            scopes=auth.granted_scopes(),
            saved_in=auth.location(),
            expires_at=datetime.fromtimestamp(expires, tz=UTC) if expires else None,
        )

    def logout(self) -> str:
        auth = self._sign_in()
        auth.logout()
        self._me = None
        return auth.location()

    def diagnose(self) -> list[tuple[str, bool | None, str, str | None]]:
        """Graph and native mode, Yammer, granted permissions, verified admin, private messages (diagnose.py)."""
        from rse_cli.network.engage.diagnose import diagnose

        return diagnose(self)

    def rate_limited(self) -> bool:
        return bool(self.yammer.http.stats.get("rate_limited") or self.graph.http.stats.get("rate_limited"))

    def ratelimit_exempt(self) -> bool | None:
        return False  # Yammer's limits are per user per app; nobody is exempt

    def find_people(self, refs: Sequence[str]) -> dict[str, Person]:
        return {}  # one lookup per person: nothing cheaper to offer

    def resolve_person(self, ref: str) -> Person:
        ref = ref.strip()
        if YAMMER_ID.match(ref):
            user = self._yammer_user(ref)
        elif "@" in ref:
            user = self._yammer_by_email(ref)
        else:
            user = self._by_name(ref)
        return Person(id=str(user["id"]), display_name=user.get("full_name"))

    def _remember(
        self, yammer_id: str, *, graph_id: str | None = None, email: str | None = None, name: str | None = None
    ) -> None:
        if self.people is not None:
            self.people.remember(yammer_id, graph_id=graph_id, email=email, name=name)

    def _yammer_user(self, yammer_id: str) -> dict[str, Any]:
        try:
            user: dict[str, Any] = self.yammer.get(f"/users/{q(yammer_id)}.json")
        except NotFoundError:
            raise NotFoundError(
                f"nobody in this Viva Engage network has the user id {yammer_id}",
                hint="use their e-mail address (the HR export's column) instead",
            ) from None
        self._remember(str(user["id"]), email=user.get("email"), name=user.get("full_name"))
        return user

    def _yammer_by_email(self, email: str) -> dict[str, Any]:
        cached = self.people.by_email(email) if self.people is not None else None
        if cached is not None:
            return {"id": cached.yammer_id, "full_name": cached.name, "email": cached.email}
        try:
            found = self.yammer.get("/users/by_email.json", email=email)
        except NotFoundError:
            found = []
        users = found if isinstance(found, list) else [found] if found else []
        if not users:
            raise NotFoundError(
                f"nobody in the tenant's Viva Engage network has the e-mail address {email}",
                hint="check the address; people outside the tenant (guests, other companies) cannot be added",
            )
        user = users[0]
        self._remember(str(user["id"]), email=email, name=user.get("full_name"))
        return dict(user)

    def _by_name(self, name: str) -> dict[str, Any]:
        escaped = name.replace("'", "''")
        hits = list(
            self.graph.pages(
                "/users", {"$filter": f"displayName eq '{escaped}'", "$select": "id,displayName,mail,userPrincipalName"}
            )
        )
        if not hits:
            raise NotFoundError(f"nobody in the tenant is named {name!r}", hint="use their e-mail address")
        if len(hits) > 1:
            mails = ", ".join(h.get("mail") or h.get("userPrincipalName") or h["id"] for h in hits)
            raise AmbiguousError(f"{len(hits)} people are named {name!r}: {mails}", hint="use one of these e-mail addresses")
        return self._yammer_of_graph(hits[0])

    def _yammer_of_graph(self, user: dict[str, Any]) -> dict[str, Any]:
        """The Yammer user of a Graph user (their e-mail is the link between the two APIs)."""
        cached = self.people.by_graph(user["id"]) if self.people is not None else None
        if cached is not None:
            return {"id": cached.yammer_id, "full_name": cached.name or user.get("displayName"), "email": cached.email}
        email = user.get("mail") or user.get("userPrincipalName")
        if not email:
            raise NotFoundError(f"{user.get('displayName') or user['id']} has no e-mail address: cannot find them on Viva Engage")
        found = self._yammer_by_email(email)
        self._remember(str(found["id"]), graph_id=user["id"], email=email, name=user.get("displayName"))
        return found

    def _graph_id(self, yammer_id: str) -> str:
        cached = self.people.by_yammer(yammer_id) if self.people is not None else None
        if cached is not None and cached.graph_id:
            return str(cached.graph_id)
        email = cached.email if cached is not None and cached.email else self._yammer_user(yammer_id).get("email")
        if not email:
            raise NotFoundError(f"the Viva Engage user {yammer_id} has no e-mail address: cannot find them in Microsoft Entra")
        user = self._graph_user_by_email(email)
        if user is None:
            raise NotFoundError(
                f"{email} is not a user of this tenant (Microsoft Entra)",
                hint="people outside the tenant cannot join its communities",
            )
        self._remember(yammer_id, graph_id=user["id"], email=email, name=user.get("displayName"))
        return str(user["id"])

    def _graph_user_by_email(self, email: str) -> dict[str, Any] | None:
        """The Entra user whose mail is `email`. `GET /users/{key}` takes an id or a
        userPrincipalName only (https://learn.microsoft.com/en-us/graph/api/user-get), and many
        tenants sign in with UPNs that are not the mail address: look the address up as `mail`
        first (https://learn.microsoft.com/en-us/graph/api/user-list, $filter on mail), then as a UPN."""
        select = "id,displayName,mail,userPrincipalName"
        escaped = email.replace("'", "''")
        for user in self.graph.pages("/users", {"$filter": f"mail eq '{escaped}'", "$select": select}):
            return dict(user)
        try:
            found: dict[str, Any] = self.graph.call("GET", f"/users/{q(email)}", params={"$select": select})
        except NotFoundError:
            return None
        return found

    # -- communities -------------------------------------------------------------------
    def _community(self, raw: dict[str, Any]) -> Community:
        cid = str(raw["id"])
        if raw.get("groupId"):
            self._groups[cid] = str(raw["groupId"])
        name = str(raw.get("displayName") or cid)
        topic = raw.get("description") or None
        link = self.addressing.link(cid)
        # Engage keeps no alias: the one rse created the community with (store), else its name's slug
        alias = (self.people.alias_of(cid) if self.people is not None else None) or slug(name)
        # structure == feed: no rooms; the community id is the feed (send, iter_events, find_sent, link)
        return Community(id=cid, name=name, alias=alias, topic=topic, link=link)

    def list_communities(self) -> list[Community]:
        found = [self._community(c) for c in self.graph.pages("/employeeExperience/communities")]
        return sorted(found, key=lambda c: c.name.casefold())

    def _community_by_id(self, cid: str) -> Community | None:
        try:
            return self._community(self.graph.call("GET", f"/employeeExperience/communities/{q(cid)}"))
        except NotFoundError:
            return None

    def get_community(self, ref: str) -> Community:
        """By Graph community id, Yammer group id (the number in an Engage URL), exact name or its slug."""
        ref = ref.strip()
        if decode_web_id(ref, "Group") or YAMMER_ID.match(ref):
            cid = ref if not YAMMER_ID.match(ref) else encode_web_id("Group", ref)
            found = self._community_by_id(cid)
            if found is None:
                raise NotFoundError(f"no Viva Engage community has the id {ref}", hint="see `rse community list`")
            return found
        wanted = slug(ref)
        known = self.people.community_of_alias(wanted) if self.people is not None else None
        if known is not None:
            found = self._community_by_id(known)
            if found is not None:
                return found  # else deleted since: the name may still match another one
        hits = [c for c in self.list_communities() if c.name.casefold() == ref.casefold() or slug(c.name) == wanted]
        if len(hits) > 1:
            raise AmbiguousError(
                f"{len(hits)} communities match {ref!r}: " + ", ".join(f"{c.name} ({c.id})" for c in hits),
                hint="use the community id",
            )
        if hits:
            return hits[0]
        if self.people is not None and self.people.pending(slug(ref)):
            raise ConflictError(
                f"the community {ref!r} is still being created by Viva Engage",
                hint="wait a few minutes and run the command again (creation takes a minute or more)",
            )
        raise NotFoundError(f"no Viva Engage community named {ref!r}", hint="see `rse community list`")

    def create_community(self, name: str, *, alias: str | None = None, topic: str | None = None) -> Community:
        """POST answers 202 with an Operation-Location to poll, >30 s apart
        (https://learn.microsoft.com/en-us/graph/api/employeeexperience-post-communities).
        The location is stored first, so a run killed while waiting resumes the same creation.
        `alias` is kept in the store (Engage has none), so the community answers to it."""
        location = self.people.pending(slug(name)) if self.people is not None else None
        if location is None:
            body: dict[str, Any] = {"displayName": name, "privacy": "private"}
            if topic:
                body["description"] = topic[:1024]
            status, headers, answer = self.graph.post_with_headers("/employeeExperience/communities", body)
            location = headers.get("operation-location") or headers.get("Operation-Location")
            if status != 202 or not location:
                if answer.get("id"):
                    return self._keep_alias(alias, self._community(answer))
                raise ServerError(f"creating {name!r}: Graph answered {status} without an Operation-Location")
            if self.people is not None:
                self.people.start(slug(name), location)
        community = self._wait_creation(name, location)
        if self.people is not None:
            self.people.end(slug(name))
        return self._keep_alias(alias, community)

    def _keep_alias(self, alias: str | None, community: Community) -> Community:
        if alias and slug(alias) and self.people is not None:
            self.people.remember_alias(slug(alias), community.id)
            community.alias = slug(alias)
        return community

    def _wait_creation(self, name: str, location: str) -> Community:
        path = location.removeprefix(self.graph.http.base_url)
        waited = 0.0
        while True:
            op = self.graph.call("GET", path)
            status = op.get("status")
            if status == "succeeded":
                cid = op.get("resourceId")
                where = op.get("resourceLocation")
                target = (
                    where.removeprefix(self.graph.http.base_url) if where else f"/employeeExperience/communities/{q(str(cid))}"
                )
                return self._community(self.graph.call("GET", target))
            # engagementAsyncOperation's status: notStarted, running, succeeded, failed, skipped
            # (https://learn.microsoft.com/en-us/graph/api/resources/engagementasyncoperation):
            # failed and skipped both end the operation without a community
            if status in ("failed", "skipped"):
                if self.people is not None:
                    self.people.end(slug(name))
                detail = str(op.get("statusDetail") or "")
                if "already exists" in detail:
                    raise ConflictError(
                        f"a Viva Engage community named {name!r} already exists ({detail})",
                        hint="community names are unique on Viva Engage: pick another name, or use the existing one",
                    )
                raise ServerError(
                    f"Viva Engage did not create the community {name!r}: {op.get('statusDetail') or 'no detail'}",
                    hint="check that the name is not taken, then run the command again",
                )
            if waited >= self.settings.creation_timeout_seconds:
                raise ConflictError(
                    f"the community {name!r} is still being created by Viva Engage (after {waited:.0f} s)",
                    hint="run the command again later: rse resumes waiting for this creation instead of starting another",
                )
            self._sleep(self.settings.poll_seconds)
            waited += self.settings.poll_seconds

    def add_room(self, community: Community, name: str, *, topic: str | None = None) -> Room:
        raise UsageError(f"cannot add the room {name!r} to {community.name}: Viva Engage has no rooms", hint=NO_ROOMS_HINT)

    def find_room(self, community: Community, ref: str) -> Room:
        raise UsageError(f"{community.name} has no room {ref!r}: Viva Engage has no rooms", hint=NO_ROOMS_HINT)

    def set_topic(self, community: Community, topic: str) -> bool:
        if (community.topic or "") == topic:
            return False
        self.graph.call("PATCH", f"/employeeExperience/communities/{q(community.id)}", json={"description": topic[:1024]})
        community.topic = topic
        return True

    def has_picture(self, community: Community, picture: Picture) -> bool:
        raise UsageError("community pictures cannot be set through Viva Engage's API", hint="remove `picture` from the manifest")

    def set_picture(self, community: Community, picture: Picture) -> bool:
        return self.has_picture(community, picture)

    # -- membership (the community's Microsoft 365 group) ---------------------------------
    def _group(self, community_id: str) -> str:
        if community_id not in self._groups:
            self._community(self.graph.call("GET", f"/employeeExperience/communities/{q(community_id)}"))
        group = self._groups.get(community_id)
        if not group:
            raise ConflictError(
                f"the community {community_id} has no Microsoft 365 group yet (still being created?)",
                hint="wait a few minutes and run the command again",
            )
        return group

    def list_members(self, community: Community) -> list[Member]:
        group = self._group(community.id)
        select = {"$select": "id,displayName,mail,userPrincipalName"}
        owners = {u["id"] for u in self.graph.pages(f"/groups/{q(group)}/owners", select)}
        members: dict[str, Member] = {}
        graph_members = list(self.graph.pages(f"/groups/{q(group)}/members", select))
        self._map_in_bulk(community.id, graph_members)
        for user in graph_members:
            try:
                found = self._yammer_of_graph(user)
            except NotFoundError:
                continue  # in the group but not on Engage (never signed in): not a member anyone sees
            role = Role.animator if user["id"] in owners else Role.member
            members[str(found["id"])] = Member(
                id=str(found["id"]),
                display_name=user.get("displayName") or found.get("full_name"),
                membership="join",
                role=role,
                power=50 if role is Role.animator else 0,
            )
        return sorted(members.values(), key=lambda m: m.id)

    def _map_in_bulk(self, community_id: str, users: list[dict[str, Any]]) -> None:
        """Map many Graph members to Yammer ids at 50 a request (users/in_group pages,
        https://learn.microsoft.com/en-us/rest/api/yammer/usersin_groupidjson) rather than one
        users/by_email request each, when more than a page's worth is unknown to the cache."""
        if self.people is None:
            return
        unknown = {
            str(u.get("mail") or u.get("userPrincipalName") or "").lower(): u
            for u in users
            if self.people.by_graph(u["id"]) is None
        }
        unknown.pop("", None)
        if len(unknown) <= 3:
            return  # a few look-ups by e-mail cost less than paging the whole group
        feed = self._feed(community_id)
        page = 1
        while unknown:
            found = self.yammer.get(f"/users/in_group/{q(feed)}.json", page=page)
            for y in found.get("users") or []:
                user = unknown.pop(str(y.get("email") or "").lower(), None)
                if user is not None:
                    self._remember(str(y["id"]), graph_id=user["id"], email=y.get("email"), name=user.get("displayName"))
            if not found.get("more_available"):
                return
            page += 1

    def _add_ref(self, group: str, relation: str, graph_id: str) -> bool:
        body = {"@odata.id": f"{self.graph.http.base_url}/directoryObjects/{graph_id}"}
        try:
            # https://learn.microsoft.com/en-us/graph/api/group-post-members ; retried POSTs answer 400 "already exist"
            self.graph.call("POST", f"/groups/{q(group)}/{relation}/$ref", json=body, idempotent=True)
        except ServerError as exc:
            if exc.status == 400 and "already exist" in exc.message:
                return False
            raise
        return True

    def invite(self, community: Community, person: str, *, checked: bool = False) -> bool:
        """Engage has no invitations: the person is added to the community's group directly."""
        return self._add_ref(self._group(community.id), "members", self._graph_id(person))

    def force_join(self, community: Community, person: str) -> bool:
        return self.invite(community, person)

    def set_role(self, community: Community, person: str, role: Role) -> bool:
        if role is Role.moderator:
            raise UsageError(
                "Viva Engage has no moderator role (only community admins and members)",
                hint="list these people under `animators` in the manifest (they become community admins), or remove `moderators`",
            )
        if role is Role.owner:
            raise UsageError("the owner role cannot be given on Viva Engage", hint="use --role animator (community admin)")
        group, graph_id = self._group(community.id), self._graph_id(person)
        if role is Role.animator:
            added = self._add_ref(group, "members", graph_id)
            return self._add_ref(group, "owners", graph_id) or added
        try:
            self.graph.call("DELETE", f"/groups/{q(group)}/owners/{q(graph_id)}/$ref")
        except NotFoundError:
            return False
        return True

    # -- writing ----------------------------------------------------------------------------
    def dm_available(self) -> bool | None:
        """Whether private messages can be sent: the setting, or what a refused one taught; None: unknown."""
        return self._dms

    def _feed(self, room_id: str) -> str:
        if YAMMER_ID.match(room_id):
            return room_id
        group = decode_web_id(room_id, "Group")
        if group:
            return group
        if room_id not in self._feeds:
            # a community id of another shape: find its feed by name among the champion's groups
            name = self._community(self.graph.call("GET", f"/employeeExperience/communities/{q(room_id)}")).name
            groups = self.yammer.get("/groups.json", mine=1)
            hits = [g for g in groups if str(g.get("full_name") or g.get("name")) == name]
            if not hits:
                raise NotFoundError(
                    f"cannot find the conversation feed of {name!r} on Viva Engage",
                    hint="join the community first (rse member add … --role animator)",
                )
            self._feeds[room_id] = str(hits[0]["id"])
        return self._feeds[room_id]

    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        """POST /messages.json (https://learn.microsoft.com/rest/api/yammer/messages-json-post). Yammer has no
        idempotency key: exactly-once is the store's job (services/writes.py) with find_sent()."""
        body: dict[str, Any] = {"body": "".join(f"[[user:{m}]] " for m in message.mentions if YAMMER_ID.match(m)) + message.text}
        target = dm_target(room_id)
        if target is not None:
            if self._dms is False:
                raise self._dm_disabled()
            body["direct_to_user_ids"] = [int(target)]
        elif room_id.startswith("thread:"):
            body["replied_to_id"] = int(room_id.removeprefix("thread:"))
        else:
            body["group_id"] = int(self._feed(room_id))
        try:
            answer = self.yammer.call("POST", "/messages.json", json=body)
        except ForbiddenError as exc:
            if target is not None:
                self._dms = False
                raise self._dm_disabled() from exc
            raise
        posted = (answer.get("messages") or [answer])[0]
        return Sent(room_id=room_id, event_id=str(posted.get("id")), txn_id=txn_id)

    def _dm_disabled(self) -> DirectMessagesDisabled:
        return DirectMessagesDisabled(
            "private messages are disabled in this Viva Engage network",
            hint="welcome with an @mention in the community instead: set `welcome_by_mention = true` in [profiles.NAME.engage] "
            "(or the campaign's option), or ask the Viva Engage admin to allow private messages",
        )

    def direct_room(self, person: str) -> str:
        if self._dms is False:
            raise self._dm_disabled()
        if not YAMMER_ID.match(person):
            person = self.resolve_person(person).id
        return dm_room(person)

    def _newest_first(self, room_id: str, *, sent: bool = False, **params: Any) -> Iterator[dict[str, Any]]:
        """Messages of a feed from the newest, paging with older_than (about 20 a page). `sent`: a
        conversation's messages are looked for among the champion's own sent messages."""
        target = dm_target(room_id)
        if target is None:
            path = f"/messages/in_group/{q(self._feed(room_id))}.json"
        else:
            # messagesprivatejson documents the private feed as messages *received*; messagessentjson
            # as "all messages sent by the user": what a run that died after sending must find
            path = "/messages/sent.json" if sent else "/messages/private.json"
        older: str | None = None
        while True:
            page = self.yammer.get(path, older_than=older, **params)
            messages = page.get("messages") or []
            for raw in messages:
                if target is None or (_with(raw, target) and (not sent or raw.get("direct_message") is not False)):
                    yield raw
            if not messages or not (page.get("meta") or {}).get("older_available", True):
                return
            older = str(min(int(m["id"]) for m in messages))

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        me = self.user_id
        # a few seconds of slack: the server's clock and ours differ a little
        since = since_ms / 1000 - 5
        for raw in self._newest_first(room_id, sent=True):
            if yammer_time(raw.get("created_at")).timestamp() < since:
                return None
            if str(raw.get("sender_id")) == me and _same_text(message.text, body_text(raw)):
                return Sent(room_id=room_id, event_id=str(raw["id"]), txn_id="", sent=False)
        return None

    # -- reading ---------------------------------------------------------------------------
    def iter_events(self, room_id: str, since: str | None = None, *, page_size: int = 1000) -> Iterator[EventPage]:
        """Every message newer than the checkpoint (a message id), oldest first. Yammer pages from
        the newest, so the whole span is read before the one page is yielded."""
        collected: list[dict[str, Any]] = []
        # no newer_than: Yammer counts requests with it as polls, at most one a minute per feed
        for raw in self._newest_first(room_id):
            if since is not None and int(raw["id"]) <= int(since):
                break
            collected.append(raw)
        collected.sort(key=lambda m: int(m["id"]))
        if not collected:
            yield EventPage(events=[], checkpoint=since, done=True)
            return
        # pages of `page_size` messages (each with its likes), resumable after any of them
        size = max(1, page_size)
        for start in range(0, len(collected), size):
            chunk = collected[start : start + size]
            events = [e for raw in chunk for e in map_message(raw, room_id)]
            yield EventPage(events=events, checkpoint=str(chunk[-1]["id"]), done=start + size >= len(collected))

    def changed_since(self, token: str | None) -> tuple[set[str] | None, str | None]:
        """Which feeds got messages since `token` (the newest message id seen then), from the
        network-wide feed: a few requests instead of one per community."""
        changed: set[str] = set()
        newest: int | None = None
        older: str | None = None
        while True:
            page = self.yammer.get("/messages.json", older_than=older)
            messages = page.get("messages") or []
            reached = False
            for raw in messages:
                newest = max(newest or 0, int(raw["id"]))
                if token is None or int(raw["id"]) <= int(token):
                    reached = True
                    continue
                if raw.get("group_id"):
                    # a feed answers to its Yammer group id and to the Graph community id that encodes it
                    changed |= {str(raw["group_id"]), encode_web_id("Group", str(raw["group_id"]))}
            if reached or not messages or not (page.get("meta") or {}).get("older_available", False):
                break
            older = str(min(int(m["id"]) for m in messages))
        next_token = str(newest) if newest is not None else (token or "0")  # "0": an empty network, seen
        return (None if token is None else changed), next_token

    def export_events(self, checkpoint: str | None, now: datetime, *, start: datetime) -> Iterator[EventPage]:
        """Every community's messages through the Data Export API (verified admins), a day a page,
        resumable from the checkpoint of the last page (an ISO time). See export.py."""
        from rse_cli.network.engage.export import export_pages

        return export_pages(self.yammer, checkpoint, now, start=start)

    def bulk_events(self, checkpoint: str | None, now: datetime) -> Iterator[EventPage] | None:
        """The Data Export API when the champion is a verified admin (None otherwise: sync pages
        the feeds). A first export starts EXPORT_DAYS before now."""
        if not self.whoami().admin:
            return None
        return self.export_events(checkpoint, now, start=now - timedelta(days=EXPORT_DAYS))

    def link(self, room_id: str, event_id: str | None = None) -> str:
        return self.addressing.link(room_id, event_id)

    def close(self) -> None:
        self.graph.http.close()
        self.yammer.http.close()
        if self.people is not None:
            self.people.close()


def error_code(exc: RseError) -> str | None:
    return graph_code(exc)
