"""One community's health: metrics (one vocabulary), insight metrics, findings and the score.

Vocabulary (the same in the table, history, CSV, JSON and HTML): **messages** = posts (root
messages) + replies (inline replies and thread messages); reactions are counted apart;
rse's own posts are never counted, the replies they draw are.

Score (0-100), five parts, each calibrated on a published benchmark (README / docs/insight.md):
- participation, 25: contributors / members. 90-9-1 (Nielsen): 10% contributing is the usual
  baseline and earns half; 30% or more (what SWOOP's Yammer/Viva Engage benchmarks show for
  the best-performing communities) earns all;
- responsiveness, 25: share of the window's questions answered by someone else, times a speed
  factor: full when the median time to a first reply (CHAOSS "Time to First Response") is
  within `slow_reply_hours`, falling as slow_reply_hours / median beyond;
- engagement, 20: share of members "engaged" in Workplace's sense (active, writing or reacting,
  on at least 10 of the last 28 days); full at 10% (the 1% + 9% of 90-9-1);
- recency, 15: full when the last message is at most 7 days old, falling to 0 at
  `dormant_critical_days`;
- animation, 15: 15 when an animator wrote in the window, 5 when animators exist but are
  silent or have not joined yet, 0 when the community has none.
A community with a third or more of its questions unanswered for `unanswered_hours` cannot be
green: its score is capped just under the green band (bands in the config).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any

from rse_cli.names import excerpt
from rse_cli.roles import Role
from rse_cli.services.health import activity
from rse_cli.services.health.models import Band, Evidence, Finding, Severity
from rse_cli.services.health.texts import text, word
from rse_cli.store import Store
from rse_cli.store import events as ev
from rse_cli.store import health as sql

if TYPE_CHECKING:
    from rse_cli.config import Settings
    from rse_cli.network.base import Addressing

MESSAGE_KINDS = ("post", "reply", "thread")
ANIMATING = frozenset({Role.animator, Role.moderator, Role.owner})
CONCENTRATION_MIN_MESSAGES = 10  # below this, who writes half of it is noise
CONCENTRATION_SHARE = 0.6
ABSENCE_RISK = 2  # CHAOSS Contributor Absence Factor at or under this: the community rests on too few
EVIDENCE_MAX = 20
DAY_MS = sql.DAY_MS
WEEK_MS = sql.WEEK_MS
CHART_WEEKS = 12
LEVEL_DAYS = 28  # member levels and engagement look at the last 28 days (Workplace's window)
LEVELS = ("core", "regular", "occasional", "observer")  # Orbit-style; thresholds in active days below
CORE_DAYS, REGULAR_DAYS = 10, 3  # core: Workplace "engaged" (>= 10 of 28 days); regular: 3-9; occasional: 1-2
QUIET_DAYS = 14  # quiet_top_contributors: nothing written for 14 days (Common Room's "recently inactive")
TOP_SHARE = 0.25  # ... after being in the top 25% of writers of the previous period
RETENTION = (30, 90)  # newcomer retention: people who joined 30 to 90 days ago (CHAOSS New/Inactive Contributors)
UNANSWERED_CAP = 1 / 3
COLON = {False: ":", True: "\u00a0:"}  # French: a no-break space before the colon, as the templates


def level(days: int) -> str:
    return "core" if days >= CORE_DAYS else "regular" if days >= REGULAR_DAYS else "occasional" if days >= 1 else "observer"


def absence_factor(counts: list[int]) -> int:
    """Fewest people who wrote half of the messages (CHAOSS Contributor Absence Factor)."""
    total, acc = sum(counts), 0
    for i, n in enumerate(sorted(counts, reverse=True), 1):
        acc += n
        if acc * 2 >= total:
            return i
    return 0


def too_new(first_ts: int | None, members: int, *, end: int, window_days: int) -> bool:
    """Whether a community is too new to score (docs/health.md, "Too new to score").

    The score compares communities over the same window: one that has existed for less than the
    window (its oldest synced event, its creation or first join on Matrix, is inside it) is not
    scored yet, whatever it did. Where nothing at all is dated (a network that does not date joins,
    before the first message) its age is unknown: it is too new while it has no member yet; with
    members and never a message, it is scored (that silence is what the score is for)."""
    if first_ts is None:
        return members == 0
    return end - first_ts < window_days * DAY_MS


def bands(settings: Settings) -> tuple[int, int]:
    return settings.audit.score_green, settings.audit.score_amber


def band_of(score: int, settings: Settings) -> Band:
    green, amber = bands(settings)
    return "green" if score >= green else "amber" if score >= amber else "red"


def assess(
    store: Store,
    community: ev.SyncedCommunity,
    settings: Settings,
    *,
    now: datetime,
    window_days: int,
    addressing: Addressing,
    previous: dict[str, Any] | None = None,
    dated_joins: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metrics, facts): metrics go in the report; facts are what findings cite as evidence."""
    a = settings.audit
    end, start = activity.ms(now), activity.ms(now - timedelta(days=window_days))
    rooms = list(community.room_ids)
    me = settings.user
    link = addressing.link

    people = [m for m in ev.members(store, community.id) if m.id != me]
    joined = [m for m in people if m.membership == "join"]
    joined_ids = {m.id for m in joined}
    names = {m.id: m.display_name or addressing.short_name(m.id) for m in people}
    # by the role the connector mapped (power levels, group owners…): whoever may animate counts
    animators = [m for m in joined if m.role in ANIMATING]
    invited_animators = [m for m in people if m.membership == "invite" and m.role in ANIMATING]

    counts = sql.counts_by_sender(store, rooms, start, end)
    msgs = {s: sum(c[k] for k in MESSAGE_KINDS) for s, c in counts.items()}
    writers = {s for s, n in msgs.items() if n}
    posters = {s for s, c in counts.items() if c["post"]}
    reactors = {s for s, c in counts.items() if c["reaction"]} - writers
    ever = sql.writers_ever(store, rooms)
    per_writer = sorted((n for s, n in msgs.items() if n and s in joined_ids), reverse=True)
    total_msgs = sum(msgs.values())
    top_n = math.ceil(len(per_writer) * 0.10) if per_writer else 0
    top_share = round(sum(per_writer[:top_n]) / sum(per_writer), 3) if per_writer else None
    af = absence_factor(per_writer)

    firsts = sql.first_messages(store, rooms)
    joins = activity.join_times(store, community, dated=dated_joins, firsts=firsts)
    intros = activity.introductions(store, community, joins, firsts)
    posts = activity.roots(store, community, settings, start, end, intros)
    questions = [p for p in posts if p["question"]]
    unanswered = [p for p in questions if p["first_reply"] is None]
    delays = [(p["first_reply"] - p["ts"]) / 3_600_000 for p in posts if p["first_reply"] is not None and not p["introduction"]]
    last_msg = sql.edge_ts(store, rooms, last=True, messages=True)
    first_ts = sql.edge_ts(store, rooms, last=False, messages=False)  # the community's age, as far as the store knows
    since_ms = last_msg if last_msg is not None else first_ts
    idle_days = (end - since_ms) / DAY_MS if since_ms is not None else None
    late = [p for p in unanswered if end - p["ts"] >= a.unanswered_hours * 3_600_000]
    old_enough = [p for p in questions if end - p["ts"] >= a.unanswered_hours * 3_600_000]

    newcomers = [m for m in joined if start <= joins.get(m.id, {}).get("joined", -1) < end]
    invites = [m for m in people if m.membership == "invite"]
    leaders = set(leader_ids(store, settings))

    # -- insight: levels, movers, quiet top contributors, retention ----------------------------
    lstart = end - LEVEL_DAYS * DAY_MS
    days = sql.active_days(store, rooms, lstart, end)
    levels_of = {u: level(days.get(u, 0)) for u in joined_ids}
    level_counts = {lv: sum(1 for v in levels_of.values() if v == lv) for lv in LEVELS}
    moves: dict[str, list[dict[str, str]]] = {"up": [], "down": []}
    before = (previous or {}).get("levels_of")
    if isinstance(before, dict):
        rank = {lv: i for i, lv in enumerate(reversed(LEVELS))}
        for u, now_level in sorted(levels_of.items(), key=lambda kv: names.get(kv[0], kv[0])):
            was = before.get(u, "observer")
            if was != now_level and was in rank:
                moves["up" if rank[now_level] > rank[was] else "down"].append(
                    {"name": names.get(u, u), "from": was, "to": now_level}
                )
    quiet_from = end - QUIET_DAYS * DAY_MS
    prev = sql.messages_by_sender(store, rooms, quiet_from - window_days * DAY_MS, quiet_from)
    prev = {u: n for u, n in prev.items() if u in joined_ids and n}
    cut = sorted(prev.values(), reverse=True)[: max(1, math.ceil(len(prev) * TOP_SHARE))] if prev else []
    recent = sql.messages_by_sender(store, rooms, quiet_from, end)
    quiet_top = sorted(
        (u for u, n in prev.items() if cut and n >= cut[-1] and n >= 3 and not recent.get(u)), key=lambda u: -prev[u]
    )
    lo, hi = end - RETENTION[1] * DAY_MS, end - RETENTION[0] * DAY_MS
    cohort = [u for u in joined_ids if lo <= joins.get(u, {}).get("joined", -1) < hi]
    last28 = sql.messages_by_sender(store, rooms, lstart, end)
    retention = {
        "cohort": len(cohort),
        "posted": sum(1 for u in cohort if u in firsts),
        "active": sum(1 for u in cohort if last28.get(u)),
    }

    contributors = len(writers & joined_ids)
    messages = total_msgs
    metrics: dict[str, Any] = {
        "members": len(joined),
        "new_members": len(newcomers),
        "active_members": len((writers | reactors) & joined_ids),
        "contributors": contributors,
        "lurkers": len(joined_ids - ever),
        "participation": {
            "posters": len(posters & joined_ids),
            "repliers": len((writers - posters) & joined_ids),
            "reactors": len(reactors & joined_ids),
            "silent": len(joined_ids - writers - reactors),
        },
        "contributor_ratio": round(contributors / len(joined), 3) if joined else None,
        "messages": messages,
        "posts": sum(c["post"] for c in counts.values()),
        "replies": sum(c["reply"] + c["thread"] for c in counts.values()),
        "reactions": sum(c["reaction"] for c in counts.values()),
        "introductions": sum(1 for p in posts if p["introduction"]),
        "questions": len(questions),
        "unanswered_questions": len(unanswered),
        "unanswered_share": round(len([p for p in old_enough if p["first_reply"] is None]) / len(old_enough), 3)
        if old_enough
        else 0.0,
        "median_first_reply_hours": round(median(delays), 1) if delays else None,
        "last_post_at": _iso(last_msg),
        "days_since_last_post": round(idle_days, 1) if idle_days is not None else None,
        "animators": len(animators),
        "animators_invited": len(invited_animators),
        "animator_posts": sum(msgs.get(m.id, 0) for m in animators),
        "leader_posts": sum(msgs.get(s, 0) for s in leaders),
        "pending_invites": len(invites),
        "top10_share": top_share,
        "absence_factor": af,
        "engaged_share": round(level_counts["core"] / len(joined), 3) if joined else None,
        "member_levels": level_counts,
        "level_moves": moves,
        "quiet_top_contributors": [names.get(u, u) for u in quiet_top],
        "newcomer_retention": retention,
        "activity_by_week": _weekly(store, rooms, end, max(CHART_WEEKS, math.ceil(window_days / 7))),
    }
    top_writers = sorted(((s, n) for s, n in msgs.items() if n and s in joined_ids), key=lambda x: -x[1])
    facts = {
        "late_questions": [
            Evidence(
                kind="message",
                id=p["id"],
                label=f"{names.get(p['sender'], addressing.short_name(p['sender']))}{COLON[settings.lang == 'fr']} "
                f"{excerpt(p['body'], 120)}",
                at=_dt(p["ts"]),
                link=link(p["room_id"], p["id"]),
            )
            for p in late
        ],
        "silent_animators": [_person(m.id, names, link) for m in animators if m.id not in writers],
        "invited_animators": [_person(m.id, names, link) for m in invited_animators],
        "old_invites": [
            Evidence(kind="person", id=m.id, label=names[m.id], link=link(m.id, None), at=_dt(joins.get(m.id, {}).get("invited")))
            for m in invites
            if end - joins.get(m.id, {}).get("invited", 0) >= a.pending_invite_days * DAY_MS
        ],
        "absent": [
            Evidence(kind="person", id=s, label=word(settings.lang, "messages", name=names.get(s, s), n=n), link=link(s, None))
            for s, n in top_writers[: min(max(af, 1), ABSENCE_RISK)]
        ],
        "absent_wrote": sum(n for _, n in top_writers[: min(max(af, 1), ABSENCE_RISK)]) / max(1, sum(n for _, n in top_writers)),
        "absent_share": sum(n for _, n in top_writers[:ABSENCE_RISK]) / max(1, sum(n for _, n in top_writers)),
        "quiet_top": [_person(u, names, link) for u in quiet_top],
        "silent_newcomers": [_person(u, names, link) for u in sorted(cohort, key=lambda u: names.get(u, u)) if u not in firsts],
        "last_link": link(community.room_ids[0], None),
        "member_ids": joined_ids,
        "writers": writers & joined_ids,
        "joins": {u: joins[u]["joined"] for u in joined_ids if "joined" in joins.get(u, {})},
        "firsts": {u for u in joined_ids if u in firsts},
        "recent_writers": {u for u in joined_ids if last28.get(u)},
        "levels_of": {u: lv for u, lv in levels_of.items() if lv != "observer"},
        "too_new": too_new(first_ts, len(joined), end=end, window_days=window_days),
    }
    return metrics, facts


def _person(uid: str, names: dict[str, str], link: Any) -> Evidence:
    return Evidence(kind="person", id=uid, label=names.get(uid, uid), link=link(uid, None))


def _iso(ms: int | None) -> str | None:
    d = _dt(ms)
    return d.isoformat() if d else None


def _dt(ms: int | None) -> datetime | None:
    from datetime import UTC

    return datetime.fromtimestamp(ms / 1000, tz=UTC) if ms is not None else None


def _weekly(store: Store, room_ids: list[str], end: int, weeks: int) -> list[dict[str, Any]]:
    start = end - weeks * WEEK_MS
    counts = sql.weekly_messages(store, room_ids, start, end)
    out = []
    for i in range(weeks):
        d = _dt(start + i * WEEK_MS)
        assert d is not None
        out.append({"week_start": d.date().isoformat(), "messages": counts.get(i, 0)})
    return out


def leader_ids(store: Store, settings: Settings) -> list[str]:
    """The leaders: those of `rse leaders add` and those listed in the config's `leaders`."""
    return list(dict.fromkeys([*sql.stored_leader_ids(store), *settings.leaders]))


# -- score ---------------------------------------------------------------------------------
def parts(m: dict[str, Any], settings: Settings) -> dict[str, float]:
    """The score's five parts (see the module docstring)."""
    a = settings.audit
    idle = m["days_since_last_post"]
    recency = (
        0.0 if idle is None else 15 * max(0.0, min(1.0, (a.dormant_critical_days - idle) / max(1, a.dormant_critical_days - 7)))
    )
    ratio = m["contributor_ratio"] or 0.0
    participation = 25 * (ratio / 0.10 * 0.5 if ratio <= 0.10 else min(1.0, 0.5 + (ratio - 0.10) / 0.20 * 0.5))
    quiet = not m["messages"]
    answered = 0.0 if quiet else 1.0 if not m["questions"] else 1 - m["unanswered_questions"] / m["questions"]
    med = m["median_first_reply_hours"]
    speed = 1.0 if med is None or med <= 0 else min(1.0, a.slow_reply_hours / med)
    responsiveness = 25 * answered * speed
    engagement = 20 * min(1.0, (m["engaged_share"] or 0.0) / 0.10)
    animation = 15 if m["animator_posts"] else 5 if (m["animators"] or m["animators_invited"]) else 0
    return {
        "participation": round(participation, 1),
        "responsiveness": round(responsiveness, 1),
        "engagement": round(engagement, 1),
        "recency": round(recency, 1),
        "animation": float(animation),
    }


def score(m: dict[str, Any], settings: Settings) -> int:
    total = round(sum(parts(m, settings).values()))
    green, _ = bands(settings)
    if m.get("unanswered_share", 0) >= UNANSWERED_CAP - 1e-9 and m["questions"]:
        total = min(total, green - 1)  # a third of the questions waiting is never "green"
    return total


# -- findings ------------------------------------------------------------------------------
def findings(m: dict[str, Any], facts: dict[str, Any], settings: Settings, window_days: int) -> list[Finding]:
    """The community's findings from its metrics and evidence: pure, no store access."""
    from rse_cli.l10n import L10n

    a, lang = settings.audit, settings.lang
    t = L10n(lang)
    out: list[Finding] = []

    def add(code: str, severity: Severity, evidence: list[Evidence] | None = None, **values: Any) -> None:
        message, action = text(lang, code, **values)
        out.append(
            Finding(code=code, severity=severity, message=message, evidence=list(evidence or [])[:EVIDENCE_MAX], action=action)
        )

    idle = m["days_since_last_post"]
    if idle is not None and idle >= a.dormant_warning_days:
        last = t.date(m["last_post_at"]) if m["last_post_at"] else word(lang, "never")
        add(
            "dormant",
            "critical" if idle >= a.dormant_critical_days else "warning",
            [Evidence(kind="community", id="last", label=word(lang, "last", last=last), link=facts["last_link"])],
            days=int(idle),
            last=last,
        )
    if facts["late_questions"]:
        add(
            "unanswered_questions",
            "warning",
            facts["late_questions"],
            n=len(facts["late_questions"]),
            hours=a.unanswered_hours,
            share=m["unanswered_share"],
        )
    med = m["median_first_reply_hours"]
    if med is not None and med > a.slow_reply_hours:
        # the median as the report's tile shows it (one decimal: 66,5 h), never round()'s banker's 66
        add("slow_replies", "warning", median=t.num(med), hours=a.slow_reply_hours)
    if not m["animators"] and facts["invited_animators"]:
        ev_ = facts["invited_animators"]
        add("animator_not_joined", "info", ev_, n=len(ev_), names=t.join([e.label for e in ev_]))
    elif not m["animators"]:
        add("no_animator", "warning")
    elif facts["silent_animators"]:
        add("silent_animator", "warning", facts["silent_animators"], n=len(facts["silent_animators"]), days=window_days)
    ratio = m["contributor_ratio"]
    if m["members"] and ratio is not None and ratio < a.low_participation_ratio:
        add("low_participation", "warning", n=m["contributors"], members=m["members"], ratio=t.pct(ratio), days=window_days)
    af = m["absence_factor"]
    # CHAOSS Contributor Absence Factor: two people or fewer write 60% of the messages or more (without
    # them the community stops), or the top 10% of writers write more than `concentration_ratio`
    few = bool(af) and af <= ABSENCE_RISK and facts["absent_share"] >= CONCENTRATION_SHARE  # the top two's share
    top = (m["top10_share"] or 0) > a.concentration_ratio
    if (few or top) and m["messages"] >= CONCENTRATION_MIN_MESSAGES:
        add("concentration", "warning", facts["absent"], n=len(facts["absent"]), share=t.pct(facts["absent_wrote"]))
    if facts["quiet_top"]:
        add("quiet_top_contributors", "info", facts["quiet_top"], n=len(facts["quiet_top"]), days=QUIET_DAYS)
    r = m["newcomer_retention"]
    if r["cohort"] >= 3 and r["posted"] * 2 < r["cohort"]:
        add("newcomers_silent", "info", facts["silent_newcomers"], n=r["cohort"] - r["posted"], cohort=r["cohort"])
    if facts["old_invites"]:
        add("pending_invites", "info", facts["old_invites"], n=len(facts["old_invites"]), days=a.pending_invite_days)
    return out
