"""Models shared by every layer. Connectors map their network's objects onto these.

Field names are part of rse's `--json` contract: add fields freely, never rename one.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rse_cli.roles import Role

__all__ = ["Role"]  # re-exported: services import every model from here


class Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Person(Model):
    id: str = Field(description="network id, e.g. @marc:example.org")
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
    avatar: str | None = Field(None, description="the network's reference to the community's picture (Matrix: mxc://…)")


class Picture(Model):
    """A community picture to set: a reference already on the network (`url`), or an image file's
    bytes to upload, known by their SHA-256 so that a re-run recognises the picture it set."""

    source: str = Field(description="what the manifest said: the mxc:// URL or the file's path")
    url: str | None = None
    data: bytes | None = Field(None, exclude=True, repr=False)
    mimetype: str | None = None
    sha256: str | None = None


class Member(Model):
    id: str
    display_name: str | None = None
    membership: Literal["join", "invite", "leave", "ban", "knock"]
    role: Role = Role.member
    power: int = 0


class Whoami(Model):
    user_id: str
    device_id: str | None = None
    homeserver: str
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
    reply = "reply"  # a reply (m.in_reply_to) to a message
    thread = "thread"  # a message in a thread (rel_type m.thread)
    reaction = "reaction"
    membership = "membership"
    other = "other"


class Event(Model):
    """One event of a room, as rse understands it."""

    id: str
    room_id: str
    sender: str
    ts: datetime
    kind: EventKind
    body: str | None = None
    parent_id: str | None = Field(None, description="replied-to event, or the reacted-to event")
    thread_root: str | None = None
    key: str | None = Field(None, description="reaction key (emoji)")
    membership: str | None = None
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
