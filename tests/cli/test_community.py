"""End to end: communities, members, posts, DMs and the journal against a real Synapse."""

from __future__ import annotations

from urllib.parse import quote

from tests.conftest import unique


def _state(hs, room_id, etype, key=""):
    return hs.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/state/{etype}/{quote(key, safe='')}")


def test_create_community_builds_a_space_with_linked_restricted_rooms(rse, homeserver):
    alias = unique("ventes")
    alice = homeserver.users["alice"]
    created = rse.json(
        "community",
        "create",
        "Ventes Ouest",
        "--alias",
        alias,
        "--topic",
        "L'équipe commerciale",
        "--room",
        "Général",
        "--room",
        "Questions",
        "--animator",
        alice,
    )
    assert created["name"] == "Ventes Ouest"
    assert created["alias"] == f"#{alias}:rse.test"
    assert sorted(r["name"] for r in created["rooms"]) == ["Général", "Questions"]

    space = created["id"]
    assert _state(homeserver, space, "m.room.create")["type"] == "m.space"
    assert _state(homeserver, space, "m.room.topic")["topic"] == "L'équipe commerciale"
    for room in created["rooms"]:
        assert "via" in _state(homeserver, space, "m.space.child", room["id"])
        assert _state(homeserver, room["id"], "m.space.parent", space)["canonical"] is True
        rules = _state(homeserver, room["id"], "m.room.join_rules")
        assert rules["join_rule"] == "restricted"
        assert rules["allow"] == [{"type": "m.room_membership", "room_id": space}]
        # the animator holds the animator level everywhere; the creator (v12) is never listed
        levels = _state(homeserver, room["id"], "m.room.power_levels")
        assert levels["users"] == {alice: 50}
    assert _state(homeserver, space, "m.room.member", alice)["membership"] == "invite"


def test_list_and_show(rse, homeserver):
    alias = unique("pratique")
    rse.json("community", "create", "Communauté Data", "--alias", alias, "--room", "Échanges")
    listed = rse.json("community", "list")
    mine = [c for c in listed if c["alias"] == f"#{alias}:rse.test"]
    assert len(mine) == 1 and [r["name"] for r in mine[0]["rooms"]] == ["Échanges"]

    shown = rse.json("community", "show", alias)
    assert shown["community"]["name"] == "Communauté Data"
    assert [(m["id"], m["role"]) for m in shown["members"]] == [(homeserver.admin, "owner")]
    # by name, case and accents ignored
    assert rse.json("community", "show", "communaute data")["community"]["id"] == mine[0]["id"]


def test_show_unknown_community_fails_clearly(rse):
    result = rse("community", "show", "nope-does-not-exist", ok=False)
    assert result.exit_code == 4
    assert "no community" in result.stderr


def test_create_with_taken_alias_is_a_conflict(rse):
    alias = unique("dup")
    rse("community", "create", "Un", "--alias", alias)
    result = rse("community", "create", "Deux", "--alias", alias, ok=False)
    assert result.exit_code == 7
    assert "already taken" in result.stderr


def test_unknown_animator_creates_nothing(rse, homeserver):
    alias = unique("ghost")
    result = rse("community", "create", "Fantôme", "--alias", alias, "--animator", "@ghost:rse.test", ok=False)
    assert result.exit_code == 4 and "@ghost:rse.test" in result.stderr
    assert all(c["alias"] != f"#{alias}:rse.test" for c in rse.json("community", "list"))


def test_member_add_roles_and_list(rse, homeserver):
    alias = unique("club")
    rse("community", "create", "Club Course", "--alias", alias, "--room", "Sorties")
    bob, carol = homeserver.users["bob"], homeserver.users["carol"]
    added = rse.json("member", "add", alias, bob, "Carol Petit", "--role", "moderator")
    assert [(a["person"], a["action"], a["role"]) for a in added] == [
        (bob, "invited", "moderator"),
        (carol, "invited", "moderator"),
    ]
    # safe to re-run: nothing new happens
    again = rse.json("member", "add", alias, bob)
    assert again[0]["action"] == "unchanged"

    members = {m["id"]: m for m in rse.json("member", "list", alias)}
    assert members[bob]["membership"] == "invite" and members[bob]["role"] == "moderator"
    space = rse.json("community", "show", alias)["community"]
    levels = _state(homeserver, space["id"], "m.room.power_levels")
    assert levels["users"][carol] == 75


def test_member_add_by_email_and_force_join(rse, homeserver):
    alias = unique("accueil")
    rse("community", "create", "Accueil", "--alias", alias, "--room", "Bienvenue")
    added = rse.json("member", "add", alias, "alice@example.org", "--join")
    assert added[0]["person"] == homeserver.users["alice"] and added[0]["action"] == "joined"
    community = rse.json("community", "show", alias)["community"]
    for room_id in [community["id"], community["rooms"][0]["id"]]:
        assert _state(homeserver, room_id, "m.room.member", homeserver.users["alice"])["membership"] == "join"


def test_member_add_reports_unknown_and_ambiguous_people(rse, homeserver):
    alias = unique("mix")
    rse("community", "create", "Mixte", "--alias", alias)
    result = rse("member", "add", alias, homeserver.users["dave"], "Erin Moreau", "nobody@example.org", "--json", ok=False)
    assert result.exit_code == 4
    import json

    rows = {r["person"]: r for r in json.loads(result.stdout)}
    assert rows[homeserver.users["dave"]]["action"] == "invited"
    assert rows["Erin Moreau"]["action"] == "failed" and "2 people" in rows["Erin Moreau"]["error"]
    assert rows["nobody@example.org"]["action"] == "failed"


def test_post_is_sent_once_with_mentions_field_and_sanitised_html(rse, homeserver, tmp_path):
    alias = unique("post")
    rse("community", "create", "Posts", "--alias", alias, "--room", "Général", "--room", "Questions")
    note = tmp_path / "note.md"
    note.write_text("**Bravo** à l'équipe ! <script>alert(1)</script> @room", encoding="utf-8")
    first = rse.json("post", f"{alias}/general", "--file", str(note))
    assert first["sent"] is True
    second = rse.json("post", f"{alias}/Général", "--file", str(note))
    assert second["sent"] is False and second["event_id"] == first["event_id"]

    room_id = first["room_id"]
    msgs = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/messages", params={"dir": "b", "limit": 50})
    texts = [e for e in msgs["chunk"] if e["type"] == "m.room.message"]
    assert len(texts) == 1
    content = texts[0]["content"]
    assert content["m.mentions"] == {}
    assert "<strong>Bravo</strong>" in content["formatted_body"] and "<script>" not in content["formatted_body"]
    assert content["body"].startswith("**Bravo**")

    third = rse.json("post", f"{alias}/Général", "--file", str(note), "--again")
    assert third["sent"] is True and third["event_id"] != first["event_id"]


def test_post_needs_a_room_when_several(rse):
    alias = unique("rooms")
    rse("community", "create", "Deux salles", "--alias", alias, "--room", "A", "--room", "B")
    result = rse("post", alias, "--text", "bonjour", ok=False)
    assert result.exit_code == 2 and "A, B" in result.stderr


def test_dm_reuses_the_conversation_and_records_m_direct(rse, homeserver):
    bob = homeserver.users["bob"]
    first = rse.json("dm", bob, "--text", "Bienvenue Bob !")
    second = rse.json("dm", bob, "--text", "Une question pour toi ?")
    assert first["room_id"] == second["room_id"]
    direct = homeserver.api("GET", f"/_matrix/client/v3/user/{quote(homeserver.admin)}/account_data/m.direct")
    assert first["room_id"] in direct[bob]
    assert _state(homeserver, first["room_id"], "m.room.member", bob)["is_direct"] is True
    assert rse.json("dm", bob, "--text", "Bienvenue Bob !")["sent"] is False


def test_journal_lists_writes_newest_first(rse):
    alias = unique("journal")
    rse("community", "create", "Journal", "--alias", alias, "--room", "Général")
    rse("post", f"{alias}/Général", "--text", "premier message")
    rse("post", f"{alias}/Général", "--text", "premier message")
    entries = rse.json("journal")
    actions = [(e["action"], e["outcome"]) for e in entries[:4]]
    assert actions == [("post", "unchanged"), ("post", "ok"), ("room.create", "ok"), ("community.create", "ok")]
    assert all(set(e) >= {"at", "profile", "action", "target", "outcome"} for e in entries)
