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

from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from rse_cli.domain import Community, EventPage, Member, Message, Person, Picture, Role, Room, Sent, Whoami
from rse_cli.errors import UsageError

if TYPE_CHECKING:
    from pydantic import BaseModel as SettingsModel

    from rse_cli.config import Settings

__all__ = [
    "Addressing",
    "Capabilities",
    "Connector",
    "Membership",
    "Message",
    "Network",
    "RateLimit",
    "RateModel",
    "Structure",
    "addressing",
    "available",
    "capabilities",
    "connect",
    "connector",
    "register",
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
    pictures: bool = False
    topics: bool = True
    identifiers: tuple[Literal["id", "email", "name"], ...] = ("id", "email", "name")
    changes_since: bool = False  # the network tells which feeds changed since a token (Network.changed_since)
    dated_memberships: bool = True  # joins and leaves come as dated events (otherwise: approximate join dates)
    login: Literal["password", "device_code"] = "password"
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
    def link(self, room_id: str, event_id: str | None = None) -> str: ...
    def close(self) -> None: ...


@runtime_checkable
class Connector(Protocol):
    """What an `rse.networks` entry point loads: builds the connection and the offline pieces."""

    name: str
    description: str
    capabilities: Capabilities
    settings_model: type[SettingsModel] | None  # the `[profiles.NAME.<name>]` table, if any

    def addressing(self, settings: Settings) -> Addressing: ...
    def connect(self, settings: Settings, *, token: str | None = None, transport: Any = None) -> Network: ...


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available() -> dict[str, str]:
    """Installed connectors: name -> one-line description."""
    out = {}
    for name, ep in sorted(_entry_points().items()):
        try:
            out[name] = ep.load().description
        except Exception as exc:  # a broken third-party plugin must not hide the others
            out[name] = f"(cannot load: {type(exc).__name__})"
    return out


_loaded: dict[str, Connector] = {}


def register(name: str, plugin: Connector) -> None:
    """Make a connector available in this process without an installed entry point (tests, and
    embedding rse in another program). An installed entry point of the same name is shadowed."""
    _loaded[name] = plugin


def connector(name: str) -> Connector:
    """The installed connector registered under `name`."""
    if name not in _loaded:
        eps = _entry_points()
        if name not in eps:
            known = ", ".join(sorted(eps)) or "none"
            raise UsageError(f"no network connector named {name!r} is installed (installed: {known})",
                             hint="check `network` in the config, or install the connector's package")
        _loaded[name] = eps[name].load()
    return _loaded[name]


def connect(settings: Settings, *, token: str | None = None, transport: Any = None) -> Network:
    """Build the connection the settings ask for."""
    return connector(settings.network).connect(settings, token=token, transport=transport)


def addressing(settings: Settings) -> Addressing:
    """The configured network's syntax of ids and links, without connecting."""
    return connector(settings.network).addressing(settings)


def capabilities(settings: Settings) -> Capabilities:
    return connector(settings.network).capabilities


def link_builder(settings: Settings) -> Callable[[str, str | None], str]:
    """Links in the configured network's format from ids alone (reports built from the store)."""
    return addressing(settings).link
