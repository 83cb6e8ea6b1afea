"""Health audit over a store filled with a controlled history: each planted situation is found
with its code, and the healthy community gets no warning."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from rse_cli.config import Settings
from rse_cli.network.matrix.ids import MatrixAddressing
from rse_cli.services import health
from rse_cli.store import Store

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ME = "@rse:corp.test"
MATRIX = MatrixAddressing(server_name="corp.test")
_ids = itertools.count()


def uid(name: str) -> str:
    return f"@{name}:corp.test"


class World:
    """Writes synced-looking data straight into a Store, with timestamps relative to NOW."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def community(
        self, key: str, name: str, *, rooms=("Général",), members: dict[str, int] = None, invited=(), created: float = 400
    ) -> dict:
        """`created` days ago, rse's account created it: its join is the community's first event, as on Matrix."""
        if members is None:
            members = {}
        space = f"!{key}"
        room_ids = {r: f"!{key}-{i}" for i, r in enumerate(rooms)}
        with self.store.tx() as db:
            db.execute(
                "INSERT INTO communities (id, name, alias, synced_at) VALUES (?, ?, ?, ?)",
                (space, name, f"#{key}:corp.test", NOW.isoformat()),
            )
            db.execute("INSERT INTO rooms (id, community_id, name, is_main) VALUES (?, ?, ?, 1)", (space, space, name))
            for r, rid in room_ids.items():
                db.execute("INSERT INTO rooms (id, community_id, name, is_main) VALUES (?, ?, ?, 0)", (rid, space, r))
            for person, power in {ME: 100, **members}.items():
                role = "owner" if power >= 100 else "animator" if power >= 50 else "member"
                db.execute(
                    "INSERT INTO members VALUES (?, ?, ?, 'join', ?, ?)",
                    (space, person, person[1:].split(":")[0].title(), role, power),
                )
            for person in invited:
                db.execute("INSERT INTO members VALUES (?, ?, ?, 'invite', 'member', 0)", (space, person, None))
        if created is not None:
            self.join(space, ME, created)
        return {"space": space, **room_ids}

    def event(
        self,
        room: str,
        sender: str,
        days_ago: float,
        kind: str = "post",
        body: str | None = None,
        parent: str | None = None,
        membership: str | None = None,
        target: str | None = None,
        thread_root: str | None = None,
    ) -> str:
        eid = f"$e{next(_ids)}"
        ts = int((NOW - timedelta(days=days_ago)).timestamp() * 1000)
        with self.store.tx() as db:
            db.execute(
                "INSERT INTO events (id, room_id, sender, ts, kind, body, parent_id, thread_root, reaction_key, membership, target) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    eid,
                    room,
                    sender,
                    ts,
                    kind,
                    body if kind in ("post", "reply", "thread") else None,
                    parent,
                    thread_root,
                    "👍" if kind == "reaction" else None,
                    membership,
                    target,
                ),
            )
        return eid

    def join(self, space: str, person: str, days_ago: float) -> None:
        self.event(space, person, days_ago, "membership", membership="join", target=person)

    def invite(self, space: str, person: str, days_ago: float) -> None:
        self.event(space, ME, days_ago, "membership", membership="invite", target=person)


def settings(**kw) -> Settings:
    kw.setdefault("lang", "fr")  # these tests read the findings' French texts
    return Settings(user=ME, client_url="https://matrix.to/#/", leaders=[uid("dg"), uid("drh")], **kw)


@pytest.fixture
def world(tmp_path) -> World:
    return World(Store(str(tmp_path / "rse.db")))


def plant(w: World) -> None:
    """A healthy community, and one community per planted situation."""
    people = [uid(f"p{i}") for i in range(10)]
    # healthy: an animator who posts, many contributors, questions answered within hours
    h = w.community("sante", "Santé", members={uid("anim"): 50, **dict.fromkeys(people, 0), uid("dg"): 0})
    for p in [*people, uid("anim")]:
        w.join(h["space"], p, 90)
    for day in range(0, 28, 2):
        author = people[day % 10]
        q = w.event(h["Général"], author, day + 0.5, body=f"Qui a un retour sur le sujet {day} ?")
        w.event(h["Général"], people[(day + 1) % 10], day + 0.4, "reply", body="Oui, voilà", parent=q)
        w.event(h["Général"], uid("anim"), day + 0.3, "reaction", parent=q)
        w.event(h["Général"], uid("anim"), day + 0.2, body=f"Point d'étape {day}")
    w.event(h["Général"], uid("dg"), 3, body="Bravo à toute l'équipe")  # the CEO speaks: only drh is a silent leader

    # dormant: last post 45 days ago
    d = w.community("dormant", "Dormante", members={uid("anim2"): 50, uid("p1"): 0, uid("p2"): 0})
    w.event(d["Général"], uid("p1"), 45, body="Dernier message")
    w.event(d["Général"], uid("anim2"), 44, "reply", body="réponse", parent=None)

    # a question waiting for 5 days, a silent animator, slow replies, an old invitation
    u = w.community(
        "questions", "Questions", members={uid("anim3"): 50, uid("ann"): 0, uid("ben"): 0, uid("cy"): 0}, invited=[uid("late")]
    )
    w.invite(u["space"], uid("late"), 12)
    w.event(u["Général"], uid("ann"), 5, body="Comment on déclare un déplacement ?")
    for i in range(3):
        q = w.event(u["Général"], uid("ben"), 10 + i, body=f"Sujet {i}")
        w.event(u["Général"], uid("cy"), 10 + i - 2, "reply", body="ok", parent=q)  # answered after two days

    # no animator, concentration (one person writes everything), low participation (1 of 20)
    c = w.community("monologue", "Monologue", members={uid("solo"): 0, **{uid(f"m{i}"): 0 for i in range(19)}})
    for i in range(12):
        w.event(c["Général"], uid("solo"), i + 0.1, body=f"Info {i}")


def by_name(report):
    return {c.name: c for c in report.communities}


def codes(c):
    return {f.code: f.severity for f in c.findings}


def test_planted_situations_are_found_with_their_codes(world):
    plant(world)
    report = health.audit(world.store, settings(), addressing=MATRIX, now=NOW)
    got = by_name(report)
    assert codes(got["Santé"]) == {}
    assert got["Santé"].score >= 85

    assert codes(got["Dormante"])["dormant"] == "critical"
    q = got["Questions"]
    assert {"unanswered_questions", "silent_animator", "slow_replies", "pending_invites"} <= set(codes(q))
    assert codes(q)["pending_invites"] == "info"
    [late] = [f for f in q.findings if f.code == "unanswered_questions"]
    assert [e.label for e in late.evidence] == ["Ann\u00a0: Comment on déclare un déplacement ?"]  # French typography
    assert late.evidence[0].link.startswith("https://matrix.to/#/!questions-0/$") and late.evidence[0].link.endswith(
        "?via=corp.test"
    )
    assert late.action
    [silent] = [f for f in q.findings if f.code == "silent_animator"]
    assert [e.id for e in silent.evidence] == [uid("anim3")]
    assert q.metrics["median_first_reply_hours"] == 48.0

    m = codes(got["Monologue"])
    assert {"no_animator", "concentration", "low_participation"} <= set(m)
    assert got["Monologue"].score < got["Santé"].score

    # leaders: reported once, network-wide, only the one who wrote nothing
    assert [f.code for f in report.findings] == ["silent_leaders"]
    assert [e.id for e in report.findings[0].evidence] == [uid("drh")]
    assert all(f.code != "silent_leaders" for c in report.communities for f in c.findings)


def test_dormant_warning_then_critical_and_thresholds_are_configurable(world):
    d = world.community("calme", "Calme", members={uid("a"): 50})
    world.event(d["Général"], uid("a"), 25, body="hello")
    assert codes(health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities[0])["dormant"] == "warning"
    assert (
        codes(health.audit(world.store, settings(), addressing=MATRIX, now=NOW + timedelta(days=20)).communities[0])["dormant"]
        == "critical"
    )
    relaxed = settings(audit={"dormant_warning_days": 30, "dormant_critical_days": 60})
    assert "dormant" not in codes(health.audit(world.store, relaxed, now=NOW, addressing=MATRIX).communities[0])


def test_metrics_and_json_shape(world):
    plant(world)
    report = health.audit(world.store, settings(), ["sante"], addressing=MATRIX, now=NOW, window_days=30)
    data = report.model_dump(mode="json")
    assert set(data) == {"generated_at", "window_days", "communities", "findings", "network", "notes"}
    [c] = data["communities"]
    assert set(c) == {"id", "name", "score", "band", "too_new", "metrics", "findings", "notes"} and c["too_new"] is False
    assert data["notes"] == c["notes"] == []  # Matrix dates joins and reads every message: nothing approximate
    m = c["metrics"]
    assert m["members"] == 12  # rse's own account is not counted
    assert m["animators"] == 1 and m["animator_posts"] == 14
    assert m["questions"] == 14 and m["unanswered_questions"] == 0
    assert m["posts"] == 29 and m["replies"] == 14 and m["reactions"] == 14
    assert m["leader_posts"] == 1
    assert m["participation"]["reactors"] == 0 and m["lurkers"] == 0
    assert m["median_first_reply_hours"] == 2.4
    assert len(m["activity_by_week"]) == 12 and sum(w["messages"] for w in m["activity_by_week"]) == 43


def test_snapshots_make_a_trend(world):
    plant(world)
    for days in (14, 7, 0):
        health.save_snapshots(
            world.store, health.audit(world.store, settings(), ["dormante"], addressing=MATRIX, now=NOW - timedelta(days=days))
        )
    rows = health.history(world.store, "dormante", addressing=MATRIX)
    assert [r.score for r in rows] == sorted([r.score for r in rows], reverse=True)
    assert rows[0].delta is None and rows[-1].trend in {"↓", "="}
    with pytest.raises(Exception, match="no audit recorded"):
        health.history(world.store, "sante", addressing=MATRIX)


def test_the_account_rse_runs_as_is_never_an_animator(world):
    world.community("seul", "Seul", members={uid("x"): 0})
    c = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities[0]
    assert c.metrics["animators"] == 0 and "no_animator" in codes(c)


def test_every_root_message_of_a_qa_room_is_a_question(world):
    c = world.community("aide", "Aide", rooms=("Général", "Questions"), members={uid("a"): 50, uid("b"): 0})
    world.event(c["Questions"], uid("b"), 4, body="Le VPN ne marche plus")
    world.event(c["Général"], uid("a"), 1, body="Bonne semaine à tous")
    assert health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities[0].metrics["questions"] == 0
    [h] = health.audit(world.store, settings(qa_rooms=["questions"]), now=NOW, addressing=MATRIX).communities
    assert h.metrics["questions"] == 1 and "unanswered_questions" in codes(h)


def test_report_headline_counts_a_person_of_several_communities_once(world):
    from rse_cli.services.report import render_html

    shared = {uid("anim"): 50, uid("both"): 0}
    world.community("un", "Un", members={**shared, uid("only1"): 0})
    world.community("deux", "Deux", members={**shared, uid("only2"): 0})
    report = health.audit(world.store, settings(), addressing=MATRIX, now=NOW)
    assert [c.metrics["members"] for c in report.communities] == [3, 3]
    assert report.people == 4 and "people" not in report.model_dump(mode="json")
    html = render_html(report, settings=settings())
    assert '<div class="kpi"><b>4</b><span>membres</span></div>' in html


def test_an_invited_animator_who_has_not_joined_is_reported_by_name_not_as_no_animator(world):
    c = world.community("neuve", "Neuve", members={uid("a"): 0})
    with world.store.tx() as db:  # `community create --animator X`: X invited with the animator's power level
        db.execute("INSERT INTO members VALUES (?, ?, ?, 'invite', 'animator', 50)", (c["space"], uid("xavier"), "Xavier Roux"))
    [h] = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities
    found = {f.code: f for f in h.findings}
    assert "no_animator" not in found
    f = found["animator_not_joined"]
    assert f.severity == "info" and "Xavier Roux" in f.message and [e.id for e in f.evidence] == [uid("xavier")]
    assert "Relancez" in f.action


def test_rse_posts_are_not_activity_nor_questions_but_their_replies_count(world):
    c = world.community("rse", "Rse", members={uid("anim"): 50, uid("b"): 0})
    welcome = world.event(c["Général"], ME, 1, body="Présentez-vous en une phrase : quel est votre rôle ?")
    with world.store.tx() as db:  # what `rse post` records: the store knows rse sent it
        db.execute(
            "INSERT INTO sent (profile, key, room_id, txn_id, event_id, at) VALUES ('default', 'k', ?, 't', ?, '2026')",
            (c["Général"], welcome),
        )
    world.event(c["Général"], uid("b"), 0.5, "reply", body="Je suis acheteuse", parent=welcome)
    [h] = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities
    assert h.metrics["questions"] == 0 and h.metrics["posts"] == 0 and h.metrics["replies"] == 1 and h.metrics["messages"] == 1


def test_questions_open_in_french_or_english_and_an_answer_from_the_asker_does_not_count(world):
    c = world.community("q", "Q", members={uid("anim"): 50, uid("b"): 0, uid("c"): 0})
    for who in ("b", "c"):
        world.join(c["space"], uid(who), 80)
    asked = world.event(c["Général"], uid("b"), 5, body="Quelqu'un sait où est le modèle de devis")
    world.event(c["Général"], uid("b"), 4, "reply", body="Personne ?", parent=asked)
    world.event(c["Général"], uid("c"), 5, body="Does anyone have the Q3 deck")
    world.event(c["Général"], uid("c"), 4, body="Réunion d'équipe jeudi")  # not a question
    [h] = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities
    assert h.metrics["questions"] == 2 and h.metrics["unanswered_questions"] == 2
    late = next(f for f in h.findings if f.code == "unanswered_questions")
    assert "2 questions" in late.message and "(s)" not in late.message


def test_introductions_make_newcomers_and_levels_retention_absence_factor_are_measured(world):
    c = world.community(
        "acc", "Accueil", members={uid("host"): 50, uid("new"): 0, uid("old"): 0, **{uid(f"r{i}"): 0 for i in range(4)}}
    )
    world.join(c["space"], uid("host"), 300)
    world.join(c["space"], uid("old"), 60)  # joined 30-90 days ago, wrote once, then nothing
    world.join(c["space"], uid("new"), 6)
    world.event(c["Général"], uid("old"), 55, body="Bonjour à tous, je rejoins l'équipe achats")
    intro = world.event(c["Général"], uid("new"), 5, body="Bonjour à tous ! Je viens d'arriver à Lyon comme acheteuse.")
    world.event(c["Général"], uid("host"), 4.9, "reply", body="Bienvenue !", parent=intro)
    for day in range(12):  # the host is active on 12 of the last 28 days: "core"
        world.event(c["Général"], uid("host"), day + 0.2, body=f"Info pratique numéro {day}")
    [h] = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities
    m = h.metrics
    assert m["introductions"] == 1 and m["questions"] == 0
    assert m["member_levels"]["core"] == 1 and m["member_levels"]["occasional"] == 1
    assert m["newcomer_retention"] == {"cohort": 1, "posted": 1, "active": 0}
    assert m["absence_factor"] == 1 and "concentration" in codes(h)
    assert set(m["score_parts"]) == {"participation", "responsiveness", "engagement", "recency", "animation"}


def test_a_third_of_questions_unanswered_is_never_green(world):
    people = [uid(f"p{i}") for i in range(6)]
    c = world.community("vert", "Vert", members={uid("anim"): 50, **dict.fromkeys(people, 0)})
    for day in range(28):
        author, other = people[day % 6], people[(day + 1) % 6]
        q = world.event(c["Général"], author, day + 3, body=f"Qui a un avis sur le point {day} ?")
        if day % 3:  # one question in three waits
            world.event(c["Général"], other, day + 2.9, "reply", body="Oui", parent=q)
        world.event(c["Général"], uid("anim"), day + 0.1, "reaction", parent=q)
        world.event(c["Général"], uid("anim"), day + 0.2, body=f"Point {day}")
    [h] = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities
    assert h.metrics["unanswered_share"] >= 1 / 3
    assert h.band != "green" and h.score < 70


def test_quiet_top_contributors_and_movers_since_the_last_snapshot(world):
    c = world.community("mv", "Mouvements", members={uid("star"): 0, **{uid(f"m{i}"): 0 for i in range(5)}})
    for day in range(20, 44):  # star writes a lot, then nothing for 20 days
        world.event(c["Général"], uid("star"), day, body=f"Retour d'expérience {day}")
    for i in range(5):
        world.event(c["Général"], uid(f"m{i}"), 30 + i, body=f"Merci pour le partage {i}")
        world.event(c["Général"], uid(f"m{i}"), 2 + i, body=f"Nouvelle info {i}")
    before = health.audit(world.store, settings(), addressing=MATRIX, now=NOW - timedelta(days=20))
    health.save_snapshots(world.store, before)
    [h] = health.audit(world.store, settings(), addressing=MATRIX, now=NOW).communities
    assert h.metrics["quiet_top_contributors"] == ["Star"]
    f = next(f for f in h.findings if f.code == "quiet_top_contributors")
    assert [e.id for e in f.evidence] == [uid("star")] and "mot personnel" in f.action
    # 8 active days left in the last 28: from core (>= 10 days) down to regular (3-9)
    assert {"name": "Star", "from": "core", "to": "regular"} in h.metrics["level_moves"]["down"]


def test_network_view_from_the_hr_export(world):
    world.community("un", "Un", members={uid("a"): 0, uid("b"): 0})
    report = health.audit(
        world.store,
        settings(),
        addressing=MATRIX,
        now=NOW,
        company=[uid("a"), uid("b"), uid("c"), uid("d")] + [uid(f"z{i}") for i in range(8)],
    )
    n = report.network
    assert n["people"] == 12 and n["in_a_community"] == 2 and n["member_share"] == round(2 / 12, 3)
    assert [f.code for f in report.findings if f.code == "low_reach"] == ["low_reach"]


# -- too new to score: a community that has not lived a whole window is not scored (docs/health.md) --


def _young_and_old(w: World) -> None:
    """Neuve: created minutes ago, nobody in it yet. Jeune: 20 days old, lively. Ancienne: a year old, lively."""
    w.community("neuve", "Neuve", created=0.01)
    for key, name, created in (("jeune", "Jeune", 20), ("ancienne", "Ancienne", 400)):
        people = [uid(f"{key}{i}") for i in range(4)]
        c = w.community(key, name, members={uid(f"{key}-anim"): 50, **dict.fromkeys(people, 0)}, created=created)
        for p in [*people, uid(f"{key}-anim")]:
            w.join(c["space"], p, created - 0.5)
        for day in range(0, 18, 2):
            q = w.event(c["Général"], people[day % 4], day + 0.5, body=f"Qui a un avis sur le point {day} ?")
            w.event(c["Général"], uid(f"{key}-anim"), day + 0.4, "reply", body="Oui", parent=q)


def test_a_community_younger_than_the_window_is_too_new_to_score(world):
    _young_and_old(world)
    report = health.audit(world.store, settings(), addressing=MATRIX, now=NOW)
    got = by_name(report)
    for name in ("Neuve", "Jeune"):
        c = report.model_dump(mode="json")["communities"][list(got).index(name)]
        assert (c["score"], c["band"], c["too_new"]) == (None, None, True), name
    assert got["Ancienne"].score is not None and got["Ancienne"].too_new is False
    assert codes(got["Neuve"]) == {"no_animator": "warning"}  # what to do still says so
    assert [c.name for c in report.scored()] == ["Ancienne"]
    # a shorter window: Jeune has lived it whole, and is scored like any other
    short = by_name(health.audit(world.store, settings(), addressing=MATRIX, now=NOW, window_days=14))
    assert short["Jeune"].score is not None and short["Jeune"].band is not None and short["Neuve"].score is None


@pytest.mark.parametrize(("lang", "label"), [("fr", "trop récente pour être notée"), ("en", "too new to score")])
def test_the_report_names_too_new_communities_and_leaves_them_out_of_the_average(world, lang, label):
    from rse_cli.services.report import render_html

    _young_and_old(world)
    s = settings(lang=lang)
    report = health.audit(world.store, s, addressing=MATRIX, now=NOW)
    old = by_name(report)["Ancienne"].score
    html = render_html(report, settings=s)
    assert html.count(f'<span class="band new">{label}</span>') == 2
    assert f">{old}</b><span>{'score moyen' if lang == 'fr' else 'average score'}</span>" in html  # not dragged down
    assert html.index(">Ancienne <") < html.index(">Jeune <")  # most fragile first, the unscored last


def test_too_new_communities_leave_no_point_on_the_trend(world):
    _young_and_old(world)
    health.save_snapshots(world.store, health.audit(world.store, settings(), addressing=MATRIX, now=NOW))
    assert [r.score for r in health.history(world.store, "ancienne", addressing=MATRIX)]
    with pytest.raises(Exception, match="no audit recorded") as raised:
        health.history(world.store, "neuve", addressing=MATRIX)
    assert "old enough to score" in raised.value.hint


def test_where_nothing_is_dated_an_empty_community_is_too_new_and_a_silent_one_is_scored(world):
    """On a network that does not date joins, a community nobody wrote in has no event at all."""
    world.community("vide", "Vide", created=None)
    world.community("muette", "Muette", members={uid("a"): 0, uid("b"): 0}, created=None)
    got = by_name(health.audit(world.store, settings(), addressing=MATRIX, now=NOW))
    assert got["Vide"].too_new and got["Vide"].score is None
    assert not got["Muette"].too_new and got["Muette"].band == "red"


@pytest.mark.parametrize(
    ("body", "question"),
    [
        ("Comment les PME industrielles utilisent l'IA pour la maintenance — https://datanews.example.org/7296", False),
        ("How to scale a data team: https://example.org/post", False),
        ("Comment chiffrer une extension pour l'hôtel Le Phare", True),
        ("Quelqu'un a lu ceci ? https://example.org/a", True),
        ("Vu ce matin : https://example.org/b", False),
    ],
)
def test_an_article_shared_by_its_title_is_not_a_question(body, question):
    """A link share whose title opens like a question ("Comment les PME…") waits for no answer:
    counted as one, it showed executives an unanswered question that nobody asked."""
    from rse_cli.services.health.activity import is_question

    assert is_question(body) is question
