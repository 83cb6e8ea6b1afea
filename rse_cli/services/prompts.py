"""Leader briefs: what is happening in a leader's communities, and angles worth answering in
their own words. rse never writes or posts in a leader's name: it sends them (or their comms
partner) a brief, then measures whether they posted and what it drew.

Everything is read from synced events (`rse sync`), so a brief costs nothing on the server.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from rse_cli.domain import Event, EventKind
from rse_cli.errors import NotFoundError, UsageError
from rse_cli.i18n import _
from rse_cli.names import close_matches, excerpt
from rse_cli.services.health import activity, notes
from rse_cli.services.health.scope import either, label
from rse_cli.store import Store
from rse_cli.store import events as ev
from rse_cli.store import health as health_sql
from rse_cli.store import leaders as sql

if TYPE_CHECKING:
    from rse_cli.network.base import Addressing, Capabilities

Link = Callable[[str, "str | None"], str]
ShortName = Callable[[str], str]
PRONOUNS = {
    "il": "m",
    "he": "m",
    "him": "m",
    "m": "m",
    "elle": "f",
    "she": "f",
    "her": "f",
    "f": "f",
    "iel": "n",
    "they": "n",
    "n": "n",
}
# the rituals' display names, by the template they post with (a ritual is never shown by its slug)
RITUALS = {
    "fr": {
        "weekly-question": "la question de la semaine",
        "kudos-friday": "les kudos du vendredi",
        "ama-announcement": "l'AMA",
        "veille-roundup": "la revue de veille",
    },
    "en": {
        "weekly-question": "the weekly question",
        "kudos-friday": "Friday kudos",
        "ama-announcement": "the AMA",
        "veille-roundup": "the market-watch roundup",
    },
}
MESSAGES = (EventKind.post, EventKind.reply, EventKind.thread)
QUIET_BELOW = 5  # messages by others over the period: below, the brief says the scope is quiet
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Leader(BaseModel):
    id: str
    name: str | None = None
    pronoun: str | None = None  # grammatical gender for briefs: il/elle/iel (he/she/they)
    scopes: list[str] = []
    lang: str | None = None
    via: str | None = None
    stored: bool = True  # False: only listed in the config's `leaders`


class Brief(BaseModel):
    leader: str
    name: str | None
    gender: str = "n"  # m, f or n (neutral wording)
    lang: str
    communities: list[str]
    since: datetime
    until: datetime
    quiet: bool
    activity: int  # messages by others over the period
    leader_messages: int
    waiting_questions: list[dict[str, Any]]
    discussions: list[dict[str, Any]]
    contributors: list[dict[str, Any]]
    newcomers: list[dict[str, Any]]
    upcoming: list[dict[str, Any]]
    angles: list[dict[str, Any]]
    best_time: dict[str, Any] | None
    notes: list[str] = []  # codes of what the network's data cannot tell exactly (health/notes.py)
    text: str = ""


class ReportRow(BaseModel):
    leader: str
    name: str | None
    scopes: list[str] = []
    briefs: int
    last_brief: datetime | None
    posts_after: int  # leader messages within 7 days after a brief
    hours_to_first_post: float | None  # median over briefs followed by a post
    replies: int
    reactions: int


# -- leaders -----------------------------------------------------------------------------
def add_leader(
    store: Store,
    user_id: str,
    *,
    name: str | None,
    scopes: list[str],
    lang: str | None,
    via: str | None,
    addressing: Addressing,
    pronoun: str | None = None,
) -> Leader:
    if not addressing.is_person_id(user_id):
        raise UsageError(_("{ref}: not a person id on this network").format(ref=user_id) + _why(addressing, user_id))
    if via and not addressing.is_person_id(via):
        raise UsageError(_("--via {ref}: not a person id on this network").format(ref=via) + _why(addressing, via))
    if pronoun is not None and pronoun.casefold() not in PRONOUNS:
        raise UsageError(
            _("--pronoun {value}: not a pronoun rse knows").format(value=pronoun),
            hint=_("use il, elle or iel (or he, she, they)"),
        )
    if not scopes:
        raise UsageError(_("give at least one --scope COMMUNITY"))
    sql.upsert_leader(
        store, user_id, name=name, pronoun=pronoun.casefold() if pronoun else None, scopes=scopes, lang=lang, via=via
    )
    return get_leader(store, user_id, [])


def _why(addressing: Addressing, ref: str) -> str:
    problem = addressing.person_problem(ref)
    return f" ({problem})" if problem else ""


def leaders(store: Store, configured: list[str], addressing: Addressing | None = None) -> list[Leader]:
    """Stored leaders, then those only listed in the config's `leaders`. With `addressing`, a
    leader without a recorded name or scope is shown with their synced display name and the
    synced communities they belong to (what their briefs cover)."""
    stored = [Leader(**row) for row in sql.stored_leaders(store)]
    known = {x.id for x in stored}
    every = stored + [Leader(id=x, stored=False) for x in configured if x not in known]
    if addressing is None:
        return every
    names = health_sql.display_names(store, [x.id for x in every if not x.name])
    synced = {c.id: c for c in ev.communities(store, [], addressing=addressing)}
    out = []
    for x in every:
        update: dict[str, Any] = {}
        if not x.name and names.get(x.id):
            update["name"] = names[x.id]
        if not x.scopes:
            update["scopes"] = [
                label(synced[cid], addressing) for cid in sorted(sql.communities_of_member(store, x.id)) if cid in synced
            ]
        out.append(x.model_copy(update=update) if update else x)
    return out


def get_leader(store: Store, ref: str, configured: list[str], short_name: ShortName | None = None) -> Leader:
    everyone = leaders(store, configured)
    for x in everyone:
        if ref == x.id or (short_name and ref == short_name(x.id)) or (x.name and x.name.casefold() == ref.casefold()):
            return x
    near = close_matches(
        ref,
        [x.id for x in everyone]
        + [x.name for x in everyone if x.name]
        + ([short_name(x.id) for x in everyone] if short_name else []),
    )
    if near:
        hint = _("did you mean {leaders}?").format(leaders=either(list(dict.fromkeys(near))))
    else:
        hint = _("add one: rse leaders add PERSON --name … --scope COMMUNITY")
    raise NotFoundError(_("no leader named {ref}").format(ref=ref), hint=hint)


def scope_of(store: Store, leader: Leader, addressing: Addressing) -> list[ev.SyncedCommunity]:
    if leader.scopes:
        found = ev.communities(store, leader.scopes, addressing=addressing)
        if not found:
            every = [label(c, addressing) for c in ev.communities(store, [], addressing=addressing)]
            near = [n for ref in leader.scopes for n in close_matches(addressing.community_key(ref), every)]
            hint = (
                _("did you mean {names}? (fix it with `rse leaders add {leader} --scope …`)").format(
                    names=either(list(dict.fromkeys(near))), leader=leader.id
                )
                if near
                else _("run `rse sync {refs}` first").format(refs=" ".join(leader.scopes))
            )
            raise NotFoundError(_("none of {scopes} is synced").format(scopes=", ".join(leader.scopes)), hint=hint)
        return found
    # a leader only listed in the config: the synced communities they belong to
    mine = sql.communities_of_member(store, leader.id)
    return [c for c in ev.communities(store, [], addressing=addressing) if c.id in mine]


# -- the brief ---------------------------------------------------------------------------
def build_brief(
    store: Store,
    leader: Leader,
    *,
    now: datetime,
    weeks: int = 4,
    me: str | None,
    link: Link,
    lang: str,
    addressing: Addressing,
    capabilities: Capabilities | None = None,
    tz: str = "Europe/Paris",
    qa_rooms: list[str] | tuple[str, ...] = (),
    upcoming: list[dict[str, Any]] | None = None,
) -> Brief:
    """What a leader's communities did over `weeks`, from members only: rse's own posts are never
    a question or a discussion, and introductions make newcomers, never angles. `notes` says what
    the network's data cannot tell exactly (health/notes.py); the template words it."""
    scope = scope_of(store, leader, addressing)
    since = now - timedelta(weeks=weeks)
    fallback = addressing.short_name
    names: dict[str, str] = {}
    for c in scope:
        for m in ev.members(store, c.id):
            if m.display_name:
                names.setdefault(m.id, m.display_name)

    def name(uid: str) -> str:
        return names.get(uid) or fallback(uid)

    qa = {q.casefold() for q in qa_rooms}
    ours = health_sql.rse_sent_ids(store)

    events = []
    where: dict[str, tuple[str, str]] = {}
    joined: list[tuple[str, str, datetime]] = []
    intros: set[str] = set()
    for c in scope:
        room_ids = list(c.room_ids)
        for e in ev.iter_events(store, room_ids, since=since, until=now):
            if e.id in ours:
                continue
            events.append(e)
            where[e.id] = (c.name, c.room_names.get(e.room_id, ""))
        joins = activity.join_times(store, c, dated=notes.dated_joins(capabilities))
        intros |= activity.introductions(store, c, joins)
        # newcomers: first join to the community within the period (earlier joins are older members)
        joined += [
            (uid, c.name, datetime.fromtimestamp(t["joined"] / 1000, tz=UTC))
            for uid, t in joins.items()
            if "joined" in t and t["joined"] >= activity.ms(since) and uid not in (leader.id, me)
        ]

    by_id = {e.id: e for e in events}
    replies: dict[str, list[Event]] = defaultdict(list)
    reactions: Counter[str] = Counter()
    for e in events:
        if e.kind is EventKind.reaction and e.parent_id:
            reactions[e.parent_id] += 1
        elif e.kind in (EventKind.reply, EventKind.thread):
            root = e.thread_root or e.parent_id
            if root:
                replies[root].append(e)
            if e.parent_id and e.parent_id != root:
                replies[e.parent_id].append(e)

    roots = [e for e in events if e.kind is EventKind.post and e.body and e.id not in intros and e.sender != me]
    # an introduction's author is a newcomer to welcome, even if they joined just before the period
    first_by: dict[str, tuple[str, datetime]] = {}
    for e in events:
        if e.id in intros and e.sender not in (leader.id, me):
            first_by.setdefault(e.sender, (where[e.id][0], e.ts))
    joined += [(uid, cname, ts) for uid, (cname, ts) in first_by.items() if uid not in {j[0] for j in joined}]
    others = [e for e in events if e.kind in MESSAGES and e.sender not in (leader.id, me)]

    def item(e: Event, **extra: Any) -> dict[str, Any]:
        community, room = where[e.id]
        return {
            "text": excerpt(e.body, 160),
            "author": name(e.sender),
            "author_id": e.sender,
            "community": community,
            "room": room,
            "link": link(e.room_id, e.id),
            "at": e.ts.isoformat(),
            **extra,
        }

    waiting = []
    for e in roots:
        is_question = activity.is_question(e.body or "", in_qa_room=where[e.id][1].casefold() in qa or e.room_id in qa_rooms)
        answered = any(r.sender != e.sender for r in replies.get(e.id, []))
        if is_question and not answered and e.sender not in (leader.id, me):
            waiting.append(item(e, waiting_days=round((now - e.ts).total_seconds() / 86400, 1)))
    waiting = sorted(waiting, key=lambda x: x["at"])[:5]

    discussions = sorted((e for e in roots if len(replies.get(e.id, [])) > 0), key=lambda e: (-len(replies[e.id]), e.ts))[:3]
    discussions_out = [
        item(e, replies=len(replies[e.id]), reactions=reactions[e.id], people=len({r.sender for r in replies[e.id]}))
        for e in discussions
    ]

    # contributions worth recognising: answers to others, and messages others reacted to
    score: Counter[str] = Counter()
    best: dict[str, Any] = {}
    helped: Counter[str] = Counter()
    for e in others:
        if e.id in intros:
            continue  # an introduction is welcomed, not "a contribution to salute"
        got = reactions[e.id] + len(replies.get(e.id, []))
        parent = by_id.get(e.parent_id or "") or by_id.get(e.thread_root or "")
        if parent is not None and parent.sender != e.sender:
            helped[e.sender] += 1
        score[e.sender] += 1 + 2 * (parent is not None and parent.sender != e.sender) + got
        if e.sender not in best or got > reactions[best[e.sender].id] + len(replies.get(best[e.sender].id, [])):
            best[e.sender] = e
    contributors = [
        item(
            best[uid],
            name=name(uid),
            user_id=uid,
            messages=sum(1 for e in others if e.sender == uid),
            answers=helped[uid],
            reactions_received=sum(reactions[e.id] for e in others if e.sender == uid),
        )
        for uid, _ in score.most_common(3)
    ]

    first_seen: dict[str, tuple[str, datetime]] = {}  # a newcomer of several communities is greeted once
    for uid, cname, ts in sorted(joined, key=lambda x: x[2]):
        first_seen.setdefault(uid, (cname, ts))
    newcomers = [
        {"name": name(uid), "user_id": uid, "community": cname, "joined_at": ts.isoformat()}
        for uid, (cname, ts) in first_seen.items()
    ][:8]

    zone = ZoneInfo(tz)
    by_day: Counter[int] = Counter()
    by_hour: Counter[int] = Counter()
    for e in events:
        if e.sender not in (leader.id, me) and e.kind in (*MESSAGES, EventKind.reaction):
            local = e.ts.astimezone(zone)
            by_day[local.weekday()] += 1
            by_hour[local.hour] += 1
    best_time = None
    if by_day:
        day = max(range(7), key=lambda d: (by_day[d], -d))
        hour = max(range(24), key=lambda h: (by_hour[h], -h))
        best_time = {
            "weekday": day,
            "weekday_name": DAYS_EN[day],
            "local": local_name(lang, day),
            "hour": hour,
            "tz": tz,
            "by_weekday": {DAYS_EN[d]: by_day[d] for d in range(7)},
            "by_hour": {h: by_hour[h] for h in range(24)},
        }

    quiet = len(others) < QUIET_BELOW
    upcoming = upcoming or []
    angles: list[dict[str, Any]] = []
    if waiting:
        angles.append({"kind": "answer", **waiting[0]})
    if discussions_out:
        angles.append({"kind": "join", **discussions_out[0]})
    if contributors:
        angles.append({"kind": "thank", **contributors[0]})
    if newcomers:
        angles.append({"kind": "welcome", "names": [n["name"] for n in newcomers]})
    upcoming = [
        {**u, "title": ritual_name(lang, u), "community_name": _community_name(scope, u["community"], addressing)}
        for u in upcoming
    ]
    for u in upcoming:
        if "ama" in (u["template"] + u["name"]).casefold():
            angles.append({"kind": "ama", **u})
            break
    if quiet:
        angles.append({"kind": "restart"})
    gender = PRONOUNS.get((leader.pronoun or "").casefold(), "n")
    return Brief(
        leader=leader.id,
        name=leader.name or names.get(leader.id),
        gender=gender,
        lang=lang,
        communities=[c.name for c in scope],
        since=since,
        until=now,
        quiet=quiet,
        activity=len(others),
        leader_messages=sum(1 for e in events if e.sender == leader.id and e.kind in MESSAGES),
        waiting_questions=waiting,
        discussions=discussions_out,
        contributors=contributors,
        newcomers=newcomers,
        upcoming=upcoming,
        angles=angles,
        best_time=best_time,
        notes=notes.codes(capabilities),
    )


def local_name(lang: str, weekday: int) -> str:
    from rse_cli.l10n import L10n

    return L10n(lang).weekday(weekday)


def ritual_name(lang: str, occurrence: dict[str, Any]) -> str:
    """A ritual by its display name ("la question de la semaine"), never by its slug."""
    known = RITUALS.get(lang, RITUALS["en"]).get(occurrence.get("template") or "")
    return known or str(occurrence.get("name") or "").split(" (")[0].replace("-", " ")


def _community_name(scope: list[ev.SyncedCommunity], ref: str, addressing: Addressing) -> str:
    """The display name of the scope's community `ref` names (the network's syntax decides)."""
    for c in scope:
        if addressing.community_key(ref) in addressing.community_keys(c.id, c.name, c.alias):
            return c.name
    return ref


def render_brief(templates: Any, brief: Brief, *, via: str | None = None) -> str:
    from rse_cli.l10n import L10n

    context = {**brief.model_dump(mode="python", exclude={"text"}), "via": via, "t": L10n(brief.lang)}
    return str(templates.render("leader-brief", context, lang=brief.lang))


# -- sending and measuring ---------------------------------------------------------------
def record_brief(store: Store, leader: str, recipient: str, sent: Any, now: datetime) -> None:
    sql.record_brief(store, leader, recipient, int(now.timestamp() * 1000), sent.room_id, sent.event_id, sent.txn_id)


def report(store: Store, configured: list[str], *, addressing: Addressing, window_days: int = 7) -> list[ReportRow]:
    """Per leader: briefs sent, their messages within 7 days after a brief, and what those drew."""
    rows = []
    for leader in leaders(store, configured, addressing):
        briefs = sql.brief_times(store, leader.id)
        try:
            room_ids = [rid for c in scope_of(store, leader, addressing) for rid in c.room_ids]
        except NotFoundError:
            room_ids = []
        posts, delays = {}, []
        if briefs and room_ids:
            mine = list(ev.iter_events(store, room_ids, since=datetime.fromtimestamp(briefs[0] / 1000, UTC), kinds=MESSAGES))
            mine = [e for e in mine if e.sender == leader.id]
            for i, b in enumerate(briefs):
                end = min(b + window_days * 86_400_000, briefs[i + 1] if i + 1 < len(briefs) else 2**62)
                after = [e for e in mine if b <= e.ts.timestamp() * 1000 < end]
                if after:
                    delays.append((after[0].ts.timestamp() * 1000 - b) / 3_600_000)
                posts.update({e.id: e for e in after})
        replies, reactions = sql.responses_to(store, list(posts), leader.id)
        rows.append(
            ReportRow(
                leader=leader.id,
                name=leader.name,
                scopes=leader.scopes,
                briefs=len(briefs),
                last_brief=datetime.fromtimestamp(briefs[-1] / 1000, UTC) if briefs else None,
                posts_after=len(posts),
                hours_to_first_post=round(median(delays), 1) if delays else None,
                replies=replies,
                reactions=reactions,
            )
        )
    return rows
