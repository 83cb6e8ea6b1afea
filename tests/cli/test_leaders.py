"""rse leaders against a real Synapse: briefs built from real synced history, sent as a DM
(never posted in the leader's name), and the report after the leader posts. Also rse cron."""

from __future__ import annotations

from urllib.parse import quote

from tests.cli.test_audit import _lines, ventes  # noqa: F401 - the fixture is shared
from tests.conftest import unique


def _send(hs, token, room_id, body, *, reply_to=None, txn):
    content = {"msgtype": "m.text", "body": body}
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return hs.api("PUT", f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.room.message/{txn}", token=token, json=content)[
        "event_id"
    ]


def _react(hs, token, room_id, event_id, txn):
    hs.api(
        "PUT",
        f"/_matrix/client/v3/rooms/{quote(room_id)}/send/m.reaction/{txn}",
        token=token,
        json={"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": "👍"}},
    )


def _community_with_people(rse, hs, people):
    alias = unique("lead")
    created = rse.json("community", "create", "Innovation", "--alias", alias, "--room", "Général")
    space, room = created["id"], created["rooms"][0]["id"]
    for who in people:
        for rid in (space, room):
            hs.api("POST", f"/_synapse/admin/v1/join/{quote(rid)}", json={"user_id": hs.users[who]})
    return alias, room, {who: hs.token(who) for who in people}


def test_brief_cites_waiting_questions_and_contributors_then_report_measures_the_leader(rse, homeserver):
    alias, room, tok = _community_with_people(rse, homeserver, ["alice", "bob", "carol", "dave"])
    tag = unique("t")
    # Bob asks and nobody answers; Carol's tip draws replies and reactions; Dave asks and Carol answers
    waiting = _send(homeserver, tok["bob"], room, "Quelqu'un sait comment déclarer les frais de salon ?", txn=f"{tag}1")
    tip = _send(homeserver, tok["carol"], room, "Astuce : le modèle de devis v3 fait gagner 2h par semaine", txn=f"{tag}2")
    _send(homeserver, tok["dave"], room, "Merci Carol, adopté !", reply_to=tip, txn=f"{tag}3")
    _react(homeserver, tok["bob"], room, tip, f"{tag}4")
    _react(homeserver, tok["dave"], room, tip, f"{tag}5")
    asked = _send(homeserver, tok["dave"], room, "Où trouve-t-on le modèle v3 ?", txn=f"{tag}6")
    _send(homeserver, tok["carol"], room, "Dans l'espace Ventes, dossier Modèles", reply_to=asked, txn=f"{tag}7")
    rse("sync", alias)

    alice = homeserver.users["alice"]
    rse("leaders", "add", alice, "--name", "Alice Martin", "--scope", alias, "--lang", "fr")
    brief = rse.json("leaders", "brief", alice)
    assert [q["author"] for q in brief["waiting_questions"]] == ["Bob Durand"]
    assert (
        brief["waiting_questions"][0]["link"].endswith(quote(waiting, safe="$") + "?via=rse.test")
        or waiting in brief["waiting_questions"][0]["link"]
    )
    assert brief["contributors"][0]["name"] == "Carol Petit"
    assert brief["discussions"][0]["author"] == "Carol Petit" and brief["discussions"][0]["replies"] == 1
    assert {n["name"] for n in brief["newcomers"]} >= {"Bob Durand", "Carol Petit", "Dave Leroy"}
    assert brief["quiet"] is False and brief["best_time"] is not None
    text = brief["text"]
    assert "Bonjour Alice" in text and "frais de salon" in text and "**Bob Durand**" in text and "**Carol Petit**" in text
    assert "avec vos mots" in text and "Un bon post" in text

    # send: a DM to the leader, never a post in the community
    before = _bodies(homeserver, room)
    sent = rse.json("leaders", "send", alice)
    assert sent["recipient"] == alice and sent["sent"] is True
    assert _bodies(homeserver, sent["room_id"])[-1].startswith("Bonjour Alice")
    assert _bodies(homeserver, room) == before
    assert rse.json("leaders", "send", alice)["sent"] is False  # same brief, same day: not twice

    assert rse.json("leaders", "report")[0]["posts_after"] == 0
    # a leader added with `rse leaders add` counts in audits too: silent until she writes
    assert _silent_leaders(rse, alias) == ([alice], 0)
    # the leader answers Bob in her own words; Bob replies and Dave reacts
    own = _send(
        homeserver, tok["alice"], room, "Bob, passe par l'outil Notes, Carol peut te montrer", reply_to=waiting, txn=f"{tag}8"
    )
    _send(homeserver, tok["bob"], room, "Super, merci !", reply_to=own, txn=f"{tag}9")
    _react(homeserver, tok["dave"], room, own, f"{tag}10")
    rse("sync", alias)
    [row] = rse.json("leaders", "report")
    assert row["leader"] == alice and row["briefs"] == 1 and row["posts_after"] == 1
    assert row["replies"] == 1 and row["reactions"] == 1 and row["hours_to_first_post"] is not None
    assert _silent_leaders(rse, alias) == ([], 1)


def _silent_leaders(rse, alias) -> tuple[list[str], int]:
    """(leaders the audit reports as silent, posts by leaders in the community)."""
    report = rse.json("audit", alias)
    silent = [e["id"] for f in report["findings"] if f["code"] == "silent_leaders" for e in f["evidence"]]
    return silent, report["communities"][0]["metrics"]["leader_posts"]


def test_quiet_scope_says_so_and_suggests_a_restart_via_comms_partner(rse, homeserver):
    alias, room, tok = _community_with_people(rse, homeserver, ["erin1"])
    rse("sync", alias)
    dg = homeserver.users["dave"]
    rse("leaders", "add", dg, "--name", "Dave Leroy", "--scope", alias, "--lang", "en", "--via", homeserver.users["carol"])
    brief = rse.json("leaders", "brief", dg)
    assert brief["quiet"] is True and brief["waiting_questions"] == []
    assert "It is quiet right now" in brief["text"] and "Restart" in brief["text"]
    sent = rse.json("leaders", "send", dg)
    assert sent["recipient"] == homeserver.users["carol"]
    assert _bodies(homeserver, sent["room_id"])[-1].startswith("**Brief for Dave Leroy**, to go through together.\n\nHere is")


def test_brief_needs_synced_scope_and_a_known_leader(rse, homeserver):
    rse("leaders", "add", "@x:rse.test", "--scope", "never-synced")
    result = rse("leaders", "brief", "@x:rse.test", ok=False)
    assert result.exit_code == 4 and "rse sync never-synced" in result.stderr
    assert rse("leaders", "brief", "@nobody:rse.test", ok=False).exit_code == 4


def test_leaders_have_a_pronoun_and_a_checked_id(rse, homeserver):
    rse("leaders", "add", "@claire:rse.test", "--name", "Claire Dumas", "--pronoun", "elle", "--scope", "x")
    [claire] = [x for x in rse.json("leaders", "list") if x["id"] == "@claire:rse.test"]
    assert claire["name"] == "Claire Dumas" and claire["pronoun"] == "elle"
    bad = rse("leaders", "add", "@claire:rse.test", "--pronoun", "madame", "--scope", "x", ok=False)
    assert bad.exit_code == 2 and "--pronoun" in bad.stderr and "elle" in bad.stderr
    assert rse("leaders", "add", "claire", "--scope", "x", ok=False).exit_code == 2  # not a person id on this network


def test_cron_prints_full_paths_profile_and_config_dir(cli, monkeypatch):
    monkeypatch.setenv("RSE_CONFIG_DIR", str(cli.home / "my config"))
    jobs = cli.json("--profile", "default", "cron")
    by = {j["command"].split(" --profile default ")[1].split(" >>")[0]: j for j in jobs}
    assert set(by) == {"animate run", "campaign run", "sync", "digest send --period week --sync"}
    assert by["animate run"]["schedule"] == "*/5 * * * *"
    exe = by["animate run"]["command"].split(" --profile")[0]
    assert exe.startswith("/")
    assert "RSE_CONFIG_DIR='" in by["sync"]["line"] and "my config" in by["sync"]["line"]
    text = cli("cron").stdout
    assert text.count("\n*/5 * * * * ") == 1 or text.startswith("#")


def _bodies(hs, room_id):
    chunk = hs.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=200")["chunk"]
    return [e["content"]["body"] for e in reversed(chunk) if e["type"] == "m.room.message"]


def test_brief_on_the_seeded_company_greets_each_newcomer_once(sandbox_rse, seeded_sandbox):
    """The DG belongs to several communities a newcomer may also have joined: one greeting each."""
    sandbox_rse("sync")
    leaders = sandbox_rse.json("config", "show")["leaders"]
    brief = sandbox_rse.json("leaders", "brief", leaders[0])
    ids = [n["user_id"] for n in brief["newcomers"]]
    assert ids and len(ids) == len(set(ids))


def test_leaders_list_shows_names_and_scopes_in_both_languages(ventes, monkeypatch):
    """A leader added with `leaders add`, and one only listed in the config (named and scoped from the synced store)."""
    monkeypatch.setenv("RSE_LEADERS", "@alice:corp.test")
    ventes(
        "leaders",
        "add",
        "@dg:corp.test",
        "--name",
        "Claire Dumas",
        "--pronoun",
        "elle",
        "--scope",
        "ventes-ouest",
        "--lang",
        "fr",
    )
    assert _lines(ventes("--lang", "en", "leaders", "list").stdout) == [
        "NAME SCOPES PRONOUN LANGUAGE VIA",
        "Claire Dumas ventes-ouest elle fr",
        "Alice ventes-ouest",
    ]
    assert _lines(ventes("--lang", "fr", "leaders", "list").stdout) == [
        "NOM PÉRIMÈTRE PRONOM LANGUE VIA",
        "Claire Dumas ventes-ouest elle fr",
        "Alice ventes-ouest",
    ]
    report = _lines(ventes("--lang", "fr", "leaders", "report").stdout)
    assert report[0].startswith("NOM PÉRIMÈTRE BRIEFS") and report[1].startswith("Claire Dumas ventes-ouest 0")
    listed = {x["id"]: x for x in ventes.json("leaders", "list")}
    assert listed["@alice:corp.test"]["name"] == "Alice" and listed["@alice:corp.test"]["scopes"] == ["ventes-ouest"]
    assert "@dg:corp.test" in ventes("--verbose", "leaders", "list").stdout  # ids on demand only


def test_an_unknown_leader_gets_did_you_mean(ventes):
    ventes("leaders", "add", "@dg:corp.test", "--name", "Claire Dumas", "--scope", "ventes-ouest")
    result = ventes("--lang", "fr", "leaders", "brief", "Claire Duma", ok=False)
    assert result.exit_code == 4
    assert _lines(result.stderr) == ["erreur : aucun dirigeant nommé Claire Duma", "conseil : vouliez-vous dire Claire Dumas ?"]
    ventes("leaders", "add", "@drh:corp.test", "--scope", "ventes-est")
    typo = ventes("--lang", "en", "leaders", "brief", "@drh:corp.test", ok=False)
    assert "none of ventes-est is synced" in typo.stderr and "did you mean ventes-ouest?" in typo.stderr
