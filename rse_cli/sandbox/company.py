"""The sandbox company, generated deterministically from a seed: pure data, no I/O.

`build_plan(seed, people, days, anchor)` returns a `Plan`: the staff of Rivage Industries
(a fictional French maker of water-treatment equipment), its leaders, five communities
(Matrix Spaces) with two rooms each, and the history of every room over `days` days
ending just before `anchor`. The same arguments always give the same plan; the seeder
stores the anchor of the first run so that re-runs rebuild exactly the same plan.

Planted situations (checked by `check_plan` for every plan built, and exposed in `plan.facts`):

| Situation                      | Where (community key = alias)            | How it is built                                                                           |
|--------------------------------|------------------------------------------|-------------------------------------------------------------------------------------------|
| healthy community              | `ventes-ouest` "Ventes Ouest" (business) | ~60% of members post; every question answered by someone else within ~2 h;                |
|                                |                                          | the director (creator) posts the Monday question, the animator the Friday kudos           |
| dormant community              | `club-sport` "Club Sport & Loisirs"      | lively at first, no message nor reaction in the last 42 days (`DORMANT_DAYS`)             |
| silent animator                | `data-ia` "Data & IA" (practice)         | its creator and only animator posts tips and answers, then nothing (anywhere) for 35 days |
| questions unanswered for days  | `data-ia` room Entraide, `accueil`       | 3 + 1 questions 3 to 14 days old, no reply from another person (one has a 👀               |
|                                | room Questions pratiques                 | reaction, one a "Personne ?" follow-up by its asker); data-ia also has organic            |
|                                |                                          | ones, answered slowly or never after its animator fell silent                             |
| leaders who never post         | DG, DRH, DAF, industrial director        | members of communities, never send a message (the DG reacts now and then);                |
|                                |                                          | the sales director is a leader who does post (in Ventes Ouest)                            |
| lurkers (joined, never posted) | every community                          | a third of Ventes Ouest's members to four in five of Veille's never post; some            |
|                                |                                          | only react; `veille` is carried by its two animators (concentration)                      |
| recent newcomers               | `accueil` "Accueil" (newcomers)          | ~7% of staff arrived 8–28 days ago and joined in their first days; about half             |
|                                |                                          | introduce themselves, the rest never post                                                 |
| not yet onboarded              | nowhere                                  | ~2.5% of staff arrived in the last 5 days: in the HR export, in no community              |
| pending invitations            | `accueil`                                | a few newcomers invited 8+ days ago who never joined                                      |

Every community's Space and rooms are created by the rse account (the champion, which
audits ignore and which never posts in the seed); the person in the "creator" column of
COMMUNITIES is its founder: a veteran member (backdated join, like everyone who was there
before the window), moderator, who invites nobody himself (the champion sends invitations).
"""

from __future__ import annotations

import random
import statistics
from datetime import date, datetime

from rse_cli.sandbox import phrases, stories
from rse_cli.sandbox.people import (
    LEADER_ROLES,
    Person,
    arrival,
    make_people,
    pending_count,
)
from rse_cli.sandbox.plan import (
    CommunityPlan,
    Facts,
    Membership,
    Message,
    Plan,
    Question,
    Reaction,
    RoomPlan,
)
from rse_cli.sandbox.timeline import DAY, HOUR, MINUTE, Calendar, RoomLog

__all__ = ["COMMUNITIES", "MIN_DAYS", "MIN_PEOPLE", "build_plan", "check_plan"]

MIN_PEOPLE, MIN_DAYS = 40, 50
MIN_SPEAKERS = 4  # members who post, in every community
CHAMPION = "champion"

# key, name, kind, topic, creator role, animator roles, rooms (key, name, topic)
COMMUNITIES: tuple[tuple[str, str, str, str, str, tuple[str, ...], tuple[tuple[str, str, str], ...]], ...] = (
    (
        "ventes-ouest",
        "Ventes Ouest",
        "business",
        "L'équipe commerciale Ouest : affaires, clients, entraide.",
        "dir_ventes",
        ("resp_ventes_ouest",),
        (
            ("general", "Général", "Infos, réussites, question du lundi et kudos du vendredi"),
            ("affaires-en-cours", "Affaires en cours", "Entraide sur les dossiers clients"),
        ),
    ),
    (
        "data-ia",
        "Data & IA",
        "practice",
        "Communauté de pratique data, BI et IA : questions, astuces, ateliers.",
        "resp_data",
        (),
        (
            ("general", "Général", "Astuces, ateliers et partages"),
            ("entraide", "Entraide", "Posez vos questions data, on y répond"),
        ),
    ),
    (
        "veille",
        "Veille marché",
        "watch",
        "La veille partagée du marché de l'eau : articles, signaux, concurrence.",
        "resp_marketing",
        ("veilleuse",),
        (("general", "Général", "Articles et signaux du marché"), ("concurrence", "Concurrence", "Ce que font nos concurrents")),
    ),
    (
        "club-sport",
        "Club Sport & Loisirs",
        "club",
        "Running, vélo, foot à 5 : les sorties entre collègues.",
        "club_president",
        (),
        (("general", "Général", "La vie du club"), ("sorties", "Sorties", "Proposez une sortie, inscrivez-vous")),
    ),
    (
        "accueil",
        "Accueil",
        "newcomers",
        "L'espace des nouveaux arrivants : présentations, questions pratiques, bienvenue !",
        "integration",
        (),
        (
            ("general", "Général", "Présentez-vous !"),
            ("questions-pratiques", "Questions pratiques", "Badge, mutuelle, congés… demandez ici"),
        ),
    ),
)

PERSONAS = ("lurker", "reactor", "occasional", "regular", "super")
VOICE = {"lurker": 0, "reactor": 0, "occasional": 1, "regular": 3, "super": 7, "animator": 5}
REACT = {"lurker": 0, "reactor": 3, "occasional": 1.5, "regular": 2, "super": 2, "animator": 1.5}
# sales people talk more than most: that is what makes their community healthy
PERSONA_WEIGHTS = {"Ventes": (18, 10, 38, 28, 6), "default": (42, 16, 26, 13, 3)}


def build_plan(seed: int, people: int, days: int, anchor: datetime, server_name: str = "rse.test") -> Plan:
    """The whole company and its history; raises ValueError if a planted situation is missing."""
    if people < MIN_PEOPLE:
        raise ValueError(f"--people must be at least {MIN_PEOPLE}")
    if days < MIN_DAYS:
        raise ValueError(f"--days must be at least {MIN_DAYS} (the dormant community needs 42 silent days and a past)")
    rng = random.Random(seed)
    cal = Calendar(anchor, days)
    staff = make_people(rng, people, cal.today)
    uid = {p.localpart: f"@{p.localpart}:{server_name}" for p in staff}
    roles = {p.role: uid[p.localpart] for p in staff if p.role}
    champion = f"@{CHAMPION}:{server_name}"
    communities = [
        CommunityPlan(
            key,
            name,
            kind,
            topic,
            roles[creator],
            tuple(roles[a] for a in animators),
            rooms=tuple(RoomPlan(f"{key}/{rk}", rname, rtopic) for rk, rname, rtopic in rooms),
        )
        for key, name, kind, topic, creator, animators, rooms in COMMUNITIES
    ]
    cast = stories.Cast(cal, rng, {uid[p.localpart]: p for p in staff}, roles, {}, {}, people / 300)
    _personas(cast, staff, uid, communities)
    # the data community's animator stops speaking, everywhere, five weeks before the anchor
    cast.quiet_from[roles["resp_data"]] = cal.ago(stories.SILENT_ANIMATOR_DAYS) - DAY
    members, pending = _members(rng, staff, uid, roles, cal.today, cast.voice)
    logs: dict[str, RoomLog] = {}
    for com in communities:
        space = logs[com.key] = RoomLog(com.key)
        rooms = [logs.setdefault(r.key, RoomLog(r.key)) for r in com.rooms]
        _enrol(cast, com, space, rooms, members[com.key], champion, pending.get(com.key, {}))
    newcomers = [u for u in members["accueil"] if arrival(cast.people[u], cal.today) == "newcomer"]
    for com in communities:
        room_logs = {r.key: logs[r.key] for r in com.rooms}
        with phrases.fresh():  # no message repeats verbatim within a community
            if com.kind == "newcomers":
                stories.newcomers(cast, com, room_logs, newcomers)
            else:
                getattr(stories, com.kind)(cast, com, room_logs)

    plan = Plan(
        seed,
        days,
        anchor,
        server_name,
        staff,
        [roles[r] for r in LEADER_ROLES],
        champion,
        communities,
        {key: log.ordered() for key, log in logs.items()},
        facts=None,  # type: ignore[arg-type]  # set just below, once the plan exists
    )
    plan.facts = _facts(plan, cal, roles, pending)
    plan.counts = _counts(plan)
    problems = check_plan(plan)
    if problems:
        raise ValueError(f"seed {seed} gives an incomplete story: " + "; ".join(problems))
    return plan


def _personas(cast: stories.Cast, staff: list[Person], uid: dict[str, str], communities: list[CommunityPlan]) -> None:
    speakers = {c.creator for c in communities} | {a for c in communities for a in c.animators}
    for p in staff:
        user = uid[p.localpart]
        weights = PERSONA_WEIGHTS.get(p.department, PERSONA_WEIGHTS["default"])
        persona = cast.rng.choices(PERSONAS, weights=weights)[0]
        if arrival(p, cast.cal.today) == "newcomer":
            persona = "occasional" if cast.rng.random() < 0.45 else "lurker"
        if user in speakers:
            persona = "animator"
        cast.voice[user], cast.react[user] = VOICE[persona], REACT[persona]
    for role in LEADER_ROLES:
        if cast.roles[role] not in speakers:
            cast.voice[cast.roles[role]] = 0
            cast.react[cast.roles[role]] = 0.4 if role == "dg" else 0


def _members(
    rng: random.Random, staff: list[Person], uid: dict[str, str], roles: dict[str, str], today: date, voice: dict[str, float]
) -> tuple[dict[str, list[str]], dict[str, dict[str, str]]]:
    """Who belongs to which community (creators excluded: they are in by creating it).

    Small companies could leave a community with nobody to talk: each gets at least
    MIN_SPEAKERS members who post, drawn from the staff at large.
    """
    state = {p.localpart: arrival(p, today) for p in staff}
    present = [p for p in staff if state[p.localpart] != "not_onboarded"]
    arrived = [p for p in present if state[p.localpart] == "newcomer"]
    # a few newcomers were invited to Accueil and never came: they are nowhere else
    pending_people = [p for p in arrived if (today - p.start_date).days >= 8][: pending_count(len(staff))]
    pending_ids = {p.localpart for p in pending_people}
    present = [p for p in present if p.localpart not in pending_ids]
    arrived = [p for p in arrived if p.localpart not in pending_ids]

    def some(people: list[Person], share: float) -> list[Person]:
        return [p for p in people if rng.random() < share]

    sales_west = [p for p in present if p.department == "Ventes" and p.site in ("Nantes", "Bordeaux")]
    chosen: dict[str, list[Person]] = {
        "ventes-ouest": sales_west
        + some([p for p in present if p.department in ("Marketing", "Logistique") and p.site == "Nantes"], 0.2),
        "data-ia": some([p for p in present if p.department == "IT/Data"], 0.6)
        + some([p for p in present if p.department in ("Marketing", "Finance", "Production", "Ventes")], 0.07),
        "veille": [p for p in present if p.department == "Marketing"]
        + some([p for p in present if p.department == "Ventes"], 0.3)
        + some([p for p in present if p.department not in ("Marketing", "Ventes")], 0.05),
        "club-sport": some(present, 0.13),
        "accueil": arrived
        + some([p for p in present if p.department == "RH"], 0.7)
        + some([p for p in present if state[p.localpart] == "staff"], 0.02),
    }
    extra = {
        "ventes-ouest": ("dg", "resp_ventes_ouest"),
        "data-ia": ("dsi",),
        "veille": ("dg", "daf", "dir_ventes", "veilleuse"),
        "club-sport": ("dir_industriel",),
        "accueil": ("drh",),
    }
    creators = {key: roles[creator] for key, _, _, _, creator, _, _ in COMMUNITIES}
    members: dict[str, list[str]] = {}
    speakers = [uid[p.localpart] for p in present if voice[uid[p.localpart]] > 0 and state[p.localpart] == "staff"]
    for key, people in chosen.items():
        ids = [uid[p.localpart] for p in people] + [roles[r] for r in extra[key]]
        ids = [u for u in dict.fromkeys(ids) if u != creators[key]]
        missing = MIN_SPEAKERS - sum(voice[u] > 0 for u in ids)
        ids += rng.sample([u for u in speakers if u not in ids and u != creators[key]], max(0, missing))
        members[key] = ids
    return members, {"accueil": {uid[p.localpart]: p.start_date.isoformat() for p in pending_people}}


def _enrol(
    cast: stories.Cast,
    com: CommunityPlan,
    space: RoomLog,
    rooms: list[RoomLog],
    members: list[str],
    champion: str,
    pending: dict[str, str],
) -> None:
    """Invitations and joins: before the window for the old guard, on arrival for newcomers."""
    rng, cal = cast.rng, cast.cal
    for log in (space, *rooms):
        # the champion (rse's own account, which audits ignore) creates the rooms at seeding
        # time (see seed.py): createRoom cannot be backdated, so nobody else "joins today"
        log.joined[champion] = 0
    joins = {}
    for user in (com.creator, *members):  # the community's founder is a veteran like the others
        joins[user] = _join_time(cast, cast.people[user], always_before=user in com.animators or user == com.creator)
    for user, ts in sorted(joins.items(), key=lambda kv: kv[1]):
        space.invite(champion, user, ts - rng.randint(5, 24 * 60) * MINUTE)
        space.join(user, ts)
        # joining a Space joins none of its rooms: silent readers often stop there
        acts = user == com.creator or cast.voice.get(user, 0) > 0
        for i, room in enumerate(rooms):
            if acts or (i == 0 and (cast.react.get(user, 0) > 0 or rng.random() < 0.5)) or rng.random() < 0.1:
                room.join(user, ts + rng.randint(1, 20) * MINUTE)
    for user, start in pending.items():
        space.invite(champion, user, cal.office(rng, cal.ms(date.fromisoformat(start), 9)))


def _join_time(cast: stories.Cast, person: Person, always_before: bool) -> int:
    rng, cal = cast.rng, cast.cal
    if arrival(person, cal.today) == "newcomer":  # on the first day, or soon after
        return cal.office(rng, cal.ms(person.start_date, 9) + rng.randint(0, 3 * 24 * 60) * MINUTE)
    if not always_before and rng.random() < 0.08:  # someone who discovers the community during the window
        return cal.at(rng, rng.choice(cal.workdays))
    oldest = max(person.start_date.toordinal(), cal.first_day.toordinal() - 300)
    day = date.fromordinal(rng.randint(oldest, max(oldest, cal.first_day.toordinal() - 1)))
    return cal.office(rng, cal.ms(day, 9) + rng.randint(0, 9 * 60) * MINUTE)


def _descendants(messages: list[Message]) -> dict[str, list[Message]]:
    """Root key -> every message answering it, directly, in a thread, or down a reply chain."""
    by_key = {m.key: m for m in messages}

    def root_of(m: Message) -> str:
        while m.thread_root or m.reply_to:
            m = by_key[m.thread_root or m.reply_to]  # type: ignore[index]
        return m.key

    out: dict[str, list[Message]] = {m.key: [] for m in messages if m.is_root}
    for m in messages:
        if not m.is_root:
            out[root_of(m)].append(m)
    return out


def _facts(plan: Plan, cal: Calendar, roles: dict[str, str], pending: dict[str, dict[str, str]]) -> Facts:
    messages = [e for e in plan.events() if isinstance(e, Message)]
    answers = _descendants(messages)
    community_of = {r.key: c.key for c in plan.communities for r in c.rooms}
    unanswered = tuple(
        Question(m.key, community_of[m.room], m.room, m.sender, m.ts, m.body)
        for m in messages
        if m.is_question and m.ts <= cal.ago(stories.UNANSWERED_AGE[0]) and all(a.sender == m.sender for a in answers[m.key])
    )
    posters = {m.sender for m in messages}
    lurkers = {}
    for com in plan.communities:
        joined = {e.target for e in plan.timelines[com.key] if isinstance(e, Membership) and e.membership == "join"}
        spoke = {m.sender for m in messages if community_of[m.room] == com.key}
        lurkers[com.key] = tuple(sorted(joined - spoke - {plan.champion}))
    club = [m.ts for m in messages if community_of[m.room] == "club-sport"]
    data = plan.community("data-ia")
    animator_posts = [m.ts for m in messages if m.sender == data.creator]
    accueil_joins = [e for e in plan.timelines["accueil"] if isinstance(e, Membership) and e.membership == "join"]
    return Facts(
        healthy="ventes-ouest",
        dormant="club-sport",
        dormant_last_post=max(club, default=0),
        silent_animator_community="data-ia",
        silent_animator=data.creator,
        silent_animator_last_post=max(animator_posts, default=0),
        unanswered_questions=unanswered,
        leaders=tuple(plan.leaders),
        silent_leaders=tuple(u for u in plan.leaders if u not in posters),
        posting_leaders=tuple(u for u in plan.leaders if u in posters),
        lurkers=lurkers,
        newcomers=tuple(sorted({e.target for e in accueil_joins if e.ts >= cal.ago(30) and e.target != plan.champion})),
        not_onboarded=tuple(plan.user_id(p) for p in plan.people if arrival(p, cal.today) == "not_onboarded"),
        pending_invites=tuple(
            (com, user, e.ts)
            for com, people in pending.items()
            for user in people
            for e in plan.timelines[com]
            if isinstance(e, Membership) and e.target == user
        ),
    )


def _counts(plan: Plan) -> dict[str, int]:
    events = plan.events()
    msgs = [e for e in events if isinstance(e, Message)]
    return {
        "people": len(plan.people),
        "communities": len(plan.communities),
        "rooms": sum(len(c.rooms) for c in plan.communities),
        "messages": sum(1 for m in msgs if m.is_root),
        "replies": sum(1 for m in msgs if m.reply_to and not m.thread_root),
        "thread_messages": sum(1 for m in msgs if m.thread_root),
        "reactions": sum(1 for e in events if isinstance(e, Reaction)),
        "memberships": sum(1 for e in events if isinstance(e, Membership)),
        "events": len(events),
    }


def check_plan(plan: Plan) -> list[str]:
    """Every planted situation, verified on the plan itself; returns what is missing."""
    f, cal = plan.facts, Calendar(plan.anchor, plan.days)
    problems: list[str] = []
    messages = [e for e in plan.events() if isinstance(e, Message)]
    answers = _descendants(messages)
    healthy = plan.community(f.healthy)
    in_healthy = [m for m in messages if m.room.startswith(f"{f.healthy}/")]
    questions = [m for m in in_healthy if m.is_question]
    if any(all(a.sender == q.sender for a in answers[q.key]) for q in questions):
        problems.append("a question of the healthy community is unanswered")
    first = [min(a.ts for a in answers[q.key] if a.sender != q.sender) - q.ts for q in questions if answers[q.key]]
    if not first or statistics.median(first) > 4 * HOUR:
        problems.append("the healthy community answers slowly")
    recent = [m for m in in_healthy if m.ts >= cal.ago(30)]
    for animator in (healthy.creator, *healthy.animators):
        if not any(m.sender == animator for m in recent):
            problems.append(f"the healthy community's animator {animator} is silent")
    counts: dict[str, int] = {}
    for m in recent:
        counts[m.sender] = counts.get(m.sender, 0) + 1
    top = sorted(counts.values(), reverse=True)[: max(1, len(counts) // 10)]
    if not recent or sum(top) > 0.8 * len(recent) or len(counts) < 0.1 * (len(f.lurkers[f.healthy]) + len(counts)):
        problems.append("the healthy community is carried by too few people")
    if f.dormant_last_post == 0 or f.dormant_last_post > cal.ago(stories.DORMANT_DAYS):
        problems.append("the dormant community posted recently")
    animator_posts = [m for m in messages if m.sender == f.silent_animator]
    if len(animator_posts) < 3 or f.silent_animator_last_post > cal.ago(stories.SILENT_ANIMATOR_DAYS):
        problems.append("the silent animator is not silent (or never spoke)")
    if not any(q.community == f.silent_animator_community for q in f.unanswered_questions) or len(f.unanswered_questions) < 2:
        problems.append("too few unanswered questions")
    if len(f.silent_leaders) < 3 or not f.posting_leaders:
        problems.append("leaders: need silent ones and a posting one")
    if sum(len(v) for v in f.lurkers.values()) < max(6, len(plan.people) // 10) or sum(map(bool, f.lurkers.values())) < 3:
        problems.append("too few lurkers")
    if len(f.newcomers) < 2 or not f.not_onboarded or not f.pending_invites:
        problems.append("newcomers, not-onboarded people or pending invitations are missing")
    if not all(plan.counts.get(k) for k in ("replies", "thread_messages", "reactions")):
        problems.append("replies, threads or reactions are missing")
    if any(e.ts >= cal.end for e in plan.events()):
        problems.append("an event is not in the past")
    return problems
