"""The Network protocol: what every connector provides to the services.

Services only ever see this protocol and the domain models. A new network (Mattermost,
Discourse, Viva Engage) is one new module implementing it, registered in `connect()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rse_cli.domain import Community, EventPage, Member, Person, Picture, Role, Room, Sent, Whoami

if TYPE_CHECKING:
    from rse_cli.config import Settings


class Message:
    """A post ready to send: plain text, sanitised HTML and who it deliberately mentions."""

    __slots__ = ("text", "html", "mentions")

    def __init__(self, text: str, html: str | None = None, mentions: tuple[str, ...] = ()) -> None:
        self.text = text
        self.html = html
        self.mentions = mentions


@runtime_checkable
class Network(Protocol):
    """Everything rse needs from an internal social network."""

    name: str

    # identity
    def login(self, user: str, password: str, device_id: str | None = None) -> tuple[str, str, str]:
        """Password login; returns (token, device_id, user_id). Reuses device_id when given."""
    def whoami(self) -> Whoami: ...
    def resolve_person(self, ref: str) -> Person:
        """Find one person by network id, e-mail or exact display name (NotFound/Ambiguous)."""

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
        """Invite to the community; False when already invited or joined (a re-run is a no-op).
        `checked`: the caller has just read the member list and found the person absent, so the
        connector may skip its own membership check (one request less per person in bulk)."""
    def force_join(self, community: Community, person: str) -> bool:
        """Make the person a member without an invitation (needs admin rights)."""
    def set_role(self, community: Community, person: str, role: Role) -> bool:
        """Give the role in the community and all its rooms; False when nothing changed."""

    # writing
    def send(self, room_id: str, message: Message, txn_id: str) -> Sent:
        """Send idempotently: the same txn_id on the same device never posts twice."""
    def direct_room(self, person: str) -> str:
        """The existing direct conversation with the person, or a new one, as clients see it."""

    # reading
    def iter_events(self, room_id: str, since: str | None = None, *, page_size: int = 1000) -> Iterator[EventPage]:
        """Pages of events oldest first, each with the checkpoint to resume after it."""
    def link(self, room_id: str, event_id: str | None = None) -> str: ...
    def close(self) -> None: ...


def connect(settings: Settings, *, token: str | None = None, transport=None) -> Network:
    """Build the connector the settings ask for."""
    if settings.network == "matrix":
        from rse_cli.network.matrix import MatrixNetwork

        return MatrixNetwork.from_settings(settings, token=token, transport=transport)
    raise ValueError(f"unknown network {settings.network!r}")  # pragma: no cover - Literal-guarded


def link_builder(settings: Settings) -> Callable[[str, str | None], str]:
    """Links in the configured network's format from ids alone (no connection): for reports
    built from the store. `build(room_or_person_id, event_id=None)`."""
    if settings.network == "matrix":
        from rse_cli.network.matrix import matrix_link

        server = settings.user.split(":", 1)[1] if settings.user else None
        return lambda target, event_id=None: matrix_link(settings.client_url, server, target, event_id)
    raise ValueError(f"unknown network {settings.network!r}")  # pragma: no cover - Literal-guarded
