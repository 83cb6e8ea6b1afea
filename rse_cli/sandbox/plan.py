"""The data a seed plan is made of: communities, rooms, planned events and the planted facts.

Plain frozen dataclasses, no I/O. Every planned event has a stable `key` (unique in the
plan): the seeder writes it into the event's content (`rse.seed`) so that a re-run, or a
run resumed after a kill, recognises what the server already holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from rse_cli.sandbox.people import Person

SEED_KEY = "rse.seed"  # content field carrying the planned event's key


@dataclass(frozen=True)
class RoomPlan:
    key: str  # "ventes-ouest/general"
    name: str  # "Général"
    topic: str


@dataclass(frozen=True)
class CommunityPlan:
    key: str  # the alias' localpart: "ventes-ouest" -> #ventes-ouest:rse.test
    name: str
    kind: str  # business, practice, watch, club, newcomers
    topic: str
    creator: str  # user id: the community's founder (moderator); the champion creates the Space and rooms
    animators: tuple[str, ...] = ()  # power level 50
    moderators: tuple[str, ...] = ()  # power level 75 (the champion is added by the seeder)
    rooms: tuple[RoomPlan, ...] = ()

    @property
    def alias(self) -> str:
        return self.key


@dataclass(frozen=True)
class Membership:
    key: str
    room: str  # a community key (its Space) or a room key
    sender: str  # who sends the event: the inviter, or the joiner
    ts: int  # milliseconds since the epoch
    target: str
    membership: str  # "invite" or "join"


@dataclass(frozen=True)
class Message:
    key: str
    room: str
    sender: str
    ts: int
    body: str
    reply_to: str | None = None  # key of the message answered (m.in_reply_to)
    thread_root: str | None = None  # key of the thread's root (rel_type m.thread)
    mentions: tuple[str, ...] = ()

    @property
    def is_root(self) -> bool:
        return self.reply_to is None and self.thread_root is None

    @property
    def is_question(self) -> bool:
        return self.is_root and self.body.rstrip().endswith("?")


@dataclass(frozen=True)
class Reaction:
    key: str
    room: str
    sender: str
    ts: int
    target: str  # key of the message reacted to
    emoji: str


PlannedEvent = Membership | Message | Reaction


@dataclass(frozen=True)
class Question:
    key: str
    community: str
    room: str
    sender: str
    ts: int
    body: str


@dataclass(frozen=True)
class Facts:
    """What the history contains by construction, for tests and demos to check against."""

    healthy: str  # community key
    dormant: str
    dormant_last_post: int  # ms
    silent_animator_community: str
    silent_animator: str  # user id
    silent_animator_last_post: int  # ms
    unanswered_questions: tuple[Question, ...]  # no reply from another person, at least 3 days old
    leaders: tuple[str, ...]
    silent_leaders: tuple[str, ...]  # never post nor reply anywhere
    posting_leaders: tuple[str, ...]
    lurkers: dict[str, tuple[str, ...]]  # community -> members who never posted there (champion excluded)
    newcomers: tuple[str, ...]  # joined the newcomers' space in the last 30 days
    not_onboarded: tuple[str, ...]  # arrived in the last days: in the HR export, in no community yet
    pending_invites: tuple[tuple[str, str, int], ...]  # (community, user id, invited at ms)


@dataclass
class Plan:
    seed: int
    days: int
    anchor: datetime  # the history ends just before this instant
    server_name: str
    people: list[Person]
    leaders: list[str]
    champion: str
    communities: list[CommunityPlan]
    timelines: dict[str, list[PlannedEvent]]  # room or community key -> events, oldest first
    facts: Facts
    counts: dict[str, int] = field(default_factory=dict)

    def user_id(self, person: Person | str) -> str:
        local = person if isinstance(person, str) else person.localpart
        return f"@{local}:{self.server_name}"

    def person(self, user_id: str) -> Person:
        local = user_id[1:].split(":", 1)[0]
        return next(p for p in self.people if p.localpart == local)

    def community(self, key: str) -> CommunityPlan:
        return next(c for c in self.communities if c.key == key)

    def events(self) -> list[PlannedEvent]:
        return [e for timeline in self.timelines.values() for e in timeline]
