"""Animations: the community's rituals (Monday question, Friday kudos, AMA, watch roundup),
scheduled in the store and published by `rse animate run` from cron, exactly once.

Each occurrence of an animation is a UTC instant with a key `animate:PROFILE:NAME:ISO`.
A run claims the key (store.claim: one winner across processes and hosts), renders the post
once and keeps the text, sends it with send_once (transaction id derived from the kept text,
so a retry after a crash or a lost answer reuses it) and finishes the claim. An occurrence
found later than the grace period is recorded as skipped, never posted late; a failed post
is retried by the next run while still within the grace period.

A run with nothing due does one cheap read per animation and touches no network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from rse_cli.domain import Event, EventKind
from rse_cli.errors import ConflictError, InputError, NotFoundError, RseError, UsageError
from rse_cli.i18n import _
from rse_cli.names import excerpt
from rse_cli.services.messages import MESSAGE_KINDS
from rse_cli.services.rooms import check_room_option, where_to_write
from rse_cli.services.schedule import Schedule
from rse_cli.store import Store
from rse_cli.store import animations as saved
from rse_cli.store import events as ev

__all__ = [
    "Animation",
    "AnimationInfo",
    "Occurrence",
    "Preview",
    "RunResult",
    "add",
    "all_animations",
    "calendar",
    "close_names",
    "due",
    "get",
    "human_duration",
    "info",
    "list_info",
    "parse_vars",
    "preview",
    "read_bank",
    "remove",
    "render",
    "run",
    "set_paused",
    "top_posts",
    "upcoming_questions",
]

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing, Capabilities, Network
    from rse_cli.templating import Templates

Link = Callable[[str, str | None], str]  # (room id, event id) -> a link a reader opens

LOOKBACK = timedelta(days=31)  # how far back a run looks for occurrences to post or to record as missed
MAX_LOOKBACK_OCCURRENCES = 200


class AnimationInfo(BaseModel):
    name: str
    community: str
    room: str | None
    schedule: str
    tz: str
    template: str
    paused: bool
    next_at: datetime | None
    bank_size: int
    bank_left: int


class Occurrence(BaseModel):
    at: datetime  # local time of the animation's zone, with its offset
    name: str
    community: str
    room: str | None
    template: str
    question: str | None = None


class RunResult(BaseModel):
    name: str
    occurrence: datetime
    state: str  # posted | already-posted | skipped | failed | busy
    event_id: str | None = None
    detail: str | None = None


class Preview(BaseModel):
    name: str
    at: datetime | None
    community: str
    room: str | None
    question: str | None
    text: str


@dataclass(frozen=True)
class Animation(saved.Stored):
    """A stored animation with its schedule parsed."""

    @cached_property
    def schedule(self) -> Schedule:
        return Schedule(self.kind, self.expr, self.tz)

    @classmethod
    def from_stored(cls, r: saved.Stored) -> Animation:
        return cls(**{f.name: getattr(r, f.name) for f in fields(r)})

    def key(self, profile: str, occurrence: datetime) -> str:
        return f"animate:{profile}:{self.name}:{occurrence.astimezone(UTC).isoformat()}"


def read_bank(path: Path) -> list[str]:
    """One question per line; blank lines and lines starting with # are ignored."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(
            _("--bank {path}: no such file").format(path=path), hint=_("--bank takes a text file, one question per line")
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            _("--bank {path}: not UTF-8 text (byte {byte})").format(path=path, byte=exc.start),
            hint=_("save the question bank as UTF-8 text"),
        ) from None
    bank = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not bank:
        raise InputError(_("{path}: no question in the bank (one question per line)").format(path=path))
    dup = sorted({q for q in bank if bank.count(q) > 1})
    if dup:
        raise InputError(_('--bank {path}: question listed twice: "{question}"').format(path=path, question=dup[0]))
    return bank


def parse_vars(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isidentifier():
            raise UsageError(_('--var {item}: expected NAME=VALUE, e.g. guest="Marie Durand"').format(item=item))
        out[key.strip()] = value
    return out


# -- definitions -------------------------------------------------------------------------
def add(
    store: Store,
    *,
    name: str,
    community: str,
    room: str | None,
    schedule: Schedule,
    template: str,
    lang: str | None = None,
    bank: list[str] | None = None,
    variables: dict[str, str] | None = None,
    now: datetime,
    templates: Templates | None = None,
    capabilities: Capabilities | None = None,
) -> AnimationInfo:
    """Schedule an animation. `capabilities` (the configured network's, known offline) refuses a
    room on a network whose communities are one feed."""
    if not name or any(c in name for c in " /:"):
        raise UsageError(_("animation name {name}: use letters, digits and dashes, e.g. weekly-question").format(name=name))
    if capabilities is not None:
        check_room_option(capabilities, room)
    if templates is not None:  # reliability: a template that cannot render is refused now, not at 9:00 on Monday
        sample = Animation(
            name,
            community,
            room,
            schedule.kind,
            schedule.expr,
            schedule.tz,
            template,
            lang,
            bank or [],
            variables or {},
            False,
            now,
        )
        precheck(templates, sample, now)
    if not saved.add_definition(
        store,
        name=name,
        community=community,
        room=room,
        kind=schedule.kind,
        expr=schedule.expr,
        tz=schedule.tz,
        template=template,
        lang=lang,
        bank=bank or [],
        variables=variables or {},
        active_since=now,
    ):
        raise ConflictError(
            _("an animation named {name} already exists").format(name=name),
            hint=_("`rse animate remove {name}`, then add it again").format(name=name),
        )
    return info(store, get(store, name), now)


def all_animations(store: Store) -> list[Animation]:
    return [Animation.from_stored(r) for r in saved.definitions(store)]


def get(store: Store, name: str) -> Animation:
    row = saved.definition(store, name)
    if row is None:
        known = [a.name for a in all_animations(store)]
        near = close_names(name, known)
        if near:
            hint = _("did you mean {names}? (`rse animate list` shows them all)").format(names=" / ".join(near))
        elif known:
            hint = _("known animations: {names}").format(names=", ".join(known))
        else:
            hint = _("none is scheduled yet: `rse animate add`")
        raise NotFoundError(_("no animation named {name}").format(name=name), hint=hint)
    return Animation.from_stored(row)


def close_names(name: str, known: list[str]) -> list[str]:
    """The known names close to a mistyped one (a typo, a missing dash, another case)."""
    import difflib

    by_fold = {k.casefold(): k for k in known}
    return [by_fold[m] for m in difflib.get_close_matches(name.casefold(), list(by_fold), n=3, cutoff=0.6)]


def set_paused(store: Store, name: str, paused: bool, now: datetime) -> AnimationInfo:
    anim = get(store, name)
    if paused:
        saved.pause(store, name)
    elif anim.paused:
        saved.resume(store, name, active_since=now)  # what fell while paused was not missed: it was not wanted
    return info(store, get(store, name), now)


def remove(store: Store, name: str) -> None:
    get(store, name)
    saved.forget(store, name)


# -- question bank -----------------------------------------------------------------------
def _used_this_round(bank: list[str], asked: list[str]) -> set[str]:
    used: set[str] = set()
    for q in asked:
        if q in bank:
            used.add(q)
            if used >= set(bank):
                used = set()  # exhausted: a new round starts
    return used


def upcoming_questions(bank: list[str], asked: list[str], n: int) -> list[str]:
    """The next `n` questions: the bank's order, never repeating one until all were asked."""
    out: list[str] = []
    history = list(asked)
    for _i in range(n):
        used = _used_this_round(bank, history)
        nxt = next(q for q in bank if q not in used)
        out.append(nxt)
        history.append(nxt)
    return out


def info(store: Store, anim: Animation, now: datetime) -> AnimationInfo:
    left = len(anim.bank) - len(_used_this_round(anim.bank, saved.questions_asked(store, anim.name))) if anim.bank else 0
    nxt = None if anim.paused else anim.schedule.next_after(now)
    return AnimationInfo(
        name=anim.name,
        community=anim.community,
        room=anim.room,
        schedule=anim.schedule.describe(),
        tz=anim.schedule.tz,
        template=anim.template,
        paused=anim.paused,
        next_at=nxt.astimezone(anim.schedule.zone) if nxt else None,
        bank_size=len(anim.bank),
        bank_left=left,
    )


def list_info(store: Store, now: datetime) -> list[AnimationInfo]:
    return [info(store, a, now) for a in all_animations(store)]


def calendar(
    store: Store, now: datetime, horizon: timedelta, *, communities: set[str] | None = None, addressing: Addressing | None = None
) -> list[Occurrence]:
    """What will be posted where and when between now and now + horizon, in time order.
    `communities`: only animations whose community is one of these keys (`Addressing.community_keys`);
    `addressing` reduces each animation's community reference to its key, and must come with them."""
    if communities is not None and addressing is None:
        raise ValueError("calendar: filtering by communities needs the network's addressing")
    out = []
    for anim in all_animations(store):
        if anim.paused or (
            communities is not None and addressing is not None and addressing.community_key(anim.community) not in communities
        ):
            continue
        times = list(anim.schedule.occurrences(now, now + horizon))
        questions = (
            upcoming_questions(anim.bank, saved.questions_asked(store, anim.name), len(times))
            if anim.bank
            else [None] * len(times)
        )
        out += [
            Occurrence(
                at=t.astimezone(anim.schedule.zone),
                name=anim.name,
                community=anim.community,
                room=anim.room,
                template=anim.template,
                question=q,
            )
            for t, q in zip(times, questions, strict=True)
        ]
    return sorted(out, key=lambda o: (o.at, o.name))


# -- rendering ---------------------------------------------------------------------------
def top_posts(
    store: Store, community_ref: str, since: datetime, until: datetime, link: Link, addressing: Addressing, limit: int = 5
) -> list[dict[str, Any]]:
    """The week's members' posts with the most reactions, from synced events (empty when never
    synced); rse's own posts (its questions, welcomes, digests) are never among them. The network's
    `addressing` says which synced community `community_ref` names and how to name a person
    who has no display name."""
    from rse_cli.store.health import rse_sent_ids

    found = ev.communities(store, [community_ref], addressing=addressing)
    if not found:
        return []
    c = found[0]
    names = {m.id: m.display_name or addressing.short_name(m.id) for m in ev.members(store, c.id)}
    ours = rse_sent_ids(store)
    posts: dict[str, Event] = {}
    reactions: dict[str, int] = {}
    for e in ev.iter_events(store, c.room_ids, since=since, until=until):
        if e.kind in MESSAGE_KINDS and e.body and e.id not in ours:
            posts[e.id] = e
        elif e.kind is EventKind.reaction and e.parent_id:
            reactions[e.parent_id] = reactions.get(e.parent_id, 0) + 1
    ranked = sorted((p for p in posts.values() if reactions.get(p.id)), key=lambda p: (-reactions[p.id], p.ts))[:limit]
    return [
        {
            "author": names.get(p.sender) or addressing.short_name(p.sender),
            "author_id": p.sender,
            "text": excerpt(p.body),
            "reactions": reactions[p.id],
            "room": c.room_names.get(p.room_id, ""),
            "link": link(p.room_id, p.id),
        }
        for p in ranked
    ]


def _render_context(
    anim: Animation, occurrence: datetime, question: str | None, posts: list[dict[str, Any]], lang: str | None
) -> dict[str, Any]:
    from rse_cli.l10n import L10n

    local = occurrence.astimezone(anim.schedule.zone)
    t = L10n(lang)
    return {
        "animation": anim.name,
        "community": anim.community,
        "room": anim.room or "",
        "question": question,
        # one date format per output: the post's date and time as the reader's language writes them
        "when": local,
        "date": t.date(local),
        "time": t.time(local),
        "t": t,
        "top_posts": posts,
        "vars": anim.vars,
        **anim.vars,
    }


def render(
    store: Store,
    templates: Templates,
    anim: Animation,
    occurrence: datetime,
    question: str | None,
    link: Link,
    addressing: Addressing,
) -> str:
    posts = top_posts(store, anim.community, occurrence - timedelta(days=7), occurrence, link, addressing)
    lang = anim.lang or templates.lang
    return templates.render(anim.template, _render_context(anim, occurrence, question, posts, lang), lang=anim.lang)


def precheck(templates: Templates, anim: Animation, now: datetime) -> None:
    """Render the animation with representative values (a question, a top post) or raise InputError."""

    def link(room: str, event: str | None = None) -> str:
        return f"https://example.org/{room}/{event or ''}"

    occurrence = anim.schedule.next_after(now) or now
    sample = [
        {
            "author": "Camille Martin",
            "author_id": "camille",
            "text": "Un message",
            "reactions": 3,
            "room": anim.room or "",
            "link": link("room", "event"),
        }
    ]
    ctx = _render_context(anim, occurrence, anim.bank[0] if anim.bank else "Une question ?", sample, anim.lang or templates.lang)
    templates.precheck([(anim.template, ctx, anim.lang)])


def preview(store: Store, templates: Templates, name: str, now: datetime, link: Link, addressing: Addressing) -> Preview:
    anim = get(store, name)
    nxt = anim.schedule.next_after(now)
    question = upcoming_questions(anim.bank, saved.questions_asked(store, name), 1)[0] if anim.bank else None
    text = render(store, templates, anim, nxt or now, question, link, addressing)
    return Preview(
        name=name,
        at=nxt.astimezone(anim.schedule.zone) if nxt else None,
        community=anim.community,
        room=anim.room,
        question=question,
        text=text,
    )


# -- running -----------------------------------------------------------------------------
def due(store: Store, now: datetime) -> list[tuple[Animation, datetime, str | None]]:
    """(animation, occurrence, state so far) still to post or to record as missed."""
    todo = []
    for anim in all_animations(store):
        if anim.paused:
            continue
        # a one-off counts from its own time (added a minute late, it is still due); a recurring
        # one from when it was added or resumed, so what came before is not "missed"
        start = now - LOOKBACK if anim.schedule.kind == "at" else max(anim.active_since, now - LOOKBACK)
        times = list(anim.schedule.occurrences(start, now + timedelta(microseconds=1)))[-MAX_LOOKBACK_OCCURRENCES:]
        if not times:
            continue
        states = store.claim_states([anim.key(store.profile, t) for t in times])
        for t in times:
            state, lease = states.get(anim.key(store.profile, t), (None, 0.0))
            if state in ("done", "skipped") or (state == "running" and lease > now.timestamp()):
                continue
            todo.append((anim, t, state))
    return todo


def _text_for(
    store: Store, templates: Templates, anim: Animation, occurrence: datetime, link: Link, addressing: Addressing
) -> tuple[str, str | None]:
    """The occurrence's text, rendered once and kept: a retry sends the very same text."""
    kept = saved.kept_text(store, anim.name, occurrence)
    if kept is not None:
        return kept
    question = upcoming_questions(anim.bank, saved.questions_asked(store, anim.name), 1)[0] if anim.bank else None
    text = render(store, templates, anim, occurrence, question, link, addressing)
    saved.keep_text(store, anim.name, occurrence, text, question)
    return text, question


def _skip(store: Store, anim: Animation, occurrence: datetime, why: str) -> None:
    saved.record_skipped(store, anim.name, occurrence, why)
    store.journal("animate", f"{anim.name}@{occurrence.isoformat()}", "skipped", why)


def run(
    store: Store,
    network: Callable[[], Network],
    templates: Callable[[], Templates],
    now: datetime,
    *,
    grace: timedelta,
    link: Callable[[], Link] | None = None,
    only: str | None = None,
) -> list[RunResult]:
    """Publish what is due, exactly once; record what was missed. `network` and `templates`
    are factories, called only when something is to be posted."""
    if only is not None:
        get(store, only)  # an unknown name is an error with its did-you-mean, not a silent "nothing due"
    todo = [x for x in due(store, now) if only is None or x[0].name == only]
    results: list[RunResult] = []
    for anim, occurrence, state in todo:
        key = anim.key(store.profile, occurrence)
        late = now - occurrence
        if late > grace:
            if not store.claim(key):
                continue
            why = (
                _("missed by {late} (grace {grace}): not posted late, after a failed attempt")
                if state == "failed"
                else _("missed by {late} (grace {grace}): not posted late")
            ).format(late=human_duration(late), grace=human_duration(grace))
            store.finish(key, "skipped", why)
            _skip(store, anim, occurrence, why)
            results.append(RunResult(name=anim.name, occurrence=occurrence, state="skipped", detail=why))
            continue
        if not store.claim(key):
            results.append(RunResult(name=anim.name, occurrence=occurrence, state="busy", detail=_("another run is posting it")))
            continue
        results.append(_publish(store, network, templates, anim, occurrence, key, link))
    return results


def _publish(
    store: Store,
    network: Callable[[], Network],
    templates: Callable[[], Templates],
    anim: Animation,
    occurrence: datetime,
    key: str,
    link: Callable[[], Link] | None,
) -> RunResult:
    # markdown rendering and the write path load only when something is posted: cron's
    # nothing-due path (rse_cli/entry.py) imports this module and must stay fast
    from rse_cli.services.posting import build_message
    from rse_cli.services.writes import send_once

    try:
        net = network()
        text, _question = _text_for(store, templates(), anim, occurrence, link() if link else net.link, net.addressing)
        where = where_to_write(
            net,
            net.get_community(anim.community),
            anim.room,
            how=_("`rse animate remove {name}`, then add it again with --room").format(name=anim.name),
        )
        sent = send_once(
            net,
            store,
            action="animate",
            target=f"{anim.name}@{occurrence.isoformat()}",
            room_id=where.room_id,
            message=build_message(text),
        )
    except RseError as exc:
        # reliability: recorded as failed with its reason (even when the text never rendered), claim released
        store.finish(key, "failed", exc.message)
        saved.record_failed(store, anim.name, occurrence, exc.message)
        return RunResult(name=anim.name, occurrence=occurrence, state="failed", detail=exc.message)
    except BaseException:
        store.finish(key, "failed", _("interrupted"))
        raise
    store.finish(key, "done", sent.event_id)
    saved.record_outcome(store, anim.name, occurrence, state="posted", room_id=sent.room_id, event_id=sent.event_id, detail=None)
    return RunResult(
        name=anim.name, occurrence=occurrence, state="posted" if sent.sent else "already-posted", event_id=sent.event_id
    )


def human_duration(d: timedelta) -> str:
    """'90 minutes', '4 hours', '3 days' (in French too): Babel's CLDR units, only on this rare path."""
    from babel.dates import format_timedelta

    from rse_cli.i18n import current
    from rse_cli.l10n import locale_of

    return format_timedelta(d, threshold=2, locale=locale_of(current()))
