"""Models shared by every layer. Connectors map their network's objects onto these.

Field names are part of rse's `--json` contract: add fields freely, never rename one. Ids,
aliases, links and picture references are the network's own, opaque outside its connector.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rse_cli.roles import Role

__all__ = [
    "Community",
    "Event",
    "EventKind",
    "EventPage",
    "JournalEntry",
    "Member",
    "Membership",
    "Message",
    "Person",
    "Picture",
    "Role",
    "Room",
    "Sent",
    "Whoami",
]  # Role is re-exported: services import every model from here


class Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Person(Model):
    id: str = Field(description="the person's id on the network (its connector's syntax)")
    display_name: str | None = None


class Room(Model):
    id: str
    name: str
    topic: str | None = None
    alias: str | None = None
    link: str | None = Field(None, description="a link a client opens")


class Community(Model):
    id: str
    name: str
    alias: str | None = None
    topic: str | None = None
    link: str | None = None
    rooms: list[Room] = []
    member_count: int | None = None
    avatar: str | None = Field(None, description="the network's own reference to the community's picture")


class Picture(Model):
    """A community picture to set: a reference already on the network (`url`), or an image file's
    bytes to upload, known by their SHA-256 so that a re-run recognises the picture it set."""

    source: str = Field(description="what the manifest said: a picture reference on the network, or an image file's path")
    url: str | None = None
    data: bytes | None = Field(None, exclude=True, repr=False)
    mimetype: str | None = None
    sha256: str | None = None


Membership = Literal["join", "invite", "leave", "ban", "knock"]
"""rse's vocabulary for where a person stands in a community, whatever the network calls it:
join = a member; invite = invited, not yet a member; leave = left or removed; ban = barred from
coming back; knock = asked to join. Networks with direct membership only use join and leave."""


class Member(Model):
    id: str
    display_name: str | None = None
    membership: Membership
    role: Role = Role.member
    power: int = Field(
        0, description="the network's own level behind the role, shown in --json (0 where it has none); rse itself reads `role`"
    )


class Whoami(Model):
    user_id: str
    device_id: str | None = None
    homeserver: str = Field(description="the server rse talks to (the field keeps its first name for --json)")
    admin: bool = False
    display_name: str | None = None


class Sent(Model):
    """Result of an idempotent write: `sent` is False when it had been done before."""

    room_id: str
    event_id: str | None = None
    txn_id: str
    sent: bool = True


class EventKind(str, Enum):
    post = "post"  # a root message
    reply = "reply"  # a reply to a message
    thread = "thread"  # a message in a thread (under its thread starter)
    reaction = "reaction"
    membership = "membership"
    other = "other"


class Event(Model):
    """One event of a room or feed, as rse understands it."""

    id: str
    room_id: str
    sender: str
    ts: datetime
    kind: EventKind
    body: str | None = None
    parent_id: str | None = Field(None, description="replied-to event, or the reacted-to event")
    thread_root: str | None = None
    key: str | None = Field(None, description="reaction key (emoji)")
    membership: str | None = Field(None, description="the new membership, in rse's vocabulary (see Membership)")
    target: str | None = Field(None, description="the person whose membership changed")


class EventPage(Model):
    events: list[Event]
    checkpoint: str | None = Field(None, description="resume token for the next read")
    done: bool = True


class Message:
    """A post ready to send: plain text, sanitised HTML and who it deliberately mentions
    (network ids, opaque here)."""

    __slots__ = ("text", "html", "mentions")

    def __init__(self, text: str, html: str | None = None, mentions: tuple[str, ...] = ()) -> None:
        self.text = text
        self.html = html
        self.mentions = mentions

    def __repr__(self) -> str:
        return f"Message({self.text[:40]!r}…)"


class JournalEntry(Model):
    id: int
    at: datetime
    profile: str
    action: str
    target: str
    outcome: str
    detail: str | None = None
