"""What happens in each community of the sandbox company, day by day.

One function per community kind writes that community's rooms (RoomLog) from the shared
Cast. Each story plants its situation by construction (see company.py's table): the sales
community answers every question within the hour, the data community's animator falls
silent and questions wait, the club stops posting, the watch community is carried by two
people, the newcomers' space welcomes people who then mostly stay silent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rse_cli.sandbox.people import Person
from rse_cli.sandbox.phrases import REACTIONS, ask, context, say
from rse_cli.sandbox.plan import CommunityPlan, Message
from rse_cli.sandbox.timeline import DAY, HOUR, LUNCH_SLOTS, MINUTE, Calendar, RoomLog, count, pick

SILENT_ANIMATOR_DAYS = 35  # the data community's animator posts nothing in the last 35 days
DORMANT_DAYS = 42  # the club's last post is at least 42 days old
UNANSWERED_AGE = (3, 14)  # planted unanswered questions are 3 to 14 days old


@dataclass
class Cast:
    """Everything the stories share: the calendar, the dice, the people and how they behave."""

    cal: Calendar
    rng: random.Random
    people: dict[str, Person]  # user id -> person
    roles: dict[str, str]  # KEY_PEOPLE role -> user id
    voice: dict[str, float]  # user id -> how much they post (0: never)
    react: dict[str, float]  # user id -> how much they react (0: never)
    scale: float  # people / 300
    quiet_from: dict[str, int] = field(default_factory=dict)  # user id -> ts from which they never speak again

    def speaks(self, user: str, ts: int) -> bool:
        return ts < self.quiet_from.get(user, ts + 1)

    def first_name(self, user: str) -> str:
        return self.people[user].first_name


Who = Callable[[int, int], str | None]  # (reply index, ts) -> author, or None to stop


def discuss(
    c: Cast,
    room: RoomLog,
    root: Message,
    n: int,
    text: Callable[[int], str],
    who: Who,
    *,
    first: tuple[float, float],
    gap: tuple[float, float],
    office_hours: bool = True,
    thread: bool = False,
    limit: int | None = None,
) -> list[Message]:
    """Plan up to `n` answers to `root`: inline replies, or a thread."""
    limit = c.cal.end if limit is None else limit
    ts = root.ts
    out: list[Any] = []
    for i in range(n):
        ts = c.cal.later(c.rng, ts, first if i == 0 else gap, office_hours=office_hours)
        author = who(i, ts) if ts < limit else None
        for _ in range(3):  # people rarely answer twice: draw again (fallbacks may repeat)
            if author is None or author not in {m.sender for m in out}:
                break
            author = who(i, ts)
        if author is None:
            break
        if thread:
            msg = room.say(author, ts, text(i), reply_to=out[-1] if out else root, thread_root=root)
        else:
            parent = root if not out or c.rng.random() < 0.7 else c.rng.choice(out)
            msg = room.say(author, ts, text(i), reply_to=parent)
        out.append(msg)
    return out


def cheer(
    c: Cast, room: RoomLog, msg: Message, n: int, kind: str, *, limit: int | None = None, exclude: tuple[str, ...] = ()
) -> None:
    """Plan up to `n` reactions to `msg` by people who react."""
    limit = c.cal.end if limit is None else limit
    people = [u for u in room.members_at(msg.ts, exclude=(msg.sender, *exclude)) if c.speaks(u, msg.ts + DAY)]
    for user in pick(c.rng, people, c.react, k=n):
        ts = c.cal.later(c.rng, msg.ts, (1, 300))
        if ts < limit:
            room.react(user, ts, msg, c.rng.choice(REACTIONS[kind]))


def _posters(c: Cast, room: RoomLog, ts: int, exclude: tuple[str, ...] = ()) -> list[str]:
    return [u for u in room.members_at(ts, exclude=exclude) if c.voice.get(u, 0) > 0 and c.speaks(u, ts + DAY)]


def _one(c: Cast, room: RoomLog, ts: int, exclude: tuple[str, ...] = ()) -> str | None:
    chosen = pick(c.rng, _posters(c, room, ts, exclude), c.voice)
    return chosen[0] if chosen else None


def _colleague(c: Cast, room: RoomLog, ts: int, author: str) -> str:
    others = [u for u in room.members_at(ts, exclude=(author,)) if u in c.people]
    return c.rng.choice(others) if others else author


# -- Ventes Ouest: the healthy business community ---------------------------------------------
def business(c: Cast, com: CommunityPlan, logs: dict[str, RoomLog]) -> None:
    general, deals = (logs[r.key] for r in com.rooms)
    director, animator = com.creator, com.animators[0]
    rng, cal = c.rng, c.cal

    def answerers(room: RoomLog, asker: str) -> Who:
        # everybody answers fast here; the team's leads step in when nobody else is around
        return lambda i, ts: _one(c, room, ts, exclude=(asker,)) or (animator if asker != animator else director)

    for day in cal.workdays:
        plans: list[tuple[str, str, int, str]] = []  # (kind, author, ts, room)
        if day.weekday() == 0:
            plans.append(("weekly_question", director, cal.ms(day, 8.75) + rng.randrange(0, HOUR), general.key))
        if day.weekday() == 4:
            plans.append(("kudos", animator, cal.ms(day, 15.5) + rng.randrange(0, 90 * MINUTE), general.key))
        for _ in range(count(rng, 2.2 * c.scale + 0.3)):
            kind = rng.choices(("question", "deal", "info"), weights=(45, 30, 25))[0]
            target = general if kind == "info" or rng.random() < 0.15 else deals
            plans.append((kind, "", cal.at(rng, day), target.key))
        for kind, author, ts, room_key in plans:
            room = logs[room_key]
            if ts + 3 * HOUR >= cal.end:  # everything asked here gets its answer before the anchor
                continue
            author = author or _one(c, room, ts) or animator
            ctx = context(rng, {"collegue": c.first_name(_colleague(c, room, ts, author))})
            if kind == "weekly_question":
                body, answer = ask("ventes.weekly_question", rng, ctx)
                root = room.say(author, ts, body)
                discuss(
                    c,
                    room,
                    root,
                    rng.randint(3, 7),
                    answer,
                    answerers(room, author),
                    first=(8, 40),
                    gap=(5, 120),
                    office_hours=False,
                    thread=rng.random() < 0.3,
                )
                cheer(c, room, root, rng.randint(1, 3), com.kind)
            elif kind == "kudos":
                hero = _colleague(c, room, ts, author)
                ctx["collegue"] = c.first_name(hero)
                root = room.say(author, ts, say("ventes.kudos", rng, ctx), mentions=(hero,))
                discuss(
                    c,
                    room,
                    root,
                    rng.randint(2, 5),
                    lambda i: say("ventes.congrats", rng, ctx),
                    answerers(room, author),
                    first=(3, 30),
                    gap=(2, 60),
                    office_hours=False,
                    thread=rng.random() < 0.5,
                )
                cheer(c, room, root, rng.randint(2, 6), com.kind)
            elif kind == "question":
                body, answer = ask("ventes.question", rng, ctx)
                root = room.say(author, ts, body)
                answers = discuss(
                    c,
                    room,
                    root,
                    rng.randint(1, 4),
                    answer,
                    answerers(room, author),
                    first=(4, 75),
                    gap=(5, 120),
                    office_hours=False,
                    thread=rng.random() < 0.25,
                )
                thanks_at = answers[-1].ts + rng.randint(2, 40) * MINUTE if answers else cal.end
                if thanks_at < cal.end and rng.random() < 0.5:
                    room.say(author, thanks_at, say("thanks", rng), reply_to=answers[0])
                cheer(c, room, root, rng.randint(0, 1), com.kind)
            else:
                root = room.say(author, ts, say(f"ventes.{kind}", rng, ctx))
                n = rng.randint(1, 4) if kind == "deal" else rng.randint(0, 2)
                reply = "ventes.congrats" if kind == "deal" else "ventes.ack"
                discuss(
                    c,
                    room,
                    root,
                    n,
                    lambda i: say(reply, rng, ctx),
                    answerers(room, author),
                    first=(3, 60),
                    gap=(3, 90),
                    office_hours=False,
                    thread=kind == "deal" and rng.random() < 0.5,
                )
                cheer(c, room, root, rng.randint(2, 5) if kind == "deal" else rng.randint(0, 3), com.kind)


# -- Data & IA: the animator went silent, questions wait ----------------------------------------
def practice(c: Cast, com: CommunityPlan, logs: dict[str, RoomLog]) -> None:
    general, help_room = (logs[r.key] for r in com.rooms)
    animator, rng, cal = com.creator, c.rng, c.cal
    silent_from = c.quiet_from[animator]

    def helpers(asker: str) -> Who:
        def who(i: int, ts: int) -> str | None:
            if ts < silent_from and rng.random() < 0.5 and asker != animator:
                return animator
            return _one(c, help_room, ts, exclude=(asker, animator))

        return who

    planted = _planted_days(c, 3)
    for day in cal.workdays:
        noon = cal.ms(day, 12)
        if noon < silent_from - HOUR and day.weekday() in (0, 1, 3):
            ts = cal.at(rng, day)
            root = general.say(animator, ts, say("data.tip", rng))
            discuss(
                c,
                general,
                root,
                rng.randint(0, 2),
                lambda i: say("data.comment", rng),
                lambda i, t: _one(c, general, t, exclude=(animator,)),
                first=(20, 240),
                gap=(30, 600),
            )
            cheer(c, general, root, rng.randint(1, 3), com.kind, exclude=(animator,))
        for _ in range(count(rng, 0.9 * c.scale + 0.3)):
            ts = cal.at(rng, day)
            author = _one(c, help_room, ts, exclude=() if ts < silent_from - 4 * DAY else (animator,))
            if author is None or ts + 3 * DAY >= cal.end:
                continue  # recent days only hold the planted questions: their state is known
            if rng.random() < 0.3:
                root = general.say(author, ts, say("data.tip", rng))
                cheer(c, general, root, rng.randint(0, 3), com.kind, exclude=(animator,) if ts >= silent_from else ())
                continue
            body, answer = ask(
                "data.question", rng, context(rng, {"collegue": c.first_name(_colleague(c, help_room, ts, author))})
            )
            root = help_room.say(author, ts, body)
            before = ts < silent_from
            if rng.random() < (0.95 if before else 0.6):
                answers = discuss(
                    c,
                    help_room,
                    root,
                    rng.randint(1, 3),
                    answer,
                    helpers(author),
                    first=(20, 300) if before else (300, 3600),
                    gap=(30, 1440),
                    thread=rng.random() < 0.3,
                )
                thanks_at = cal.later(rng, answers[0].ts, (5, 180)) if answers else cal.end
                if thanks_at < (silent_from if author == animator else cal.end) and rng.random() < 0.6:
                    help_room.say(author, thanks_at, say("thanks", rng), reply_to=answers[0])
            cheer(c, help_room, root, rng.randint(0, 2), com.kind, exclude=() if before else (animator,))
        if day in planted:
            _unanswered(c, help_room, day, planted.index(day), exclude=(animator,))


def _planted_days(c: Cast, n: int) -> list:
    lo, hi = UNANSWERED_AGE
    days = c.cal.workdays_between(c.cal.ago(hi), c.cal.ago(lo))
    return sorted(c.rng.sample(days, min(n, len(days))))


def _unanswered(c: Cast, room: RoomLog, day, variant: int, exclude: tuple[str, ...]) -> None:
    """A question nobody answers: plain (0), seen by someone (1), or followed up by the asker (2)."""
    rng, cal = c.rng, c.cal
    ts = cal.at(rng, day)
    asker = _one(c, room, ts, exclude=exclude)
    if asker is None:
        return
    kind = "accueil.question" if room.key.startswith("accueil") else "data.question"
    root = room.say(asker, ts, ask(kind, rng, context(rng, {"site": c.people[asker].site}))[0])
    if variant == 1:
        cheer(c, room, root, 1, "practice", exclude=exclude)
    elif variant == 2:
        again = cal.later(rng, ts, (20 * 60, 30 * 60))
        again = again if again < cal.end else cal.later(rng, ts, (60, 120), office_hours=False)
        room.say(asker, again, say("self.followup", rng), reply_to=root)


# -- Veille: two people carry it, most members read --------------------------------------------
def watch(c: Cast, com: CommunityPlan, logs: dict[str, RoomLog]) -> None:
    general, competition = (logs[r.key] for r in com.rooms)
    main, rng, cal = (com.creator, *com.animators), c.rng, c.cal
    for day in cal.workdays:
        for _ in range(count(rng, 1.1 * c.scale + 0.3)):
            ts = cal.at(rng, day)
            room = competition if rng.random() < 0.3 else general
            author = rng.choice(main) if rng.random() < 0.88 else (_one(c, room, ts, exclude=main) or main[0])
            root = room.say(author, ts, say("veille.link", rng))
            if rng.random() < 0.12:  # readers rarely comment: the two animators carry it
                discuss(
                    c,
                    room,
                    root,
                    1,
                    lambda i: say("veille.comment", rng),
                    lambda i, t: _one(c, room, t, exclude=(author,)),
                    first=(30, 600),
                    gap=(30, 600),
                )
            cheer(c, room, root, rng.randint(0, 3), com.kind)


# -- Club sport: lively, then nothing for six weeks ----------------------------------------------
def club(c: Cast, com: CommunityPlan, logs: dict[str, RoomLog]) -> None:
    general, outings = (logs[r.key] for r in com.rooms)
    rng, cal = c.rng, c.cal
    last = cal.ago(DORMANT_DAYS) - DAY
    days = cal.workdays_between(cal.start, last - DAY)
    for day in days:
        # the club was lively: its president proposes an outing at least every other day
        for n in range(max(count(rng, 0.8 * c.scale + 0.3), (days.index(day) + 1) % 2)):
            ts = cal.at(rng, day, LUNCH_SLOTS)
            if n == 0 or rng.random() < 0.65:
                author = com.creator if n == 0 or rng.random() < 0.4 else (_one(c, outings, ts) or com.creator)
                ctx = context(rng)  # "je passe à {heure}" answers the outing's own time
                root = outings.say(author, ts, say("sport.outing", rng, ctx))
                discuss(
                    c,
                    outings,
                    root,
                    rng.randint(1, 6),
                    lambda i: say("sport.join", rng, ctx),
                    lambda i, t: _one(c, outings, t, exclude=(author,)),
                    first=(5, 120),
                    gap=(5, 180),
                    thread=rng.random() < 0.3,
                    limit=last,
                )
                cheer(c, outings, root, rng.randint(0, 2), com.kind, limit=last)
            else:
                author = _one(c, general, ts) or com.creator
                root = general.say(author, ts, say("sport.report", rng))
                discuss(
                    c,
                    general,
                    root,
                    rng.randint(0, 3),
                    lambda i: say("sport.cheer", rng),
                    lambda i, t: _one(c, general, t, exclude=(author,)),
                    first=(10, 240),
                    gap=(10, 240),
                    limit=last,
                )
                cheer(c, general, root, rng.randint(1, 4), com.kind, limit=last)


# -- Accueil: newcomers are welcomed, most stay silent ---------------------------------------------
def newcomers(c: Cast, com: CommunityPlan, logs: dict[str, RoomLog], arrivals: list[str]) -> None:
    general, practical = (logs[r.key] for r in com.rooms)
    host, rng, cal = com.creator, c.rng, c.cal

    def hosts(i: int, ts: int) -> str | None:  # the host welcomes first, then a colleague or two
        return host if i == 0 else _one(c, general, ts, exclude=(host,))

    for user in sorted(arrivals, key=lambda u: general.joined.get(u, 0)):
        joined = general.joined.get(user)
        if joined is None or c.voice.get(user, 0) == 0:
            continue
        p = c.people[user]
        ts = cal.later(rng, joined, (30, 2 * 24 * 60))
        if ts + 3 * HOUR >= cal.end:
            continue
        ctx = {"site": p.site, "poste": p.job_title.lower(), "prenom": p.first_name, "departement": p.department}
        intro = general.say(user, ts, say("accueil.intro", rng, ctx))
        discuss(
            c,
            general,
            intro,
            rng.randint(1, 3),
            lambda i: say("accueil.welcome", rng, ctx),
            hosts,
            first=(15, 120),
            gap=(10, 300),
        )
        cheer(c, general, intro, rng.randint(1, 4), com.kind)
    planted = _planted_days(c, 1)
    for day in cal.workdays:
        friday = cal.ms(day, 16) + rng.randrange(0, 2 * HOUR)
        week = [u for u in arrivals if friday - 7 * DAY < general.joined.get(u, 0) < friday] if day.weekday() == 4 else []
        if week and friday < cal.end:
            names = [c.first_name(u) for u in week]
            text = ", ".join(names[:-1]) + " et " + names[-1] if len(names) > 1 else names[0]
            root = general.say(
                host,
                friday,
                say("accueil.welcome_batch" if len(week) > 1 else "accueil.welcome_one", rng, {"prenoms": text}),
                mentions=tuple(week),
            )
            cheer(c, general, root, rng.randint(1, 5), com.kind)
        if day.weekday() == 1 and rng.random() < 0.5:
            root = general.say(host, cal.at(rng, day), say("accueil.news", rng))
            cheer(c, general, root, rng.randint(0, 3), com.kind)
        for _ in range(count(rng, 0.3 * c.scale + 0.1)):
            ts = cal.at(rng, day)
            asker = _one(c, practical, ts, exclude=(host,))
            if asker is None or ts + 3 * DAY >= cal.end:
                continue
            body, answer = ask("accueil.question", rng, context(rng, {"site": c.people[asker].site}))
            root = practical.say(asker, ts, body)
            discuss(
                c,
                practical,
                root,
                rng.randint(1, 2),
                answer,
                lambda i, t: host if i == 0 else _one(c, practical, t, exclude=(asker,)),
                first=(20, 180),
                gap=(20, 600),
            )
        if day in planted:
            _unanswered(c, practical, day, 0, exclude=(host,))
