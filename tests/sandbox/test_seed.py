"""`rse sandbox up/seed/status/down` end to end, and the seeded history read back through rse.

The session's seeded sandbox (tests/conftest.py `seeded_sandbox`): small, but with every
planted situation in it.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from rse_cli.config import load_settings
from rse_cli.credentials import load_token
from rse_cli.domain import EventKind
from rse_cli.network.matrix import MatrixNetwork
from rse_cli.sandbox.seed import STATE_FILE, seeded_plan
from rse_cli.sandbox.server import synapse_available
from rse_cli.services.sandbox import PROFILE, sandbox_dir
from tests.conftest import SEED_SIZE, Rse, _apply_env

pytestmark = pytest.mark.skipif(not synapse_available(), reason="Synapse is not installed")

SIZE = SEED_SIZE[2:]  # the session sandbox is seeded with --seed 42 and this size


@pytest.fixture(scope="module")
def sandbox(seeded_sandbox):
    """The session's seeded sandbox (tests/conftest.py), with its environment applied."""
    with pytest.MonkeyPatch.context() as mp:
        _apply_env(mp, seeded_sandbox.env)
        yield Rse(seeded_sandbox.home, CliRunner()), seeded_sandbox.summary


@pytest.fixture(scope="module")
def net(sandbox):
    settings = load_settings(profile=PROFILE)
    network = MatrixNetwork.from_settings(settings, token=load_token(PROFILE, settings.homeserver, settings.user))
    yield network
    network.close()


@pytest.fixture(scope="module")
def history(sandbox, net):
    """Every community's rooms and events, read through rse's connector as the champion."""
    communities = {c.alias.split(":")[0].lstrip("#"): c for c in net.list_communities()}
    events = {}
    for _key, community in communities.items():
        for room in [community, *community.rooms]:
            events[room.id] = [e for page in net.iter_events(room.id) for e in page.events]
    return communities, events


@pytest.fixture(scope="module")
def plan(sandbox):
    return seeded_plan(sandbox_dir())


def test_up_twice_is_harmless_and_status_says_running(sandbox):
    rse, _ = sandbox
    before = rse.json("sandbox", "status")
    assert before["running"] and before["url"].startswith("http://127.0.0.1:")
    rse("sandbox", "up")
    after = rse.json("sandbox", "status")
    assert after["pid"] == before["pid"] and after["url"] == before["url"]


def test_up_lifts_the_champions_rate_limits(sandbox, net):
    """As an admin would on a real server: the demo's onboarding then notes no wait of minutes
    for work that takes seconds, and `rse doctor` finds the account's rights in order."""
    rse, _ = sandbox
    assert net.ratelimit_exempt() is True
    checks = {c["name"]: c for c in json.loads(rse("doctor", "--json", ok=False).stdout)}
    assert checks["rights"]["status"] == "ok", checks["rights"]
    assert "rate limits are lifted" in checks["rights"]["detail"]
    french = rse("--lang", "fr", "doctor", ok=False).stdout
    assert "✓ droits" in french, french


def test_summary_csv_and_leaders(sandbox, plan):
    _, summary = sandbox
    assert summary["people"] == 60 and summary["communities"] == 5 and summary["rooms"] == 10
    assert summary["messages"] and summary["replies"] and summary["thread_messages"] and summary["reactions"]
    assert summary["sent"] == len(plan.events()) and summary["skipped"] == 0
    with open(summary["csv_path"], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert [r["matrix_id"] for r in rows] == [plan.user_id(p) for p in plan.people]
    assert load_settings(profile=PROFILE).leaders == plan.leaders == summary["leaders"]


def test_people_are_found_by_email(net, plan):
    someone = plan.people[7]
    assert net.resolve_person(someone.email).id == plan.user_id(someone)
    assert net.resolve_person(plan.user_id(someone)).display_name == someone.display_name


def test_communities_follow_rse_conventions(net, history, plan):
    communities, _ = history
    assert set(communities) == {c.key for c in plan.communities}
    for com in plan.communities:
        community = communities[com.key]
        assert community.name == com.name and community.alias == f"#{com.key}:rse.test"
        assert sorted(r.name for r in community.rooms) == sorted(r.name for r in com.rooms)
        roles = {m.id: m.role.value for m in net.list_members(community)}
        # the champion (rse's account, ignored by audits) created the rooms; the founder is a moderator
        assert roles[plan.champion] == "owner" and roles[com.creator] == "moderator"
        for animator in com.animators:
            assert roles[animator] == "animator"
        for room in community.rooms:
            rules = net.http.get(f"/_matrix/client/v3/rooms/{quote(room.id)}/state/m.room.join_rules/")
            assert rules["join_rule"] == "restricted" and rules["allow"][0]["room_id"] == community.id
            assert net.membership(room.id, plan.champion) == "join"


def _messages(events):
    return [e for room in events.values() for e in room if e.kind in (EventKind.post, EventKind.reply, EventKind.thread)]


def test_history_is_backdated_with_replies_threads_and_reactions(history):
    _, events = history
    now = datetime.now(UTC)
    everything = [e for room in events.values() for e in room]
    kinds = {e.kind for e in everything}
    assert {EventKind.post, EventKind.reply, EventKind.thread, EventKind.reaction, EventKind.membership} <= kinds
    seeded = [e for e in everything if e.kind is not EventKind.membership]
    assert all(e.ts < now for e in seeded)
    assert min(e.ts for e in seeded) < now - timedelta(days=50)  # spread over the 60 days
    joins = [e for e in everything if e.kind is EventKind.membership and e.membership == "join"]
    assert min(e.ts for e in joins) < now - timedelta(days=60)  # memberships are backdated too


def test_dormant_community(history, plan):
    communities, events = history
    club = communities[plan.facts.dormant]
    posts = _messages({r.id: events[r.id] for r in club.rooms})
    assert posts and max(e.ts for e in posts) < datetime.now(UTC) - timedelta(days=40)


def test_silent_animator_and_silent_leaders(history, plan):
    _, events = history
    last_post: dict[str, datetime] = {}
    for e in _messages(events):
        last_post[e.sender] = max(e.ts, last_post.get(e.sender, e.ts))
    assert last_post[plan.facts.silent_animator] < datetime.now(UTC) - timedelta(days=30)
    assert not set(plan.facts.silent_leaders) & set(last_post)
    assert set(plan.facts.posting_leaders) <= set(last_post)


def test_unanswered_questions(history, plan):
    _, events = history
    msgs = _messages(events)
    by_id = {e.id: e for e in msgs}

    def root(e):
        while e.kind is not EventKind.post:
            e = by_id[e.thread_root or e.parent_id]
        return e.id

    answered_by = defaultdict(set)
    for e in msgs:
        if e.kind is not EventKind.post:
            answered_by[root(e)].add(e.sender)
    questions = [e for e in msgs if e.kind is EventKind.post and e.body.rstrip().endswith("?")]
    waiting = [q for q in questions if not answered_by[q.id] - {q.sender}]
    old = [q for q in waiting if q.ts < datetime.now(UTC) - timedelta(days=2)]
    assert len(old) >= len(plan.facts.unanswered_questions) >= 2
    assert {(q.sender, q.body) for q in old} >= {(q.sender, q.body) for q in plan.facts.unanswered_questions}
    healthy_rooms = {r.id for r in history[0][plan.facts.healthy].rooms}
    assert not [q for q in waiting if q.room_id in healthy_rooms]


def test_lurkers_newcomers_and_pending_invites(net, history, plan):
    communities, events = history
    for key, community in communities.items():
        posters = {e.sender for e in _messages({r.id: events[r.id] for r in community.rooms})}
        joined = {m.id for m in net.list_members(community) if m.membership == "join"}
        assert joined - posters - {plan.champion} == set(plan.facts.lurkers[key])
    assert sum(len(v) for v in plan.facts.lurkers.values()) > 5
    accueil = communities["accueil"]
    recent = {
        e.target
        for e in events[accueil.id]
        if e.kind is EventKind.membership and e.membership == "join" and e.ts > datetime.now(UTC) - timedelta(days=30)
    }
    assert set(plan.facts.newcomers) <= recent
    invited = {m.id for m in net.list_members(accueil) if m.membership == "invite"}
    assert {user for _, user, _ in plan.facts.pending_invites} <= invited
    for user in plan.facts.not_onboarded:
        assert all(net.membership(c.id, user) is None for c in communities.values())


def test_reseeding_adds_nothing_and_a_resumed_seed_duplicates_nothing(sandbox, net, history):
    rse, summary = sandbox
    _, events = history

    def count() -> int:
        return sum(len([e for page in net.iter_events(room_id) for e in page.events]) for room_id in events)

    before = count()
    again = rse.json("sandbox", "seed", *SIZE)
    assert again["sent"] == 0 and again["already_complete"] and again["skipped"] == summary["sent"]
    # as if a run had been killed: nothing marked complete; the seeder reads the rooms back
    state_path = sandbox_dir() / STATE_FILE
    state = json.loads(state_path.read_text())
    state.update(complete=False, done=[], people_done=False)
    state_path.write_text(json.dumps(state))
    resumed = rse.json("sandbox", "seed", *SIZE)
    assert resumed["sent"] == 0 and resumed["skipped"] == summary["sent"]
    assert count() == before


def test_reseeding_in_french_says_so_in_a_sentence_and_lists_the_company(sandbox):
    rse, summary = sandbox
    out = rse("--lang", "fr", "sandbox", "seed", *SIZE)
    assert "le bac à sable contient déjà cette entreprise (graine 42, 60 personnes, " in out.stderr
    assert "`rse sandbox seed --reset` la recrée de zéro" in out.stderr
    rows = {line.split("  ")[0]: line.split()[-1] for line in out.stdout.splitlines()}
    assert rows["personnes"] == "60" and rows["communautés"] == "5"
    # the run's counts are the sentence's, not repeated as rows ("envoyé 0", "déjà complet oui")
    assert "envoyé" not in out.stdout and "ignoré" not in out.stdout and "complet" not in out.stdout


def test_another_seed_is_refused_with_the_way_out(sandbox):
    rse, _ = sandbox
    result = rse("sandbox", "seed", "--seed", "7", *SIZE, ok=False)
    assert result.exit_code == 2
    assert "--seed 42" in result.stderr and "--reset" in result.stderr


@pytest.mark.synapse  # starts a throwaway Synapse of its own
def test_down_stops_exactly_its_server(isolated):
    """A throwaway sandbox (not the session's): up, status, down, down again."""
    rse = Rse(isolated, CliRunner())
    rse("sandbox", "up")
    assert rse.json("sandbox", "status")["running"] is True
    assert "sandbox stopped" in rse("sandbox", "down").stderr
    assert rse.json("sandbox", "status")["running"] is False
    assert "was not running" in rse("sandbox", "down").stderr
