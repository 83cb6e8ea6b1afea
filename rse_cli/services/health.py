"""Community health: metrics, findings and a score, computed from the synced store only.

Everything is aggregated in SQL (the store may hold millions of events): Python only sees
per-sender counts and the window's root messages, never one object per event. `now` is a
parameter so tests and snapshots control the clock.

Score (0-100), the sum of five parts:
- recency, 25: full when the last message is at most 7 days old, falling linearly to 0 at
  `dormant_critical_days`;
- participation, 25: contributors / members, full at 30% or more;
- responsiveness, 20: share of the window's questions answered by someone else, times
  min(1, slow_reply_hours / median first reply) (no question: full; no message at all: 0);
- animation, 15: 15 when an animator posted in the window, 5 when animators exist but are
  silent, 0 when the community has none;
- diversity, 15: full when the top 10% of posters write at most half of the messages,
  falling linearly to 0 when they write all of them (0 when nobody wrote anything).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from rse_cli.errors import NotFoundError
from rse_cli.store import Store
from rse_cli.store import events as ev

if TYPE_CHECKING:
    from rse_cli.config import Settings

Severity = Literal["info", "warning", "critical"]
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
MESSAGE_KINDS = ("post", "reply", "thread")
CONCENTRATION_MIN_MESSAGES = 10  # below this, "the top 10% write everything" is noise
EVIDENCE_MAX = 20
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
CHART_WEEKS = 12


class Evidence(BaseModel):
    kind: Literal["message", "person", "community"]
    id: str
    label: str
    at: datetime | None = None
    link: str | None = None


class Finding(BaseModel):
    code: str
    severity: Severity
    message: str
    evidence: list[Evidence] = []
    action: str


class CommunityHealth(BaseModel):
    id: str
    name: str
    score: int
    metrics: dict[str, Any]
    findings: list[Finding]


class AuditReport(BaseModel):
    generated_at: datetime
    window_days: int
    communities: list[CommunityHealth]
    findings: list[Finding]  # network-wide
    # distinct members across the audited communities (one person in three communities counts once);
    # for the HTML report's headline, kept out of --json whose keys are fixed
    people: int = Field(0, exclude=True)

    def worst(self) -> Severity | None:
        every = [f.severity for f in self.findings] + [f.severity for c in self.communities for f in c.findings]
        return max(every, key=SEVERITY_RANK.__getitem__) if every else None


# -- links ---------------------------------------------------------------------------------
class Linker:
    """Links for evidence, in the network's own format (see network.base.link_builder)."""

    def __init__(self, settings: Settings) -> None:
        from rse_cli.network.base import link_builder

        self._build = link_builder(settings)

    def room(self, room_id: str, event_id: str | None = None) -> str:
        return self._build(room_id, event_id)

    def person(self, user_id: str) -> str:
        return self._build(user_id)


def _ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def _dt(ms: int | None) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000, tz=UTC) if ms is not None else None


def _in(values) -> str:
    return ", ".join("?" * len(values))


def _excerpt(body: str | None, n: int = 120) -> str:
    text = " ".join((body or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


# -- collection (SQL) ------------------------------------------------------------------------
# rse's own publications (digests, animation posts) are not the community's activity: a community
# where only the weekly question appears is dormant. Replies to them are activity.
BOT = ("id NOT IN (SELECT event_id FROM digests WHERE event_id IS NOT NULL "
       "UNION SELECT event_id FROM animation_runs WHERE event_id IS NOT NULL)")


def root_posts(store: Store, room_ids: list[str], start: int, end: int, qa_rooms: set[str]) -> list[dict]:
    """The window's root messages, each with its first reply by someone else and its counts."""
    sql = f"""
        SELECT q.id, q.room_id, q.sender, q.ts, q.body,
          (SELECT MIN(r.ts) FROM events r WHERE r.parent_id = q.id AND r.kind IN ('reply', 'thread') AND r.sender != q.sender) AS r1,
          (SELECT MIN(r.ts) FROM events r WHERE r.thread_root = q.id AND r.kind = 'thread' AND r.sender != q.sender) AS r2,
          (SELECT COUNT(*) FROM events r WHERE (r.parent_id = q.id AND r.kind IN ('reply', 'thread'))) AS replies,
          (SELECT COUNT(*) FROM events r WHERE r.thread_root = q.id AND r.kind = 'thread' AND r.parent_id != q.id) AS deep,
          (SELECT COUNT(*) FROM events r WHERE r.parent_id = q.id AND r.kind = 'reaction') AS reactions
        FROM events q
        WHERE q.room_id IN ({_in(room_ids)}) AND q.ts >= ? AND q.ts < ? AND q.kind = 'post' AND q.{BOT}
        ORDER BY q.ts"""
    out = []
    for r in store.query(sql, (*room_ids, start, end)):
        firsts = [t for t in (r["r1"], r["r2"]) if t is not None]
        body = r["body"] or ""
        out.append({
            "id": r["id"], "room_id": r["room_id"], "sender": r["sender"], "ts": r["ts"], "body": body,
            "first_reply": min(firsts) if firsts else None,
            "replies": r["replies"] + r["deep"], "reactions": r["reactions"],
            "question": "?" in body or "？" in body or r["room_id"] in qa_rooms,
        })
    return out


def _sender_counts(store: Store, room_ids: list[str], start: int, end: int) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"post": 0, "reply": 0, "thread": 0, "reaction": 0})
    for r in store.query(
        f"SELECT sender, kind, COUNT(*) AS n FROM events WHERE room_id IN ({_in(room_ids)}) AND ts >= ? AND ts < ? "
        f"AND kind IN ('post', 'reply', 'thread', 'reaction') AND {BOT} GROUP BY sender, kind",
        (*room_ids, start, end),
    ):
        counts[r["sender"]][r["kind"]] = r["n"]
    return counts


def _edge_ts(store: Store, room_ids: list[str], *, last: bool, messages: bool) -> int | None:
    """Newest (or oldest) message / event of the rooms, walking the (room_id, ts) index per room."""
    found = []
    kinds = f"AND kind IN ('post', 'reply', 'thread') AND {BOT}" if messages else ""
    for room_id in room_ids:
        rows = store.query(f"SELECT ts FROM events WHERE room_id = ? {kinds} ORDER BY ts {'DESC' if last else 'ASC'} LIMIT 1", (room_id,))
        if rows:
            found.append(rows[0][0])
    return (max(found) if last else min(found)) if found else None


def _weekly(store: Store, room_ids: list[str], end: int, weeks: int) -> list[dict]:
    start = end - weeks * WEEK_MS
    counts = {r[0]: r[1] for r in store.query(
        f"SELECT (ts - ?) / {WEEK_MS} AS w, COUNT(*) FROM events WHERE room_id IN ({_in(room_ids)}) AND ts >= ? AND ts < ? "
        f"AND kind IN ('post', 'reply', 'thread') AND {BOT} GROUP BY w", (start, *room_ids, start, end))}
    return [{"week_start": _dt(start + i * WEEK_MS).date().isoformat(), "messages": counts.get(i, 0)} for i in range(weeks)]


def _membership_events(store: Store, space_id: str) -> dict[str, dict[str, int]]:
    """Per person: first join and latest invite in the space (membership events are few)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in store.query(
        "SELECT target, membership, MIN(ts) AS first, MAX(ts) AS last FROM events "
        "WHERE room_id = ? AND kind = 'membership' GROUP BY target, membership", (space_id,)
    ):
        if r["membership"] == "join":
            out[r["target"]]["joined"] = r["first"]
        elif r["membership"] == "invite":
            out[r["target"]]["invited"] = r["last"]
    return out


# -- one community -------------------------------------------------------------------------
def qa_room_ids(community: ev.SyncedCommunity, settings: Settings) -> set[str]:
    """Rooms marked as Q&A in `qa_rooms` (by id or name): every root message there is a question."""
    wanted = {q.casefold() for q in settings.qa_rooms}
    return {rid for rid, name in community.room_names.items() if rid.casefold() in wanted or name.casefold() in wanted}


def assess(store: Store, community: ev.SyncedCommunity, settings: Settings, *, now: datetime, window_days: int,
           link: Linker) -> tuple[dict[str, Any], dict[str, Any]]:
    """(metrics, facts): metrics go in the report; facts are what findings cite as evidence."""
    a = settings.audit
    end, start = _ms(now), _ms(now - timedelta(days=window_days))
    rooms = list(community.room_ids)
    me = settings.user
    qa = qa_room_ids(community, settings)

    people = [m for m in ev.members(store, community.id) if m.id != me]
    joined = [m for m in people if m.membership == "join"]
    joined_ids = {m.id for m in joined}
    names = {m.id: m.display_name or m.id for m in people}
    animators = [m for m in joined if m.power >= settings.animator_level]

    counts = _sender_counts(store, rooms, start, end)
    writers = {s for s, c in counts.items() if c["post"] or c["reply"] or c["thread"]}
    posters = {s for s, c in counts.items() if c["post"]}
    reactors = {s for s, c in counts.items() if c["reaction"]} - writers
    ever = {r[0] for r in store.query(
        f"SELECT DISTINCT sender FROM events WHERE room_id IN ({_in(rooms)}) AND kind IN ('post', 'reply', 'thread')", tuple(rooms))}
    msgs_by = sorted((c["post"] + c["reply"] + c["thread"] for c in counts.values()), reverse=True)
    msgs_by = [n for n in msgs_by if n]
    total_msgs = sum(msgs_by)
    top_n = math.ceil(len(msgs_by) * 0.10) if msgs_by else 0
    top_share = round(sum(msgs_by[:top_n]) / total_msgs, 3) if total_msgs else None

    posts = root_posts(store, rooms, start, end, qa)
    questions = [p for p in posts if p["question"]]
    unanswered = [p for p in questions if p["first_reply"] is None]
    delays = [(p["first_reply"] - p["ts"]) / 3_600_000 for p in posts if p["first_reply"] is not None]
    last_msg = _edge_ts(store, rooms, last=True, messages=True)
    since_ms = last_msg if last_msg is not None else _edge_ts(store, rooms, last=False, messages=False)
    idle_days = (end - since_ms) / DAY_MS if since_ms is not None else None

    mev = _membership_events(store, community.id)
    newcomers = [m for m in joined if start <= mev.get(m.id, {}).get("joined", -1) < end]
    invites = [m for m in people if m.membership == "invite"]
    leaders = set(leader_ids(store, settings))

    contributors = len(writers & joined_ids)
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
        "posts": sum(c["post"] for c in counts.values()),
        "replies": sum(c["reply"] + c["thread"] for c in counts.values()),
        "reactions": sum(c["reaction"] for c in counts.values()),
        "questions": len(questions),
        "unanswered_questions": len(unanswered),
        "median_first_reply_hours": round(median(delays), 1) if delays else None,
        "last_post_at": _dt(last_msg).isoformat() if last_msg is not None else None,
        "days_since_last_post": round(idle_days, 1) if idle_days is not None else None,
        "animators": len(animators),
        "animator_posts": sum(sum(counts[m.id][k] for k in MESSAGE_KINDS) for m in animators if m.id in counts),
        "leader_posts": sum(sum(counts[s][k] for k in MESSAGE_KINDS) for s in leaders if s in counts),
        "pending_invites": len(invites),
        "top10_share": top_share,
        "activity_by_week": _weekly(store, rooms, end, max(CHART_WEEKS, math.ceil(window_days / 7))),
    }
    late = [p for p in unanswered if end - p["ts"] >= a.unanswered_hours * 3_600_000]
    facts = {
        "late_questions": [Evidence(kind="message", id=p["id"], label=f"{names.get(p['sender'], p['sender'])}: {_excerpt(p['body'])}",
                                    at=_dt(p["ts"]), link=link.room(p["room_id"], p["id"])) for p in late],
        "silent_animators": [Evidence(kind="person", id=m.id, label=m.display_name or m.id, link=link.person(m.id))
                             for m in animators if m.id not in writers],
        "old_invites": [Evidence(kind="person", id=m.id, label=m.display_name or m.id, link=link.person(m.id),
                                 at=_dt(mev.get(m.id, {}).get("invited")))
                        for m in invites if end - mev.get(m.id, {}).get("invited", 0) >= a.pending_invite_days * DAY_MS],
        "top_posters": [Evidence(kind="person", id=s, label=_text(settings, "messages", name=names.get(s, s), n=n)[0], link=link.person(s))
                        for s, n in sorted(((s, sum(c[k] for k in MESSAGE_KINDS)) for s, c in counts.items()), key=lambda x: -x[1])[:max(top_n, 1)] if n],
        "last_link": link.room(community.room_ids[0]),
        "member_ids": joined_ids,
    }
    return metrics, facts


def score(m: dict[str, Any], settings: Settings) -> int:
    """The documented 0-100 formula (see the module docstring)."""
    a = settings.audit
    idle = m["days_since_last_post"]
    recency = 0.0 if idle is None else 25 * max(0.0, min(1.0, (a.dormant_critical_days - idle) / max(1, a.dormant_critical_days - 7)))
    ratio = m["contributor_ratio"] or 0.0
    participation = 25 * min(1.0, ratio / 0.30)
    quiet = not (m["posts"] or m["replies"])
    if quiet:
        answered = 0.0
    elif not m["questions"]:
        answered = 1.0
    else:
        answered = 1 - m["unanswered_questions"] / m["questions"]
    med = m["median_first_reply_hours"]
    speed = 1.0 if med is None else min(1.0, a.slow_reply_hours / med) if med > 0 else 1.0
    responsiveness = 20 * answered * speed
    animation = 0 if not m["animators"] else 15 if m["animator_posts"] else 5
    share = m["top10_share"]
    diversity = 0.0 if quiet or share is None else 15 * max(0.0, min(1.0, (1 - share) / 0.5))
    return round(recency + participation + responsiveness + animation + diversity)


TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "dormant": ("No message for {days} days (last: {last}).",
                    "Post a question that concerns everyone this week and ask an animator to answer every reply within a day; "
                    "if the community has no purpose any more, archive it."),
        "last": ("last message: {last}", ""),
        "never": ("never", ""),
        "unanswered_questions": ("{n} question(s) without an answer from anyone else after {hours} h.",
                                 "Answer them, or mention someone who knows (a colleague, an expert, an animator) in a reply today."),
        "slow_replies": ("Median time to a first reply is {median} h (threshold {hours} h).",
                         "Agree with the animators on who watches the community each day; turn on notifications for its rooms."),
        "no_animator": ("The community has no animator.", "Name an animator: `rse member add COMMUNITY @someone --role animator`."),
        "silent_animator": ("{n} animator(s) did not post in the last {days} days.",
                            "Talk with them: offer a ready-made post, or find them a co-animator with more time."),
        "low_participation": ("Only {n} of {members} members ({ratio}) wrote something in the last {days} days.",
                              "Ask easy questions (a poll, a photo, 'what are you working on?'), welcome newcomers by name, thank first posts."),
        "concentration": ("The top 10% of posters wrote {share} of the messages.",
                          "Ask the most active posters to hand over the floor: invite others to share their experience, and reply to them first."),
        "pending_invites": ("{n} invitation(s) pending for more than {days} days.",
                            "Remind these people personally (a direct message saying why the community matters to them), or withdraw the invitation."),
        "silent_leaders": ("{n} of {total} leader(s) wrote nothing in the last {days} days.",
                           "Offer each one a ready-to-use brief (three topics, in their own voice) and a 15-minute slot to post it."),
        "messages": ("{name} ({n} messages)", ""),
    },
    "fr": {
        "dormant": ("Aucun message depuis {days} jours (dernier : {last}).",
                    "Publiez cette semaine une question qui concerne tout le monde et demandez à un animateur de répondre à chaque "
                    "réaction sous 24 h ; si la communauté n'a plus de raison d'être, archivez-la."),
        "last": ("dernier message : {last}", ""),
        "never": ("jamais", ""),
        "unanswered_questions": ("{n} question(s) sans réponse d'une autre personne après {hours} h.",
                                 "Répondez-y, ou mentionnez aujourd'hui dans une réponse quelqu'un qui sait (un collègue, un expert, un animateur)."),
        "slow_replies": ("La première réponse arrive en {median} h (médiane ; seuil {hours} h).",
                         "Convenez avec les animateurs de qui veille sur la communauté chaque jour ; activez les notifications de ses salons."),
        "no_animator": ("La communauté n'a pas d'animateur.", "Nommez un animateur : `rse member add COMMUNAUTÉ @quelqu-un --role animator`."),
        "silent_animator": ("{n} animateur(s) sans message depuis {days} jours.",
                            "Parlez-leur : proposez un message prêt à publier, ou trouvez un co-animateur plus disponible."),
        "low_participation": ("Seuls {n} membres sur {members} ({ratio}) ont écrit ces {days} derniers jours.",
                              "Posez des questions faciles (un sondage, une photo, « sur quoi travaillez-vous ? »), accueillez les nouveaux par leur nom, remerciez les premiers messages."),
        "concentration": ("Les 10 % de contributeurs les plus actifs ont écrit {share} des messages.",
                          "Demandez aux plus actifs de passer la parole : invitez d'autres membres à partager leur expérience et répondez-leur en premier."),
        "pending_invites": ("{n} invitation(s) en attente depuis plus de {days} jours.",
                            "Relancez ces personnes personnellement (un message direct qui dit pourquoi la communauté les concerne), ou retirez l'invitation."),
        "silent_leaders": ("{n} dirigeant(s) sur {total} n'ont rien écrit ces {days} derniers jours.",
                           "Proposez à chacun un brief prêt à l'emploi (trois sujets, dans ses mots) et un créneau de 15 minutes pour publier."),
        "messages": ("{name} ({n} messages)", ""),
    },
}


def _text(settings: Settings, code: str, **values: Any) -> tuple[str, str]:
    message, action = TEXTS.get(settings.lang, TEXTS["en"])[code]
    return message.format(**values), action


def _pct(x: float, lang: str) -> str:
    return f"{x * 100:.0f} %" if lang == "fr" else f"{x:.0%}"


def findings(m: dict[str, Any], facts: dict[str, Any], settings: Settings) -> list[Finding]:
    """The community's findings from its metrics and evidence: pure, no store access."""
    a = settings.audit
    out: list[Finding] = []

    def add(code: str, severity: Severity, evidence: list[Evidence] = (), **values: Any) -> None:
        message, action = _text(settings, code, **values)
        out.append(Finding(code=code, severity=severity, message=message, evidence=list(evidence)[:EVIDENCE_MAX], action=action))

    idle = m["days_since_last_post"]
    if idle is not None and idle >= a.dormant_warning_days:
        last = m["last_post_at"][:10] if m["last_post_at"] else _text(settings, "never")[0]
        add("dormant", "critical" if idle >= a.dormant_critical_days else "warning",
            [Evidence(kind="community", id="last", label=_text(settings, "last", last=last)[0], link=facts["last_link"])],
            days=int(idle), last=last)
    if facts["late_questions"]:
        add("unanswered_questions", "warning", facts["late_questions"], n=len(facts["late_questions"]), hours=a.unanswered_hours)
    med = m["median_first_reply_hours"]
    if med is not None and med > a.slow_reply_hours:
        add("slow_replies", "warning", median=f"{med:.0f}", hours=a.slow_reply_hours)
    if not m["animators"]:
        add("no_animator", "warning")
    elif facts["silent_animators"]:
        add("silent_animator", "warning", facts["silent_animators"], n=len(facts["silent_animators"]), days=m["window_days"])
    ratio = m["contributor_ratio"]
    if m["members"] and ratio is not None and ratio < a.low_participation_ratio:
        add("low_participation", "warning", n=m["contributors"], members=m["members"], ratio=_pct(ratio, settings.lang), days=m["window_days"])
    share = m["top10_share"]
    if share is not None and share > a.concentration_ratio and m["posts"] + m["replies"] >= CONCENTRATION_MIN_MESSAGES:
        add("concentration", "warning", facts["top_posters"], share=_pct(share, settings.lang))
    if facts["old_invites"]:
        add("pending_invites", "info", facts["old_invites"], n=len(facts["old_invites"]), days=a.pending_invite_days)
    return out


def leader_ids(store: Store, settings: Settings) -> list[str]:
    """The leaders: those of `rse leaders add` and those listed in the config's `leaders`."""
    stored = [r[0] for r in store.query("SELECT user_id FROM leaders WHERE profile = ? ORDER BY user_id", (store.profile,))]
    return list(dict.fromkeys([*stored, *settings.leaders]))


def silent_leaders(store: Store, settings: Settings, *, now: datetime, window_days: int, link: Linker) -> list[Finding]:
    """Network-wide: leaders who wrote nothing in any synced room during the window."""
    leaders = leader_ids(store, settings)
    if not leaders:
        return []
    spoke = {r[0] for r in store.query(
        f"SELECT DISTINCT sender FROM events WHERE sender IN ({_in(leaders)}) AND ts >= ? AND ts < ? AND kind IN ('post', 'reply', 'thread')",
        (*leaders, _ms(now - timedelta(days=window_days)), _ms(now)))}
    silent = [x for x in leaders if x not in spoke]
    if not silent:
        return []
    names = {r[0]: r[1] for r in store.query(
        f"SELECT user_id, display_name FROM members WHERE user_id IN ({_in(silent)}) AND display_name IS NOT NULL", tuple(silent))}
    message, action = _text(settings, "silent_leaders", n=len(silent), total=len(leaders), days=window_days)
    return [Finding(code="silent_leaders", severity="warning", message=message, action=action,
                    evidence=[Evidence(kind="person", id=x, label=names.get(x, x), link=link.person(x)) for x in silent])]


def audit(store: Store, settings: Settings, refs: list[str] | None = None, *, now: datetime | None = None,
          window_days: int | None = None) -> AuditReport:
    """Audit the synced communities (all, or those named) over the window ending at `now`."""
    now = now or datetime.now(UTC)
    window = window_days or settings.audit.window_days
    targets = ev.communities(store, refs or [])
    if not targets:
        if refs:
            raise NotFoundError(f"no synced community matches {', '.join(refs)}", hint="run `rse sync` first (or `rse audit --sync`)")
        raise NotFoundError("nothing synced yet", hint="run `rse sync` first (or `rse audit --sync`)")
    link = Linker(settings)
    result, people = [], set()
    for c in targets:
        metrics, facts = assess(store, c, settings, now=now, window_days=window, link=link)
        people |= facts["member_ids"]
        metrics_for_findings = {**metrics, "window_days": window}
        result.append(CommunityHealth(id=c.id, name=c.name, score=score(metrics, settings), metrics=metrics,
                                      findings=findings(metrics_for_findings, facts, settings)))
    return AuditReport(generated_at=now, window_days=window, communities=result,
                       findings=silent_leaders(store, settings, now=now, window_days=window, link=link), people=len(people))


# -- snapshots -----------------------------------------------------------------------------
KEY_METRICS = ("members", "contributors", "posts", "replies", "unanswered_questions", "median_first_reply_hours", "days_since_last_post")


class Snapshot(BaseModel):
    at: datetime
    community: str
    window_days: int
    score: int
    delta: int | None = None
    trend: str = ""
    metrics: dict[str, Any]
    findings: list[str]


def save_snapshots(store: Store, report: AuditReport) -> None:
    with store.tx() as db:
        db.executemany(
            "INSERT INTO audit_snapshots (at, profile, community_id, community_name, window_days, score, metrics, findings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(report.generated_at.isoformat(), store.profile, c.id, c.name, report.window_days, c.score,
              json.dumps({k: v for k, v in c.metrics.items() if k != "activity_by_week"}),
              json.dumps([f"{f.code}:{f.severity}" for f in c.findings])) for c in report.communities],
        )


def history(store: Store, ref: str, *, limit: int = 50) -> list[Snapshot]:
    """Past audits of one community, oldest first, each with its score change."""
    found = ev.communities(store, [ref])
    ids = [c.id for c in found] or [ref]
    rows = store.query(
        f"SELECT * FROM audit_snapshots WHERE profile = ? AND (community_id IN ({_in(ids)}) OR community_name = ?) "
        "ORDER BY at DESC, id DESC LIMIT ?", (store.profile, *ids, ref, limit))
    if not rows:
        raise NotFoundError(f"no audit recorded for {ref!r}", hint="run `rse audit` first; each audit records a snapshot")
    out: list[Snapshot] = []
    prev: int | None = None
    for r in reversed(rows):
        metrics = json.loads(r["metrics"])
        delta = None if prev is None else r["score"] - prev
        trend = "" if delta is None else "↑" if delta > 0 else "↓" if delta < 0 else "="
        out.append(Snapshot(at=datetime.fromisoformat(r["at"]), community=r["community_name"], window_days=r["window_days"],
                            score=r["score"], delta=delta, trend=trend,
                            metrics={k: metrics.get(k) for k in KEY_METRICS}, findings=json.loads(r["findings"])))
        prev = r["score"]
    return out
