"""The champion's recurring jobs on every network: a newcomer campaign, a scheduled animation,
sync + audit, the digest and the leaders' brief, each driven through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rse_cli.network import base
from tests.e2e.test_onboard import HEADER
from tests.network.conformance.drivers import talk_room, unique


def community(e2e, name: str, *people: str):
    """A community created through rse (with one room where the network has rooms), joined by `people`."""
    alias = unique(name.lower())
    args = ["community", "create", name, "--alias", alias]
    if e2e.caps.structure is base.Structure.rooms:
        args += ["--room", "Général"]
    e2e.rse.json(*args)
    net = e2e.network()
    try:
        found = net.get_community(e2e.addressing.alias_ref(alias))
    finally:
        net.close()
    for person in people:
        e2e.driver.join(person, found)
    return alias, found, talk_room(found, e2e.caps)


FEED_ROOM = (
    "services/communities.py:37 gives every new community a room `Général`, also on a network whose "
    "communities are one feed (add_room refuses)"
)


def test_campaign_welcomes_then_thanks_once(e2e, tmp_path, monkeypatch):
    tag = unique("nc").replace("-", "")
    people = [
        {
            "id": e2e.driver.new_person(f"Nouveau{i} Venu", f"{tag}{i}@corp.example"),
            "email": f"{tag}{i}@corp.example",
            "first": f"Nouveau{i}",
        }
        for i in range(2)
    ]
    csv = tmp_path / "hr.csv"
    csv.write_text(
        "\n".join([HEADER] + [f"{p['email']};;{p['first']};Venu;Ventes;Nantes;Commercial;;2026-11-02" for p in people]) + "\n",
        encoding="utf-8",
    )
    alias, found, room = community(e2e, "Accueil")
    name = unique("newcomers")
    t0 = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setenv("RSE_NOW", t0.isoformat())
    camp = e2e.rse.json(
        "campaign",
        "create",
        name,
        "--people",
        str(csv),
        "--community",
        alias,
        "--nudge",
        "3d:nudge-first-post",
        "--thanks",
        "thanks-first-post",
        "--lang",
        "en",
    )
    assert camp["people"] == 2

    day0 = e2e.rse.json("campaign", "run", "--campaign", name)
    assert sorted((r["step"], r["outcome"]) for r in day0) == [("welcome", "sent")] * 2
    [welcome] = e2e.driver.dm_bodies(people[0]["id"])
    assert "Hello Nouveau0" in welcome and "Accueil" in welcome
    assert e2e.rse.json("campaign", "run", "--campaign", name) == []  # same day: nothing more

    e2e.driver.join(people[1]["id"], found)
    e2e.driver.post(people[1]["id"], room, "Bonjour à tous, je suis nouveau !")
    monkeypatch.setenv("RSE_NOW", (t0 + timedelta(days=1)).isoformat())
    day1 = e2e.rse.json("campaign", "run", "--campaign", name)
    assert [(r["person"], r["step"], r["outcome"]) for r in day1] == [(people[1]["id"], "thanks", "sent")]
    assert "Thank you Nouveau1" in e2e.driver.dm_bodies(people[1]["id"])[-1]

    monkeypatch.setenv("RSE_NOW", (t0 + timedelta(days=3, hours=2)).isoformat())
    day3 = {(r["person"], r["step"]): r["outcome"] for r in e2e.rse.json("campaign", "run", "--campaign", name)}
    assert day3[(people[0]["id"], "nudge-3d")] == "sent" and day3[(people[1]["id"], "nudge-3d")] == "skipped"
    assert len(e2e.driver.dm_bodies(people[0]["id"])) == 2 and len(e2e.driver.dm_bodies(people[1]["id"])) == 2


def test_animation_posts_once_when_due(e2e):
    alias, _, room = community(e2e, "Anim")
    at = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    args = [
        "animate",
        "add",
        "ama",
        "--community",
        alias,
        "--at",
        at,
        "--tz",
        "UTC",
        "--template",
        "ama-announcement",
        "--var",
        "guest=Marie Durand",
    ]
    if e2e.caps.structure is base.Structure.rooms:
        args += ["--room", "Général"]
    e2e.rse.json(*args)
    [result] = e2e.rse.json("animate", "run")
    assert result["state"] == "posted" and result["event_id"]
    assert e2e.rse.json("animate", "run") == []  # exactly once
    posts = [b for b in e2e.driver.bodies(room) if "Marie Durand" in b]
    assert len(posts) == 1


def planted(e2e):
    """Bob's question waits for 3 days; Carol's news drew Dave's reply; Alice animates and is silent."""
    d = e2e.driver
    alice, bob, carol, dave = (d.people[k] for k in ("alice", "bob", "carol", "dave"))
    alias, found, room = community(e2e, "Audit", alice, bob, carol, dave)
    e2e.rse("member", "add", alias, alice, "--role", "animator")
    question = d.post(bob, room, "Qui connaît la procédure de note de frais ?", days_ago=3)
    tip = d.post(carol, room, "Le nouveau badge arrive lundi", days_ago=2)
    d.post(dave, room, "Merci pour l'info", reply_to=tip, days_ago=1.9)
    return {"alias": alias, "room": room, "question": question, "community": found}


def test_sync_then_audit_finds_the_planted_situations(e2e):
    p = planted(e2e)
    first = e2e.rse.json("sync", p["alias"])
    assert sum(r["new_events"] for r in first) >= 3
    assert all(r["new_events"] == 0 for r in e2e.rse.json("sync", p["alias"]))  # incremental

    [c] = e2e.rse.json("audit", p["alias"], "--window", "30d")["communities"]
    m = c["metrics"]
    assert m["members"] == 4 and m["animators"] == 1 and m["contributors"] == 3
    assert (m["posts"], m["replies"], m["questions"], m["unanswered_questions"]) == (2, 1, 1, 1)
    if e2e.caps.dated_memberships:
        assert m["new_members"] == 4  # they all joined this week
    found = {f["code"]: f for f in c["findings"]}
    assert {"unanswered_questions", "silent_animator"} <= set(found)
    [evidence] = found["unanswered_questions"]["evidence"]
    assert evidence["id"] == p["question"]
    assert evidence["link"] == e2e.addressing.link(p["room"], p["question"])  # the network's own link
    assert [e["id"] for e in found["silent_animator"]["evidence"]] == [e2e.driver.people["alice"]]


def test_digest_dry_run_shows_the_week_without_posting(e2e):
    p = planted(e2e)
    e2e.rse("sync", p["alias"])
    before = e2e.driver.bodies(p["room"])
    dry = e2e.rse("digest", "send", "--community", p["alias"], "--dry-run")
    assert "Qui connaît la procédure de note de frais ?" in dry.stdout  # still waiting
    assert "Le nouveau badge arrive lundi" in dry.stdout  # the post with a reply
    assert e2e.driver.bodies(p["room"]) == before  # a dry run posts nothing


def test_leader_brief_cites_the_waiting_question_and_is_sent_once(e2e):
    p = planted(e2e)
    e2e.rse("sync", p["alias"])
    alice = e2e.driver.people["alice"]
    e2e.rse("leaders", "add", alice, "--name", "Alice Martin", "--scope", p["alias"], "--lang", "fr")
    brief = e2e.rse.json("leaders", "brief", alice)
    assert [q["author"] for q in brief["waiting_questions"]] == ["Bob Durand"]
    assert brief["waiting_questions"][0]["link"] == e2e.addressing.link(p["room"], p["question"])
    assert "Bonjour Alice" in brief["text"] and "note de frais" in brief["text"]
    sent = e2e.rse.json("leaders", "send", alice)
    assert sent["recipient"] == alice and sent["sent"] is True
    assert e2e.driver.dm_bodies(alice)[-1].startswith("Bonjour Alice")
    assert e2e.rse.json("leaders", "send", alice)["sent"] is False  # same brief, same day: not twice


def test_reports_say_which_figures_the_network_cannot_give_exactly(e2e, tmp_path):
    """Without dated joins (Viva Engage), arrivals are dated by a first message; from feeds that may be
    incomplete, every audit, digest and brief says so (in --json as stable codes, in text as one sentence)."""
    p = planted(e2e)
    e2e.rse("sync", p["alias"])
    expected = ([] if e2e.caps.dated_memberships else ["approximate_join_dates"]) + (
        ["feed_may_be_incomplete"] if e2e.caps.structure is base.Structure.feed else []
    )
    report = e2e.rse.json("audit", p["alias"], "--html", str(tmp_path / "r.html"))
    [c] = report["communities"]
    assert [n["code"] for n in report["notes"]] == [n["code"] for n in c["notes"]] == expected
    m = c["metrics"]
    if not e2e.caps.dated_memberships:
        assert "new_members" in report["notes"][0]["metrics"]
        assert m["new_members"] == 3  # dated by their first message: Bob, Carol, Dave; silent Alice is missing
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    dry = e2e.rse("--lang", "fr", "digest", "send", "--community", p["alias"], "--dry-run").stdout
    alice = e2e.driver.people["alice"]
    e2e.rse("leaders", "add", alice, "--name", "Alice Martin", "--scope", p["alias"], "--lang", "fr")
    brief = e2e.rse.json("leaders", "brief", alice)
    assert brief["notes"] == expected
    if not expected:
        assert "réseau" not in dry and "réseau" not in brief["text"] and 'class="notes"' not in html
    if "feed_may_be_incomplete" in expected:
        assert "May be incomplete" in html
        assert "Ce résumé peut être incomplet" in dry and "Ce brief peut être incomplet" in brief["text"]
    if "approximate_join_dates" in expected:
        assert "Approximate" in html and "premier message" in dry and "premier message" in brief["text"]
    plain = e2e.rse("--lang", "en", "audit", p["alias"])
    assert all(f"note: {n['message']}" in plain.stderr for n in report["notes"])  # once each, after the figures
