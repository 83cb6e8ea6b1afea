"""The Matrix connection's core: HTTP, who rse is (login, admin rights, people), raw room state.

The other modules of this package add communities, members, messages and events on top of
it; `MatrixNetwork` (network.py) assembles them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import quote

from rse_cli.domain import Person, Whoami
from rse_cli.errors import (
    AmbiguousError,
    AuthError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RseError,
    ServerError,
    UsageError,
)
from rse_cli.network.base import Capabilities, Session, table_settings
from rse_cli.network.http import HttpClient, ssl_context
from rse_cli.network.matrix.ids import (
    MatrixAddressing,
    check_user,
    localpart,
    matrix_link,
)
from rse_cli.network.matrix.settings import MatrixSettings

if TYPE_CHECKING:
    from rse_cli.config import Settings

__all__ = ["ADMIN", "C", "C1", "CREATION", "MEDIA", "MatrixClient", "creators_of", "q"]

C = "/_matrix/client/v3"
C1 = "/_matrix/client/v1"
ADMIN = "/_synapse/admin"
DIRECTORY_PAGE = 2500  # accounts a request when find_people reads the list (about 60 ms of Synapse time)
MEDIA = "/_matrix/media/v3"
# a key of rse's own in the content of m.room.create (the spec allows custom keys there; clients
# ignore them): {"by": rse's account, "nonce": one per createRoom call, "for": the person, for a
# direct conversation}. A room's create event is immutable and readable by its members, so the
# server alone tells which rooms rse created and why: a run that died before recording a room
# (in m.direct, in a space), or whose createRoom answer was lost, adopts it instead of creating another.
CREATION = "org.rse.creation"
T = TypeVar("T")
R = TypeVar("R")


def creators_of(create_event: dict[str, Any]) -> set[str]:
    """The creators of a room, from its m.room.create event: in version-12 rooms they hold the
    highest power and are never listed in m.room.power_levels."""
    content = create_event.get("content", {})
    version = str(content.get("room_version", "1"))
    if not version.isdigit() or int(version) < 12:
        return set()  # before v12, creators are ordinary power-level holders
    return {create_event["sender"], *content.get("additional_creators", [])}


def q(part: str) -> str:
    return quote(part, safe="")


class MatrixClient:
    name = "matrix"
    capabilities: Capabilities  # set with the registration (capabilities.py)
    concurrency: int = 8  # requests in flight (the settings' concurrency)
    client_url: str = "https://matrix.to/#/"
    _user_id: str | None = None

    def __init__(
        self,
        http: HttpClient,
        *,
        user_id: str | None = None,
        animator_level: int = 50,
        moderator_level: int = 75,
        client_url: str = "https://matrix.to/#/",
        concurrency: int = 8,
        device_id: str | None = None,
    ) -> None:
        self.http = http
        self._user_id = user_id
        self._configured_user = user_id  # the account the settings name (a login may change it)
        self.device_id = device_id
        self.animator_level = animator_level
        self.moderator_level = moderator_level
        self.client_url = client_url
        self.concurrency = concurrency
        self._admin: bool | None = None
        self._people: dict[str, Person] = {}
        self._created: dict[str, dict[str, Any]] = {}  # room id -> m.room.create event, rooms this account created
        self._scanned: set[str] | None = None  # joined rooms whose create event was read (None: not yet)
        self._scan_lock = threading.Lock()
        self._init_direct()

    def _init_direct(self) -> None:
        """State of direct conversations (messages.py)."""

    @classmethod
    def from_settings(cls, settings: Settings, *, token: str | None = None, transport: Any = None) -> Self:
        if not settings.homeserver:
            raise UsageError("no homeserver configured", hint="run `rse config init --homeserver https://…`")
        check_user(settings)
        cfg = table_settings(settings, "matrix", MatrixSettings)
        http = HttpClient(
            settings.homeserver,
            token=token,
            timeout=settings.timeout,
            verify=ssl_context(settings.ca_bundle, settings.verify_tls),
            concurrency=settings.concurrency,
            max_retries=settings.max_retries,
            transport=transport,
        )
        return cls(
            http,
            user_id=settings.user,
            animator_level=cfg.animator_level,
            moderator_level=cfg.moderator_level,
            client_url=cfg.client_url,
            concurrency=settings.concurrency,
            device_id=cfg.device_id,
        )

    def login(self, user: str, password: str) -> Session:
        """Log in with a password as `name`, `@name` or `@name:server`. The configured device is
        reused when it is the configured account's: the server keeps deduplicating transaction
        ids across logins only on the same device (MATRIX-NOTES)."""
        local = localpart(user.strip())
        mine = self._configured_user
        same_account = mine is None or mine == user or (":" not in user and localpart(mine) == local)
        body: dict[str, Any] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": local},
            "password": password,
            "initial_device_display_name": "rse (command line)",
        }
        if same_account and self.device_id:
            body["device_id"] = self.device_id
        try:
            answer = self.http.post(f"{C}/login", json=body, auth=False)
        except ForbiddenError:
            raise AuthError(f"login refused for {user}: wrong user or password") from None
        self.http.set_token(answer["access_token"])
        self._user_id = answer["user_id"]
        self.device_id = answer["device_id"]
        return Session(
            user_id=answer["user_id"],
            token=answer["access_token"],
            device_id=answer["device_id"],
            settings={"device_id": answer["device_id"]},
        )

    @property
    def user_id(self) -> str:
        if self._user_id is None:
            self._user_id = self.http.get(f"{C}/account/whoami")["user_id"]
        return self._user_id

    @property
    def server_name(self) -> str:
        # never parse a server out of a room id: version-12 room ids have none
        return self.user_id.split(":", 1)[1]

    @property
    def is_admin(self) -> bool:
        if self._admin is None:
            try:
                self._admin = bool(self.http.get(f"{ADMIN}/v1/users/{q(self.user_id)}/admin").get("admin"))
            except (ForbiddenError, NotFoundError):
                self._admin = False
        return self._admin

    def ratelimit_exempt(self) -> bool | None:
        """Whether an admin lifted this account's rate limits (override_ratelimit); None when it cannot tell."""
        if not self.is_admin:
            return None
        found = self.http.get(f"{ADMIN}/v1/users/{q(self.user_id)}/override_ratelimit")
        return bool(found) and found.get("messages_per_second", 1) == 0

    def whoami(self) -> Whoami:
        me = self.http.get(f"{C}/account/whoami")
        self._user_id = me["user_id"]
        return Whoami(
            user_id=me["user_id"],
            device_id=me.get("device_id"),
            homeserver=self.http.base_url,
            admin=self.is_admin,
            display_name=self._display_name(me["user_id"]),
        )

    def _display_name(self, user_id: str) -> str | None:
        try:
            name = self.http.get(f"{C}/profile/{q(user_id)}").get("displayname")
            return str(name) if name else None
        except NotFoundError:
            return None

    def find_people(self, refs: Sequence[str]) -> dict[str, Person]:
        """As a Synapse admin, the accounts' list (DIRECTORY_PAGE a request, the pages after the
        first side by side) instead of one profile read per person, when that is at most half the
        round trips: 100 people, 16 in flight, are 7 rounds of lookups, or 2 of the list on a
        server of up to 7,500 accounts (measured: 3,000 accounts in 74 ms of server time). Only
        Matrix ids of this server are answered; deactivated accounts are left to resolve_person."""
        ids: dict[str, str] = {}  # the ref as given -> the Matrix id it names
        for given in refs:
            ref = given.strip()
            if ref.startswith("@") and ref not in self._people:
                ids[given] = ref if ":" in ref else f"{ref}:{self.server_name}"
        rounds = -(-len(ids) // max(1, self.concurrency))
        if rounds < 4 or not self.is_admin:
            return {}
        params: dict[str, Any] = {"from": 0, "limit": DIRECTORY_PAGE, "guests": "false"}
        try:
            first = self.http.get(f"{ADMIN}/v2/users", params=params)
            pages = -(-int(first.get("total", 0)) // DIRECTORY_PAGE)
            if pages > rounds // 2:
                return {}
            rest = self._parallel(
                lambda start: self.http.get(f"{ADMIN}/v2/users", params={**params, "from": start}).get("users", []),
                range(DIRECTORY_PAGE, pages * DIRECTORY_PAGE, DIRECTORY_PAGE),
            )
        except (ForbiddenError, NotFoundError):  # the admin API closed at the reverse proxy: one by one
            return {}
        accounts = {
            u["name"]: Person(id=u["name"], display_name=u.get("displayname") or None)
            for page in [first.get("users", []), *rest]
            for u in page
            if isinstance(u, dict) and u.get("name") and not u.get("deactivated")
        }
        found = {given: accounts[uid] for given, uid in ids.items() if uid in accounts}
        self._people.update({given.strip(): person for given, person in found.items()})
        return found

    def resolve_person(self, ref: str) -> Person:
        ref = ref.strip()
        if ref in self._people:
            return self._people[ref]
        if ref.startswith("@"):
            if ":" not in ref:
                ref = f"{ref}:{self.server_name}"
            try:
                profile = self.http.get(f"{C}/profile/{q(ref)}")
            except NotFoundError:
                raise NotFoundError(f"no such person on the network: {ref}") from None
            person = Person(id=ref, display_name=profile.get("displayname"))
        elif "@" in ref:
            person = self._by_email(ref)
        else:
            person = self._by_display_name(ref)
        self._people[ref] = person
        return person

    def _by_email(self, email: str) -> Person:
        if not self.is_admin:
            raise NotFoundError(
                f"cannot look up {email}: finding people by e-mail needs a Synapse admin account",
                hint="use their Matrix ID (@name:server) instead",
            )
        try:
            user_id = self.http.get(f"{ADMIN}/v1/threepid/email/users/{q(email.lower())}")["user_id"]
        except NotFoundError:
            raise NotFoundError(f"nobody on the network has the e-mail address {email}") from None
        return Person(id=user_id, display_name=self._display_name(user_id))

    def _by_display_name(self, name: str) -> Person:
        wanted = name.casefold()
        if self.is_admin:
            found = self.http.get(
                f"{ADMIN}/v2/users", params={"name": name, "limit": 100, "guests": "false", "deactivated": "false"}
            )
            hits = [Person(id=u["name"], display_name=u.get("displayname")) for u in found.get("users", [])]
        else:
            found = self.http.post(f"{C}/user_directory/search", json={"search_term": name, "limit": 50})
            hits = [Person(id=u["user_id"], display_name=u.get("display_name")) for u in found.get("results", [])]
        exact = [p for p in hits if (p.display_name or "").casefold() == wanted]
        if not exact:
            raise NotFoundError(f"nobody on the network is named {name!r}", hint="use their Matrix ID or e-mail")
        if len(exact) > 1:
            ids = ", ".join(p.id for p in exact)
            raise AmbiguousError(f"{len(exact)} people are named {name!r}: {ids}", hint="use one of these Matrix IDs")
        return exact[0]

    def _parallel(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(items))) as pool:
            return list(pool.map(fn, items))

    def _state(self, room_id: str, event_type: str, state_key: str = "") -> dict[str, Any] | None:
        try:
            state: dict[str, Any] = self.http.get(f"{C}/rooms/{q(room_id)}/state/{q(event_type)}/{q(state_key)}")
            return state
        except NotFoundError:
            return None

    def _create_event(self, room_id: str) -> dict[str, Any] | None:
        try:
            event: dict[str, Any] = self.http.get(f"{C}/rooms/{q(room_id)}/state/m.room.create/", params={"format": "event"})
            return event
        except (NotFoundError, ForbiddenError):
            return None

    def _own_rooms(self, *, refresh: bool = False) -> dict[str, dict[str, Any]]:
        """The create events of the joined rooms this account created that carry rse's mark,
        by room id. Read once per run: one /joined_rooms, then one state read per room (about
        1 s per 400 rooms on Synapse, 8 in flight), cached; `refresh` reads only the rooms joined since.
        The conversations m.direct already lists are left out: what is looked for here is a room
        it does not list, and a champion who welcomed 2,000 people has 2,000 of them."""
        with self._scan_lock:
            if self._scanned is None or refresh:
                seen = self._scanned or set()
                joined = [r for r in self.http.get(f"{C}/joined_rooms")["joined_rooms"] if r not in seen]
                listed = self._listed_direct()
                new = [r for r in joined if r not in listed]
                for room_id, event in self._parallel(lambda r: (r, self._create_event(r)), new):
                    mark = (event or {}).get("content", {}).get(CREATION)
                    if event and event.get("sender") == self.user_id and isinstance(mark, dict):
                        self._created[room_id] = event
                self._scanned = seen | set(joined)
            return dict(self._created)

    def _listed_direct(self) -> set[str]:
        """The conversations m.direct lists, as read this run (none known here: Messages knows)."""
        return set()

    def _created_with(self, nonce: str) -> str | None:
        """The room a createRoom call marked with `nonce` created, if the server made it."""
        found = self._own_rooms(refresh=True)
        return next((r for r, e in found.items() if e["content"][CREATION].get("nonce") == nonce), None)

    def _create_room_once(self, body: dict[str, Any], *, find: Callable[[str], str | None] | None = None) -> str:
        """createRoom, marked as rse's (CREATION). createRoom is not idempotent, and when its answer
        is lost (a timeout, a dropped connection, a proxy's 5xx) the server may have created the room
        all the same: look for it (`find(nonce)`, by default among the joined rooms) before giving up,
        so the room is adopted rather than created twice. Not found: the original error, and the next
        run's look (the scan above) adopts a room the server finished creating after all."""
        nonce = uuid.uuid4().hex
        content = dict(body.get("creation_content") or {})
        content[CREATION] = {**content.get(CREATION, {}), "by": self.user_id, "nonce": nonce}
        try:
            return str(self.http.post(f"{C}/createRoom", json={**body, "creation_content": content})["room_id"])
        except (NetworkError, ServerError) as exc:
            if isinstance(exc, ServerError) and exc.status < 500:
                raise  # refused: nothing was created
            try:
                found = (find or self._created_with)(nonce)
            except RseError:
                found = None  # the server is still unreachable: the next run looks again
            if found is None:
                raise
            return found

    def membership(self, room_id: str, user_id: str) -> str | None:
        state = self._state(room_id, "m.room.member", user_id)
        return state.get("membership") if state else None

    def _creators(self, room_id: str) -> set[str]:
        return creators_of(self.http.get(f"{C}/rooms/{q(room_id)}/state/m.room.create/", params={"format": "event"}))

    def _update_levels(self, room_id: str, users: dict[str, int | None]) -> bool:
        levels = self._state(room_id, "m.room.power_levels") or {}
        current = dict(levels.get("users", {}))
        new = dict(current)
        for uid, lvl in users.items():
            if lvl is None or lvl <= int(levels.get("users_default", 0)):
                new.pop(uid, None)
            else:
                new[uid] = lvl
        if new == current:
            return False
        self.http.put(f"{C}/rooms/{q(room_id)}/state/m.room.power_levels/", json={**levels, "users": new})
        return True

    def link(self, room_id: str, event_id: str | None = None) -> str:
        return matrix_link(self.client_url, self.server_name if self._user_id else None, room_id, event_id)

    @property
    def addressing(self) -> MatrixAddressing:
        return MatrixAddressing(self.client_url, self.server_name if self._user_id else None)

    def rate_limited(self) -> bool:
        return bool(self.http.stats.get("rate_limited"))

    def diagnose(self) -> list[tuple[str, bool | None, str, str | None]]:
        from rse_cli.i18n import _

        versions = self.http.get("/_matrix/client/versions", auth=False).get("versions", [])
        try:
            # "1.163.2 (b=main,…)": the release is what an admin compares with the changelog
            server = str(self.http.get(f"{ADMIN}/v1/server_version", auth=False).get("server_version", "")).split(" ")[0] or None
        except (NotFoundError, ForbiddenError):
            server = None
        tls = _("TLS verified") if self.http.base_url.startswith("https://") else _("plain HTTP (local server only)")
        out: list[tuple[str, bool | None, str, str | None]] = [
            (
                "server",
                True,
                _("{url} answers ({software}, spec {spec}; {tls})").format(
                    url=self.http.base_url,
                    software=f"Synapse {server}" if server else "Matrix",
                    spec=versions[-1] if versions else "?",
                    tls=tls,
                ),
                None,
            )
        ]
        if not self.is_admin:
            out.append(
                (
                    "rights",
                    None,
                    _(
                        "{user} is not a server admin: people are found by Matrix ID only (not by e-mail) "
                        "and bulk jobs run at the server's default rate limits"
                    ).format(user=self.user_id),
                    _("ask a Synapse admin to make this account an admin, or to lift its rate limits (override_ratelimit)"),
                )
            )
            return out
        if self.ratelimit_exempt():
            out.append(
                ("rights", True, _("{user} is a server admin and its rate limits are lifted").format(user=self.user_id), None)
            )
        else:
            command = (
                f"curl -X POST -H 'Authorization: Bearer <admin token>' -d '{{\"messages_per_second\": 0, "
                f'"burst_count": 0}}\' {self.http.base_url}{ADMIN}/v1/users/{q(self.user_id)}/override_ratelimit'
            )
            out.append(
                (
                    "rights",
                    None,
                    _(
                        "{user} is a server admin, but its rate limits are not lifted "
                        "(at Synapse's defaults, 200 welcome messages take hours)"
                    ).format(user=self.user_id),
                    _("lift them once: {command}").format(command=command),
                )
            )
        return out

    def close(self) -> None:
        self.http.close()
