"""The sandbox company generator: deterministic, and every planted situation always there."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest

from rse_cli.sandbox.company import build_plan, check_plan
from rse_cli.sandbox.phrases import BANK, QA, SLOTS
from rse_cli.sandbox.plan import Membership, Message, Reaction
from rse_cli.sandbox.seed import CSV_COLUMNS, write_hr_csv
from rse_cli.sandbox.timeline import PARIS, Calendar

ANCHOR = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


def _dump(plan) -> list:
    return [(k, e) for k, events in plan.timelines.items() for e in events]


def test_same_seed_same_company_and_history():
    a, b = build_plan(42, 80, 60, ANCHOR), build_plan(42, 80, 60, ANCHOR)
    assert a.people == b.people and a.communities == b.communities
    assert _dump(a) == _dump(b) and a.facts == b.facts


def test_another_seed_another_company():
    a, b = build_plan(42, 80, 60, ANCHOR), build_plan(43, 80, 60, ANCHOR)
    assert [p.email for p in a.people] != [p.email for p in b.people]
    assert _dump(a) != _dump(b)
    # the communities themselves are stable: tests and demos can name them
    assert (
        [c.key for c in a.communities]
        == [c.key for c in b.communities]
        == ["ventes-ouest", "data-ia", "veille", "club-sport", "accueil"]
    )


@pytest.mark.parametrize(
    ("seed", "people", "days"), [(s, 40, 50) for s in range(8)] + [(s, 300, 90) for s in range(3)] + [(5, 120, 180)]
)
def test_every_plan_holds_every_planted_situation(seed, people, days):
    plan = build_plan(seed, people, days, ANCHOR - timedelta(hours=seed * 7))  # anchors at various hours
    assert check_plan(plan) == []
    f = plan.facts
    assert f.silent_animator == plan.community("data-ia").creator
    assert set(f.silent_leaders) | set(f.posting_leaders) == set(plan.leaders) and len(plan.leaders) == 5
    assert any(q.community == "data-ia" for q in f.unanswered_questions)


def test_people_are_unique_and_managed():
    plan = build_plan(42, 300, 90, ANCHOR)
    emails = [p.email for p in plan.people]
    assert len(set(emails)) == 300 and all(e.endswith("@rivage.example.org") for e in emails)
    locals_ = {p.localpart for p in plan.people}
    assert all(p.manager is None or p.manager in locals_ for p in plan.people)
    assert sum(p.manager is None for p in plan.people) == 1  # only the CEO has no manager
    assert {p.department for p in plan.people} >= {
        "Ventes",
        "Marketing",
        "RH",
        "Finance",
        "IT/Data",
        "Production",
        "Logistique",
        "Direction",
    }
    assert {p.site for p in plan.people} == {"Nantes", "Lyon", "Paris", "Lille", "Bordeaux"}


def test_history_is_in_the_past_in_office_hours_and_ordered():
    plan = build_plan(7, 150, 90, ANCHOR)
    cal = Calendar(ANCHOR, 90)
    for key, events in plan.timelines.items():
        assert [e.ts for e in events] == sorted(e.ts for e in events), key
        by_key = {e.key: e for e in events}
        for e in events:
            assert e.ts < cal.end
            if isinstance(e, Message) and e.ts >= cal.start:
                local = datetime.fromtimestamp(e.ts / 1000, tz=UTC).astimezone(PARIS)
                assert local.weekday() < 5 and 8 <= local.hour <= 22, (key, e)
            if isinstance(e, Message) and e.reply_to:
                assert by_key[e.reply_to].ts < e.ts
            if isinstance(e, Reaction):
                assert by_key[e.target].ts < e.ts and by_key[e.target].sender != e.sender
    keys = [e.key for e in plan.events()]
    assert len(keys) == len(set(keys))


def test_senders_are_members_when_they_speak():
    plan = build_plan(3, 100, 60, ANCHOR)
    for key, events in plan.timelines.items():
        joined = {plan.champion: 0}  # the champion creates every room; everyone else joins, backdated
        for e in events:
            if isinstance(e, Membership) and e.membership == "join":
                joined[e.target] = e.ts
            elif not isinstance(e, Membership):
                assert e.sender in joined and joined[e.sender] <= e.ts, (key, e)


ROOT_KINDS = {
    "ventes.deal",
    "ventes.info",
    "ventes.kudos",
    "data.tip",
    "veille.link",
    "sport.outing",
    "sport.report",
    "accueil.intro",
    "accueil.welcome_batch",
    "accueil.welcome_one",
    "accueil.news",
}


def test_questions_are_exactly_the_roots_ending_with_a_question_mark():
    # "a root message with a question mark" may be read as "containing one": no other root has any
    for kind in ROOT_KINDS:
        for template in BANK[kind]:
            assert template.rstrip().endswith("?") == (kind == "sport.outing"), (kind, template)
            assert "?" not in template.rstrip()[:-1], (kind, template)
    assert not [v for values in SLOTS.values() for v in values if "?" in v]
    for kind, pairs in QA.items():
        for question, answers in pairs:
            assert question.endswith("?") and answers, (kind, question)


def test_answers_fit_their_question():
    plan = build_plan(42, 120, 60, ANCHOR)
    messages = {m.key: m for m in plan.events() if isinstance(m, Message)}
    fitting = {q: set(a) for pairs in QA.values() for q, a in pairs}
    checked = 0
    for m in messages.values():
        parent = messages.get(m.reply_to or "") if not m.thread_root else messages[m.thread_root]
        if parent is None or not parent.is_question or m.sender == parent.sender:
            continue
        template = next((q for q in fitting if _matches(q, parent.body)), None)
        if template and not any(_matches(a, m.body) for a in fitting[template] | set(BANK["followup"])):
            raise AssertionError(f"{m.body!r} does not answer {parent.body!r}")
        checked += template is not None
    assert checked > 50


def _matches(template: str, text: str) -> bool:
    """`text` is `template` filled in, possibly varied (phrases.LEADS / TAILS) so that a community never repeats itself."""
    from rse_cli.sandbox.phrases import LEADS, TAILS

    pattern = re.escape(template)
    # a slot after "de" / "à" may be contracted or elided ("du syndicat", "au camping", "d'Airflow")
    pattern = re.sub(r"\bde \\\{\w+\\\}", "(?:de |d'|du |des ).+", pattern)
    pattern = re.sub(r"\bà \\\{\w+\\\}", "(?:à |au |aux ).+", pattern)
    pattern = re.sub(r"\\\{\w+\\\}", ".+", pattern)
    pattern = pattern.removesuffix(r"\.") + r"\.?" if template.endswith(".") else pattern  # "Bien vu." + " !" = "Bien vu !"
    leads = "|".join(re.escape(x) for x in LEADS)
    tails = "|".join(re.escape(x) for x in TAILS)
    return re.fullmatch(f"(?:{leads})*{pattern}(?:{tails})*", text, re.IGNORECASE) is not None


def test_hr_export_is_what_french_hr_tools_write(tmp_path):
    plan = build_plan(42, 60, 60, ANCHOR)
    path = write_hr_csv(plan, tmp_path / "hr_export.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [r["email"] for r in rows] == [p.email for p in plan.people]
    ceo = rows[0]
    assert ceo["job_title"] == "Directeur général" and ceo["manager_email"] == ""
    assert all(r["manager_email"] in {x["email"] for x in rows} for r in rows[1:])
    assert all(datetime.fromisoformat(r["start_date"]) for r in rows)


def test_too_small_is_refused():
    with pytest.raises(ValueError, match="--people"):
        build_plan(1, 10, 90, ANCHOR)
    with pytest.raises(ValueError, match="--days"):
        build_plan(1, 100, 20, ANCHOR)


def test_no_community_repeats_a_message_verbatim():
    plan = build_plan(42, 300, 90, ANCHOR)
    said: dict[str, list[str]] = {}
    for m in plan.events():
        if isinstance(m, Message):
            said.setdefault(m.room.split("/")[0], []).append(m.body)
    for community, bodies in said.items():
        repeated = {b for b in bodies if bodies.count(b) > 1}
        assert not repeated, (community, sorted(repeated)[:5])


def test_founders_and_animators_are_veterans_and_the_champion_creates_the_rooms():
    """Nobody who was there before the window 'joins today': every join is planned and backdated,
    the founders' and animators' before the window; only the champion (ignored by audits) is the rooms' creator."""
    plan = build_plan(42, 120, 60, ANCHOR)
    window_start = int(ANCHOR.timestamp() * 1000) - 60 * 86_400_000
    for com in plan.communities:
        joins = {e.target: e.ts for e in plan.timelines[com.key] if isinstance(e, Membership) and e.membership == "join"}
        for veteran in (com.creator, *com.animators):
            assert joins[veteran] < window_start, (com.key, veteran)
        assert plan.champion not in joins
        invites = [e for e in plan.timelines[com.key] if isinstance(e, Membership) and e.membership == "invite"]
        assert {e.sender for e in invites} == {plan.champion}
