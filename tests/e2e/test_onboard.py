"""onboard plan / apply / re-apply / status on every network: people from an HR export by e-mail,
a community with its rooms (where the network has rooms), roles, welcome messages sent once."""

from __future__ import annotations

from pathlib import Path

from rse_cli.network import base
from tests.network.conformance.drivers import unique

HEADER = "email;matrix_id;first_name;last_name;department;site;job_title;manager_email;start_date"


def hr_export(e2e, path: Path, n: int = 4) -> list[dict]:
    """n new people, half of them in Ventes; the CSV names every other one by network id, the rest by e-mail."""
    tag = unique("hr").replace("-", "")
    people = []
    for i in range(n):
        email = f"{tag}{i}@corp.example"
        pid = e2e.driver.new_person(f"Prénom{i} Nom{i}", email)
        people.append({"id": pid, "email": email, "first": f"Prénom{i}", "dept": "Ventes" if i % 2 == 0 else "RH"})
    lines = [HEADER] + [
        f"{p['email']};{p['id'] if i % 2 else ''};{p['first']};Nom{i};{p['dept']};Nantes;Commercial;;2026-11-01"
        for i, p in enumerate(people)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return people


def test_plan_apply_reapply_status(e2e, tmp_path):
    people = hr_export(e2e, tmp_path / "hr.csv")
    alias = unique("ventes")
    rooms = '["Général", "Questions"]' if e2e.caps.structure is base.Structure.rooms else "[]"
    alice = e2e.driver.people["alice"]
    (tmp_path / "communities.toml").write_text(
        f"""
[people]
csv = "hr.csv"

[[community]]
name = "Ventes Ouest {alias}"
alias = "{alias}"
topic = "L'équipe commerciale"
rooms = {rooms}
animators = ["{alice}"]
members_where = {{ department = "Ventes" }}
welcome_post = "Bienvenue à toutes et à tous dans la communauté !"
""",
        encoding="utf-8",
    )
    manifest = str(tmp_path / "communities.toml")
    ventes = {p["id"] for p in people if p["dept"] == "Ventes"}

    planned = e2e.rse.json("onboard", "plan", manifest)
    assert planned["problems"] == []
    kinds = [(c["op"], c["kind"]) for c in planned["changes"]]
    [create] = [c for c in planned["changes"] if c["kind"] == "community"]
    assert create["op"] == "+" and create["target"] == e2e.addressing.alias_ref(alias)  # in the network's own syntax
    assert kinds.count(("+", "room")) == (2 if e2e.caps.structure is base.Structure.rooms else 0)
    assert {c["target"] for c in planned["changes"] if c["kind"] == "invite"} == ventes
    assert all(c["name"] != f"Ventes Ouest {alias}" for c in e2e.rse.json("community", "list"))  # plan wrote nothing

    applied = e2e.rse.json("onboard", "apply", manifest, "--yes")
    assert applied["summary"]["communities_created"] == 1
    assert applied["summary"]["invited"] == len(ventes) and applied["summary"]["welcome_sent"] == len(ventes)
    shown = e2e.rse.json("community", "show", alias)
    roles = {m["id"]: (m["membership"], m["role"]) for m in shown["members"]}
    joined = "invite" if e2e.caps.membership is base.Membership.invite else "join"
    assert roles[alice] == (joined, "animator")
    assert all(roles[p][0] == joined for p in ventes)
    first = next(p for p in people if p["dept"] == "Ventes")
    [welcome] = e2e.driver.dm_bodies(first["id"])
    assert first["first"] in welcome and "Ventes Ouest" in welcome

    again = e2e.rse.json("onboard", "plan", manifest)
    assert all(c["op"] == "=" for c in again["changes"]), [c for c in again["changes"] if c["op"] != "="]
    reapplied = e2e.rse.json("onboard", "apply", manifest, "--yes")
    assert reapplied["created"] == [] and reapplied["summary"].get("invited", 0) == 0
    assert reapplied["summary"]["welcome_unchanged"] == len(ventes)
    assert len(e2e.driver.dm_bodies(first["id"])) == 1  # nobody welcomed twice

    [status] = e2e.rse.json("onboard", "status", manifest)
    assert status["exists"] is True and status["expected"] == len(ventes)
    assert status["alias"] == e2e.addressing.alias_ref(alias)
    assert status["failed"] == 0 and status["pending"] == 0


def test_a_manifest_asks_only_for_what_the_network_can_express(e2e, tmp_path):
    alias = unique("forme")
    carol = e2e.driver.people["carol"]
    path = tmp_path / "forme.toml"
    path.write_text(
        f"""
[[community]]
name = "Forme {alias}"
alias = "{alias}"
rooms = ["Général"]
moderators = ["{carol}"]
welcome_dm = false
""",
        encoding="utf-8",
    )
    has_rooms = e2e.caps.structure is base.Structure.rooms
    has_moderators = "moderator" in {r.value for r in e2e.caps.roles}
    if has_rooms and has_moderators:
        planned = e2e.rse.json("onboard", "plan", str(path))
        assert planned["problems"] == []
        assert ("+", "room", "Général") in {(c["op"], c["kind"], c["target"]) for c in planned["changes"]}
        return
    # refused up front, naming the file and the key, and nothing is created
    refused = e2e.rse("onboard", "plan", str(path), ok=False)
    assert refused.exit_code == 2
    assert str(path) in refused.stderr
    if not has_rooms:
        assert "rooms" in refused.stderr
    if not has_moderators:
        assert "moderators" in refused.stderr
    applied = e2e.rse("onboard", "apply", str(path), "--yes", ok=False)
    assert applied.exit_code == 2
    assert all(c["name"] != f"Forme {alias}" for c in e2e.rse.json("community", "list"))
