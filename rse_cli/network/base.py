"""The network boundary: the protocol every connector implements, the capabilities it declares,
and how rse finds connectors (entry points in the group `rse.networks`).

Services only ever see `Network`, `Addressing` and `Capabilities`, plus the domain models. Ids,
aliases, links and media references are opaque outside a connector: the connector parses what
a user types (`Addressing`) and renders what a reader sees (links). What differs between
networks is declared in `Capabilities`; services branch on it, never on a network's name.

Writing a connector: a package exposing a `Connector` object (see the protocol below),
registered in its own `pyproject.toml`:

    [project.entry-points."rse.networks"]
    foo = "rse_network_foo:connector"

then `rse config init --network foo` lists and uses it, and `tests/network/conformance/` is the
behaviour it must show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rse_cli.domain import (
    Community,
    EventPage,
    Member,
    Message,
    Person,
    Picture,
    Role,
    Room,
    Sent,
    Whoami,
)
from rse_cli.errors import ConfigError, UsageError
from rse_cli.i18n import N_

if TYPE_CHECKING:
    from pydantic import BaseModel as SettingsModel

    from rse_cli.config import Settings

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "Addressing",
    "CachedSignIn",
    "Capabilities",
    "Connector",
    "DeviceCodeLogin",
    "Membership",
    "Message",
    "Network",
    "PasswordLogin",
    "RateLimit",
    "RateModel",
    "Session",
    "SignInStatus",
    "Structure",
    "addressing",
    "available",
    "check_settings",
    "capabilities",
    "connect",
    "connector",
    "installed",
    "register",
    "table_settings",
]

ENTRY_POINT_GROUP = "rse.networks"


# -- capabilities --------------------------------------------------------------------------


class Structure(str, Enum):
    rooms = "rooms"  # a community holds several rooms (Matrix: a Space and its child rooms)
    feed = "feed"  # a community is one conversation feed (Viva Engage)


class Membership(str, Enum):
    invite = "invite"  # people are invited and join themselves (Matrix)
    direct = "direct"  # people are added as members directly (Viva Engage: the group's members)


class RateLimit(BaseModel):
    """A token bucket: `burst` requests at once, then `per_second` sustained."""

    model_config = ConfigDict(frozen=True)
    per_second: float
    burst: int = 0

    def seconds(self, requests: int) -> float:
        return max(0, requests - self.burst) / self.per_second if requests > 0 else 0.0


class RateModel(BaseModel):
    """What the network's documented or default limits cost rse's writes, for estimates printed
    before a bulk job. None means "not limited in a way worth estimating"."""

    model_config = ConfigDict(frozen=True)
    messages: RateLimit | None = None  # posts and direct messages
    invitations: RateLimit | None = None  # invitations or member additions
    invitations_share_messages: bool = False  # one bucket for both (Synapse's rc_message)
    room_creations: RateLimit | None = None  # a room or a community
    dm_creates_room: bool = False  # a first direct message creates a room (Matrix)
    community_creation_seconds: float = 0.0  # asynchronous creation to wait for (Engage: > 30 s polls)
    reads: RateLimit | None = None  # reads count against a limit too (Yammer)
    # For the note printed before a long job, in English and marked with N_ by the connector so
    # that `describe()` translates them when shown: `described` may name each limit's rate as
    # {messages}, {invitations}, {room_creations} (a minute) or {…_every} (seconds between two).
    described: str = N_("the network's rate limits")
    fast_path: str | None = None  # how the limits can be lifted or avoided, when they can

    def describe(self, num: Callable[[float], str] = str, translate: Callable[[str], str] | None = None) -> str:
        """`described` in the run's language (or through `translate`), its rates formatted by
        `num` (L10n.num: '0,2')."""
        from rse_cli.i18n import _

        rates: dict[str, str] = {}
        for name in ("messages", "invitations", "room_creations"):
            limit: RateLimit | None = getattr(self, name)
            if limit is not None:
                rates[name] = num(round(limit.per_second * 60, 1))
                rates[f"{name}_every"] = num(round(1 / limit.per_second, 1))
        return (translate or _)(self.described).format(**rates)

    def describe_fast_path(self) -> str | None:
        from rse_cli.i18n import _

        return _(self.fast_path) if self.fast_path else None

    def seconds(self, *, invitations: int, messages: int, room_creations: int, communities: int = 0) -> float:
        """The least time these writes take at these limits (the buckets drain in parallel)."""
        parts = [communities * self.community_creation_seconds]
        if self.invitations_share_messages and self.messages is not None:
            parts.append(self.messages.seconds(invitations + messages))
        else:
            if self.messages is not None:
                parts.append(self.messages.seconds(messages))
            if self.invitations is not None:
                parts.append(self.invitations.seconds(invitations))
        if self.room_creations is not None:
            parts.append(self.room_creations.seconds(room_creations))
        return max(parts)


class Capabilities(BaseModel):
    """What a network can do, declared by its connector. Services read this, never the name."""

    model_config = ConfigDict(frozen=True)
    structure: Structure
    membership: Membership
    force_join: bool = False  # an admin account can make people members without an invitation
    direct_messages: bool = True  # private messages exist (a tenant may still disable them: see Network.dm_available)
    roles: frozenset[Role] = frozenset({Role.animator, Role.moderator})  # roles the network can express
    server_idempotency: bool = False  # the server deduplicates a repeated client transaction id
    threads: bool = False
    reactions: bool = False
    reaction_keys: bool = True  # any key round-trips (False: one kind, a like, read back as 👍: Viva Engage)
    pictures: bool = False
    topics: bool = True
    unique_names: bool = False  # a second community with a taken name is refused (ConflictError), not created
    identifiers: tuple[Literal["id", "email", "name"], ...] = ("id", "email", "name")
    changes_since: bool = False  # the network tells which feeds changed since a token (Network.changed_since)
    dated_memberships: bool = True  # joins and leaves come as dated events (otherwise: approximate join dates)
    login: Literal["password", "device_code"] = "password"
    homeserver_setting: bool = True  # reached at the profile's `homeserver` URL (False: its table says where)
    rate_limits: RateModel = RateModel()


# -- what a user types and what a reader sees, without a connection -------------------------


@runtime_checkable
class Addressing(Protocol):
    """The network's syntax of ids, references and links, usable offline (reports from the store)."""

    def community_key(self, ref: str) -> str:
        """What a user typed for a community (alias with or without its sigil and server, id, name),
        reduced to the key rse compares with stored ids, aliases and names (casefolded)."""

    def community_keys(self, community_id: str, name: str, alias: str | None) -> set[str]:
        """Every key a stored community answers to (see community_key)."""

    def alias_ref(self, alias: str) -> str:
        """The reference `get_community` finds a community by, from the bare alias rse created it with."""

    def bare_alias(self, alias: str) -> str:
        """The bare alias rse creates a community with, from the alias a manifest gives, written
        bare or in the network's own syntax (Matrix: `#ventes:server` -> `ventes`). Returned
        unchanged when the network has no such syntax; rse then checks the result is bare."""

    def person_problem(self, ref: str) -> str | None:
        """Why `ref` cannot name a person on this network (None when it can: an id, an e-mail, a name)."""

    def is_person_id(self, ref: str) -> bool:
        """Whether `ref` is a well-formed person id of this network."""

    def short_name(self, person_id: str) -> str:
        """A readable fallback for a person with no display name."""

    def picture_problem(self, ref: str) -> str | None:
        """Why `ref` is not a picture reference already on the network (None when it is one)."""

    def is_picture_ref(self, ref: str) -> bool:
        """Whether `ref` looks like a picture reference of this network rather than a file path."""

    def link(self, target: str, event_id: str | None = None) -> str:
        """A link a client opens: to a person, a community or room, or a message in it."""


# -- the connection --------------------------------------------------------------------------


@runtime_checkable
class Network(Protocol):
    """Everything rse needs from an internal social network, once connected."""

    name: str
    capabilities: Capabilities
    addressing: Addressing
    concurrency: int  # how many requests rse may have in flight

    # identity
    def whoami(self) -> Whoami: ...
    def resolve_person(self, ref: str) -> Person:
        """Find one person by network id, e-mail or exact display name (NotFound/Ambiguous)."""

    def find_people(self, refs: Sequence[str]) -> dict[str, Person]:
        """The people among `refs` found at once, by the ref given, where the network can do that
        in fewer round trips than looking each up; {} where it cannot. A ref left out is looked
        up with resolve_person (which says why it names nobody): this only saves round trips."""

    def rate_limited(self) -> bool:
        """Whether the server has answered 429 during this run (bulk jobs slow down then)."""

    def ratelimit_exempt(self) -> bool | None:
        """Whether this account's rate limits are lifted (None: cannot tell)."""

    # communities
    def list_communities(self) -> list[Community]: ...
    def get_community(self, ref: str) -> Community:
        """By id, alias (with or without its sigil) or exact name."""

    def create_community(self, name: str, *, alias: str | None, topic: str | None) -> Community: ...
    def add_room(self, community: Community, name: str, *, topic: str | None = None) -> Room: ...
    def find_room(self, community: Community, ref: str) -> Room: ...
    def set_topic(self, community: Community, topic: str) -> bool:
        """Set the community's description; False when it already is this text."""

    def has_picture(self, community: Community, picture: Picture) -> bool:
        """Whether the community's picture already is this one (a file: the one rse set from it)."""

    def set_picture(self, community: Community, picture: Picture) -> bool:
        """Set the community's picture, uploading the file first; False when it already is this one."""

    # people in communities
    def list_members(self, community: Community) -> list[Member]: ...
    def invite(self, community: Community, person: str, *, checked: bool = False) -> bool:
        """Invite to the community (or add, where membership is direct); False when already done.
        `checked`: the caller has just read the member list and found the person absent."""

    def force_join(self, community: Community, person: str) -> bool:
        """Make the person a member without an invitation (capabilities.force_join)."""

    def set_role(self, community: Community, person: str, role: Role) -> bool:
        """Give the role in the community and all its rooms; False when nothing changed."""

    # writing
    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        """Send once per txn_id where the server deduplicates (capabilities.server_idempotency)."""

    def direct_room(self, person: str) -> str:
        """The existing direct conversation with the person, or a new one, as clients see it."""

    def find_sent(self, room_id: str, message: Message, since_ms: int) -> Sent | None:
        """The message this account already sent there since then (a run that died between the
        send and its record looks before sending again, where the server does not deduplicate)."""

    # diagnosis
    def diagnose(self) -> list[tuple[str, bool | None, str, str | None]]:
        """Checks for `rse doctor` beyond whoami: (name, ok (None: a warning), detail, fix), e.g. the
        server's version and the account's rights on it."""

    # reading
    def changed_since(self, token: str | None) -> tuple[set[str] | None, str | None]:
        """Which rooms or feeds received anything since `token` (from the previous call), and the
        token to store for next time. `None` for the set means "cannot tell: read them all"
        (always so when not capabilities.changes_since, and on the first call)."""

    def iter_events(self, room_id: str, since: str | None = None, *, page_size: int = 1000) -> Iterator[EventPage]:
        """Pages of events oldest first, each with the checkpoint to resume after it."""

    def bulk_events(self, checkpoint: str | None, now: datetime) -> Iterator[EventPage] | None:
        """Every community's events network-wide through a bulk channel (Viva Engage's Data Export
        API for verified admins), pages oldest first from `checkpoint` (the previous page's) up to
        `now`. None: not offered by this network or not allowed for this account (read the rooms)."""

    def link(self, room_id: str, event_id: str | None = None) -> str: ...
    def close(self) -> None: ...


class Session(BaseModel):
    """A successful sign-in: the token to store (never printed) and what the connector wants kept
    in its `[profiles.NAME.<network>]` table for the next sign-in (Matrix: the device id).

    `token` is None when the connector keeps the credential itself (Viva Engage: msal's token
    cache, refreshed silently); `saved_in` then says where, for the user."""

    user_id: str  # the person id rse acts as (the profile's `user`), in the network's syntax
    token: str | None = Field(None, repr=False)
    device_id: str | None = None
    settings: dict[str, Any] = {}
    saved_in: str | None = None
    account: str | None = None  # how the sign-in names the account, when not user_id (Engage: the e-mail)


class SignInStatus(BaseModel):
    """What `rse auth status` shows beyond whoami for a network that keeps its own sign-in."""

    account: str | None = None  # the account signed in, as its identity provider names it (a UPN)
    tenant: str | None = None  # the organisation signed in to, where the network has several
    scopes: dict[str, str] = {}  # permissions granted, per API ("graph": "Community.ReadWrite.All …")
    expires_at: datetime | None = None  # when the cached sign-in lapses if unused (an estimate)
    saved_in: str | None = None  # where the connector keeps it


@runtime_checkable
class CachedSignIn(Protocol):
    """A network whose connector keeps the sign-in itself (Session.token is None): `rse auth status`
    reads it and `rse auth logout` clears it through these."""

    def sign_in_status(self) -> SignInStatus: ...

    def logout(self) -> str:
        """Forget the cached sign-in (refresh tokens included); where it was kept."""


@runtime_checkable
class PasswordLogin(Protocol):
    """A network whose capabilities.login is "password"."""

    def login(self, user: str, password: str) -> Session:
        """Sign in as `user` (in any form the connector accepts: Matrix takes `name` or `@name:server`)."""


@runtime_checkable
class DeviceCodeLogin(Protocol):
    """A network whose capabilities.login is "device_code" (Viva Engage through msal)."""

    def login_device_code(self, show: Callable[[str], None]) -> Session:
        """Start a device-code sign-in, call `show` with the instruction for the user (the code and
        the address to open), wait for it to complete."""


@runtime_checkable
class Connector(Protocol):
    """What an `rse.networks` entry point loads: builds the connection and the offline pieces."""

    name: str
    description: str  # one line in English, marked N_(): shown through `_()` (a plugin's own text passes through)
    capabilities: Capabilities
    settings_model: type[SettingsModel] | None  # the `[profiles.NAME.<name>]` table, if any

    def addressing(self, settings: Settings) -> Addressing: ...
    def connect(self, settings: Settings, *, token: str | None = None, transport: Any = None) -> Network: ...


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available() -> dict[str, str]:
    """Installed connectors: name -> one-line description."""
    out = {name: plugin.description for name, plugin in _loaded.items()}
    for name, ep in _entry_points().items():
        if name in out:
            continue
        try:
            out[name] = ep.load().description
        except Exception as exc:  # a broken third-party plugin must not hide the others
            out[name] = f"(cannot load: {type(exc).__name__})"
    return dict(sorted(out.items()))


_loaded: dict[str, Connector] = {}


def register(name: str, plugin: Connector) -> None:
    """Make a connector available in this process without an installed entry point (tests, and
    embedding rse in another program). An installed entry point of the same name is shadowed."""
    _loaded[name] = plugin


def installed() -> list[str]:
    """Names of the connectors rse can use: installed entry points and in-process registrations."""
    return sorted({*_entry_points(), *_loaded})


def connector(name: str, settings: Settings | None = None) -> Connector:
    """The installed connector registered under `name` (`settings`: say where the name came from)."""
    if name not in _loaded:
        eps = _entry_points()
        if name not in eps:
            known = ", ".join(installed()) or "none"
            where = f"{settings.source}: [profiles.{settings.profile}] network = {name!r}: " if settings else ""
            raise UsageError(
                f"{where}no network connector named {name!r} is installed (installed: {known})",
                hint="set `network` to one of those (`rse config set network NAME`), or install the connector's package",
            )
        _loaded[name] = eps[name].load()
    return _loaded[name]


def _active(settings: Settings) -> Connector:
    """The settings' connector, once their connector tables are checked: a table named after no
    installed connector is a typo, never silently ignored."""
    plugin = connector(settings.network, settings)
    strays = sorted(set(settings.connectors) - {settings.network} - set(installed()))
    if strays:
        tables = ", ".join(f"[profiles.{settings.profile}.{t}]" for t in strays)
        raise ConfigError(
            f"{settings.source}: {tables}: no installed connector has this name "
            f"(installed: {', '.join(installed())}; rse's own table: audit)",
            hint=f"settings of the {settings.network} connector go in [profiles.{settings.profile}.{settings.network}]",
        )
    if plugin.settings_model is None and settings.table():
        raise ConfigError(
            f"{settings.source}: [profiles.{settings.profile}.{settings.network}]: "
            f"the {settings.network} connector has no settings of its own",
            hint="remove the table",
        )
    return plugin


def table_settings(settings: Settings, name: str, model: type[M]) -> M:
    """The `[profiles.NAME.<name>]` table validated by a connector's model; errors name the file,
    the table and the key, as rse's own settings do."""
    from rse_cli.config import describe_error

    try:
        return model.model_validate(settings.table(name))
    except ValidationError as exc:
        table = f"profiles.{settings.profile}.{name}"
        lines = [describe_error(e, settings.source, table, list(model.model_fields)) for e in exc.errors()]
        # `rse config init --network NAME --KEY VALUE` writes the table: name the flags a key needs
        missing = [f"--{str(e['loc'][0]).replace('_', '-')} VALUE" for e in exc.errors() if e["type"] == "missing" and e["loc"]]
        hint = f"rse config init --network {name} {' '.join(missing)}" if missing else None
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines), hint=hint) from None


def check_settings(settings: Settings) -> dict[str, Any] | None:
    """Refuse settings the configured connector cannot use (before they are written, or used);
    the connector's table comes back normalised (numbers as numbers)."""
    plugin = _active(settings)
    table = None
    if plugin.settings_model is not None:
        table = table_settings(settings, settings.network, plugin.settings_model).model_dump(mode="json")
    plugin.addressing(settings)  # the connector checks what it reads from rse's own keys (e.g. `user`)
    return table


def connect(settings: Settings, *, token: str | None = None, transport: Any = None) -> Network:
    """Build the connection the settings ask for."""
    return _active(settings).connect(settings, token=token, transport=transport)


def addressing(settings: Settings) -> Addressing:
    """The configured network's syntax of ids and links, without connecting."""
    return _active(settings).addressing(settings)


def capabilities(settings: Settings) -> Capabilities:
    return connector(settings.network, settings).capabilities


def link_builder(settings: Settings) -> Callable[[str, str | None], str]:
    """Links in the configured network's format from ids alone (reports built from the store)."""
    return addressing(settings).link
