"""The everyday commands on every network: community create/show, member add, post and dm,
each sent once, with people named by id, e-mail or name."""

from __future__ import annotations

from rse_cli.network import base
from tests.network.conformance.drivers import unique


def test_create_add_people_post_and_dm(e2e):
    d = e2e.driver
    alice, bob = d.people["alice"], d.people["bob"]
    alias = unique("quotidien")
    args = ["community", "create", "Quotidien", "--alias", alias, "--animator", alice]
    if e2e.caps.structure is base.Structure.rooms:
        args += ["--room", "Général"]
    created = e2e.rse.json(*args)
    assert created["alias"] == e2e.addressing.alias_ref(alias) or e2e.addressing.community_key(created["alias"]) == alias

    added = e2e.rse.json("member", "add", alias, d.emails["alice"], "Bob Durand")
    assert added  # one line per person
    members = {m["id"]: m for m in e2e.rse.json("community", "show", alias)["members"]}
    assert members[alice]["role"] == "animator" and bob in members
    ambiguous = e2e.rse("member", "add", alias, "Erin Moreau", ok=False)
    assert ambiguous.exit_code == 4 and "Erin Moreau" in ambiguous.stdout + ambiguous.stderr

    text = f"Bienvenue dans Quotidien {unique('p')}"
    e2e.rse.json("post", alias, "--text", text)
    e2e.rse.json("post", alias, "--text", text)  # the same message again: not sent twice
    room = created["id"] if e2e.caps.structure is base.Structure.feed else created["rooms"][0]["id"]
    assert d.bodies(room).count(text) == 1

    note = f"Un mot pour Bob {unique('dm')}"
    e2e.rse.json("dm", d.emails["alice"], "--text", note)
    e2e.rse.json("dm", bob, "--text", note)
    assert note in d.dm_bodies(bob) and note in d.dm_bodies(alice)
