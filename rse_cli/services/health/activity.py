"""What a community's messages are, read the same way by audits, digests and briefs.

- A **question** is a root message ending with "?" (or with a line ending so), or opening as
  a question in French or English ("Quelqu'un sait…", "Est-ce que…", "Comment…", "Does
  anyone…"), or any root message in a Q&A room. It is **answered** by a reply or a thread
  message from someone else than the asker.
- An **introduction** is a member's first message in the community, a root message that is
  not a question and reads as a greeting or a self-presentation ("Bonjour à tous, je
  rejoins…", "Hello, I just joined…"), posted within `INTRO_DAYS` of joining it: its
  author is a newcomer to welcome, not a topic to discuss (a newcomer's first question stays
  a question, their first tip a tip).
- rse's own posts never appear here: the store leaves out what rse sent (store.health.RSE_SENT).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rse_cli.store import Store
from rse_cli.store import events as ev
from rse_cli.store import health as sql

if TYPE_CHECKING:
    from rse_cli.config import Settings

INTRO_DAYS = 7
DAY_MS = sql.DAY_MS
OPENERS = re.compile(
    r"^(quelqu'?un|quelqu’un|est[- ]ce que|est[- ]ce qu|comment|pourquoi|combien|où|savez[- ]vous|connaissez[- ]vous|"
    r"avez[- ]vous|auriez[- ]vous|y a[- ]t[- ]il|une idée|qui (sait|a|peut|connaît)|"
    r"does anyone|does anybody|has anyone|anyone|anybody|can (someone|anyone|somebody)|could (someone|anyone)|"
    r"how (do|can|does|to|should)|what (is|are|do|does|should)|where (is|are|can|do)|is there|are there|who (knows|has|can))\b",
    re.IGNORECASE,
)


GREETING = re.compile(
    r"\b(bonjour|bonsoir|salut|hello|hi|coucou|je viens d'arriver|je rejoins|je m'appelle|je me présente|nouvelle recrue|"
    r"je suis (?:nouveau|nouvelle)|nouvel arrivant|nouvelle arrivante|nouvelle venue|nouveau venu|mon arrivée|"
    r"ravie? de vous rejoindre|premier jour|just joined|new here|my name is|i'm new|first day|"
    r"pleased to join|happy to join|excited to join)\b",
    re.IGNORECASE,
)


def looks_like_introduction(body: str) -> bool:
    return bool(GREETING.search(body or "")) and not is_question(body)


def is_question(body: str, *, in_qa_room: bool = False) -> bool:
    if in_qa_room:
        return True
    text = (body or "").strip()
    if not text:
        return False
    words = LINK.sub("", text).strip()  # a link's own "?" (a query string) asks nothing
    if any(line.rstrip().endswith(("?", "？")) for line in words.splitlines()):
        return True
    if words != text:
        return False  # "Comment les PME utilisent l'IA — https://…": an article shared by its title, not a question
    return bool(OPENERS.match(text.lstrip("*_> ")))


LINK = re.compile(r"https?://\S+", re.IGNORECASE)


def ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def qa_room_ids(community: ev.SyncedCommunity, settings: Settings) -> set[str]:
    """Rooms marked as Q&A in `qa_rooms` (by id or name): every root message there is a question."""
    wanted = {q.casefold() for q in settings.qa_rooms}
    return {rid for rid, name in community.room_names.items() if rid.casefold() in wanted or name.casefold() in wanted}


def join_times(
    store: Store, community: ev.SyncedCommunity, *, dated: bool = True, firsts: dict[str, tuple[int, str, str, str]] | None = None
) -> dict[str, dict[str, int]]:
    """Per person: first join (and latest invite) in the community.

    On a network without dated joins (`dated=False`: capabilities.dated_memberships), a member's
    arrival is dated by their first message there: an approximation that misses silent members
    (services/health/notes.py says so in every report built on it)."""
    joins = sql.membership_times(store, community.id)
    if not dated:
        firsts = firsts if firsts is not None else sql.first_messages(store, list(community.room_ids))
        for sender, (ts, *_rest) in firsts.items():
            joins[sender].setdefault("joined", ts)
    return joins


def introductions(
    store: Store,
    community: ev.SyncedCommunity,
    joins: dict[str, dict[str, int]] | None = None,
    firsts: dict[str, tuple[int, str, str, str]] | None = None,
) -> set[str]:
    """Event ids of the community's introductions (first message within INTRO_DAYS of joining)."""
    joins = joins if joins is not None else sql.membership_times(store, community.id)
    firsts = firsts if firsts is not None else sql.first_messages(store, list(community.room_ids))
    out = set()
    for sender, (ts, event_id, kind, body) in firsts.items():
        joined = joins.get(sender, {}).get("joined")
        if kind == "post" and joined is not None and 0 <= ts - joined <= INTRO_DAYS * DAY_MS and looks_like_introduction(body):
            out.add(event_id)
    return out


def roots(
    store: Store, community: ev.SyncedCommunity, settings: Settings, start: int, end: int, intros: set[str] | None = None
) -> list[dict[str, Any]]:
    """The window's root messages by members, each flagged `question` and `introduction`."""
    qa = qa_room_ids(community, settings)
    intros = introductions(store, community) if intros is None else intros
    out = sql.root_messages(store, list(community.room_ids), start, end)
    for p in out:
        p["introduction"] = p["id"] in intros
        p["question"] = not p["introduction"] and is_question(p["body"], in_qa_room=p["room_id"] in qa)
    return out


def newcomers(
    store: Store,
    community: ev.SyncedCommunity,
    start: int,
    end: int,
    *,
    exclude: set[str],
    joins: dict[str, dict[str, int]] | None = None,
) -> list[tuple[str, int]]:
    """(person, joined at) of the current members whose first join to the community is in [start, end)."""
    joins = joins if joins is not None else sql.membership_times(store, community.id)
    current = {m.id for m in ev.members(store, community.id) if m.membership == "join"} - exclude
    found = [(u, e["joined"]) for u, e in joins.items() if u in current and start <= e.get("joined", -1) < end]
    return sorted(found, key=lambda x: x[1])
