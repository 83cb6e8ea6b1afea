"""End to end: `rse onboard plan|apply|status` against a real Synapse, including SIGKILL and resume."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import unique

HEADER = "email;matrix_id;first_name;last_name;department;site;job_title;manager_email;start_date"


def make_people(homeserver, n: int, tag: str) -> list[dict]:
    """Register n people with e-mails; half of them appear in the CSV by e-mail only."""
    out = []
    for i in range(n):
        local = f"{tag}{i}"
        uid = homeserver.server.register_user(local, "pw-" + local, displayname=f"Prénom{i} Nom{i}")
        email = f"{local}@corp.example"
        homeserver.api(
            "PUT", f"/_synapse/admin/v2/users/{quote(uid)}", json={"threepids": [{"medium": "email", "address": email}]}
        )
        out.append(
            {"uid": uid, "email": email, "first": f"Prénom{i}", "dept": "Ventes" if i % 2 == 0 else "RH", "site": "Nantes"}
        )
    return out


def write_csv(path: Path, people: list[dict], *, bom=True, extra: list[str] = ()) -> Path:
    lines = [HEADER]
    for i, p in enumerate(people):
        mid = p["uid"] if i % 2 else ""
        lines.append(f"{p['email']};{mid};{p['first']};Nom{i};{p['dept']};{p['site']};Commercial;boss@corp.example;2026-11-01")
    lines += list(extra)
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def manifest(path: Path, alias: str, animator: str, *, csv_name="hr.csv", extra: str = "", where='department = "Ventes"') -> Path:
    path.write_text(
        f"""
[people]
csv = "{csv_name}"

[[community]]
name = "Ventes Ouest {alias}"
alias = "{alias}"
topic = "L'équipe commerciale"
rooms = ["Général", "Questions"]
animators = ["{animator}"]
members_where = {{ {where} }}
welcome_post = "Bienvenue à toutes et à tous dans la communauté !"
{extra}
""",
        encoding="utf-8",
    )
    return path


def dm_messages(homeserver, uid: str) -> list[str]:
    """Bodies of the messages the admin sent to `uid` in every DM room between them."""
    direct = homeserver.api("GET", f"/_matrix/client/v3/user/{quote(homeserver.admin)}/account_data/m.direct")
    bodies = []
    for room in direct.get(uid, []):
        chunk = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(room)}/messages", params={"dir": "b", "limit": 100})[
            "chunk"
        ]
        bodies += [e["content"]["body"] for e in chunk if e["type"] == "m.room.message"]
    return bodies


def membership(homeserver, room_id: str, uid: str) -> str | None:
    try:
        return homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/state/m.room.member/{quote(uid)}")["membership"]
    except Exception:
        return None


def test_plan_apply_reapply_status(rse, homeserver, tmp_path):
    tag = unique("ob").replace("-", "")
    people = make_people(homeserver, 6, tag)
    write_csv(tmp_path / "hr.csv", people)
    alias = unique("ventes")
    path = manifest(
        tmp_path / "communities.toml",
        alias,
        homeserver.users["alice"],
        extra=f'members = ["{homeserver.users["bob"]}"]\nmoderators = ["carol"]'.replace(
            '"carol"', f'"{homeserver.users["carol"]}"'
        ),
    )

    planned = rse.json("onboard", "plan", str(path))
    kinds = [(c["op"], c["kind"]) for c in planned["changes"]]
    assert ("+", "community") in kinds and kinds.count(("+", "room")) == 2
    ventes = {p["uid"] for p in people if p["dept"] == "Ventes"} | {homeserver.users["bob"]}
    assert {c["target"] for c in planned["changes"] if c["kind"] == "invite"} == ventes
    assert planned["problems"] == []
    assert all(c["alias"] != f"#{alias}:rse.test" for c in rse.json("community", "list"))  # plan wrote nothing

    applied = rse.json("onboard", "apply", str(path), "--yes")
    assert applied["summary"]["communities_created"] == 1 and applied["summary"]["invited"] == len(ventes)
    assert applied["summary"]["welcome_sent"] == len(ventes)
    shown = rse.json("community", "show", alias)
    roles = {m["id"]: (m["membership"], m["role"]) for m in shown["members"]}
    assert roles[homeserver.users["alice"]] == ("invite", "animator")
    assert roles[homeserver.users["carol"]] == ("invite", "moderator")
    for uid in ventes:
        assert roles[uid][0] == "invite"
    first = next(p for p in people if p["dept"] == "Ventes")
    bodies = dm_messages(homeserver, first["uid"])
    assert len(bodies) == 1 and first["first"] in bodies[0] and "Ventes Ouest" in bodies[0]

    again = rse.json("onboard", "plan", str(path))
    assert all(c["op"] == "=" for c in again["changes"]), [c for c in again["changes"] if c["op"] != "="]
    reapplied = rse.json("onboard", "apply", str(path), "--yes")
    assert reapplied["created"] == [] and reapplied["summary"].get("invited", 0) == 0
    assert reapplied["summary"]["welcome_unchanged"] == len(ventes)
    assert len(dm_messages(homeserver, first["uid"])) == 1

    status = rse.json("onboard", "status", str(path))
    assert status == [
        {
            "community": f"Ventes Ouest {alias}",
            "alias": f"#{alias}",
            "exists": True,
            "expected": len(ventes),
            "invited": len(ventes),
            "joined": 0,
            "pending": 0,
            "failed": 0,
            "invited_not_joined": len(ventes),
            "not_yet_invited": 0,
        }
    ]  # one word per concept; old keys kept


def png(width: int, height: int) -> bytes:
    """A real PNG image (white pixels), small enough to build here."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_topic_and_picture_follow_the_manifest(rse, homeserver, tmp_path):
    import hashlib

    import httpx

    alias = unique("look")
    (tmp_path / "logos").mkdir()
    logo = tmp_path / "logos" / "ventes.png"
    logo.write_bytes(png(2, 2))
    path = tmp_path / "look.toml"
    path.write_text(
        f"""[[community]]
name = "Look {alias}"
alias = "{alias}"
topic = "Les ventes du grand Ouest"
avatar = "logos/ventes.png"
rooms = []
welcome_dm = false
""",
        encoding="utf-8",
    )

    def picture() -> dict:
        space = rse.json("community", "show", alias)["community"]["id"]
        return homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(space)}/state/m.room.avatar/")

    def todo() -> list[tuple[str, str]]:
        return [(c["op"], c["kind"]) for c in rse.json("onboard", "plan", str(path))["changes"] if c["op"] != "="]

    assert ("+", "avatar") in todo()
    assert rse.json("onboard", "apply", str(path), "--yes")["summary"]["avatars_set"] == 1
    first = picture()
    assert first["url"].startswith("mxc://") and first["info"]["mimetype"] == "image/png"
    assert first["org.rse.sha256"] == hashlib.sha256(logo.read_bytes()).hexdigest()
    server, media = first["url"][len("mxc://") :].split("/")
    got = httpx.get(
        f"{homeserver.url}/_matrix/client/v1/media/download/{server}/{media}",
        headers={"Authorization": f"Bearer {homeserver.admin_token}"},
        timeout=30,
    )
    assert got.content == logo.read_bytes()  # the file itself, uploaded

    assert todo() == []  # recognised by its content: no second upload
    assert rse.json("onboard", "apply", str(path), "--yes")["summary"]["avatars_set"] == 0
    assert picture()["url"] == first["url"]

    # someone edits the description in a client; the manifest's wins back, and a new logo replaces the old
    space = rse.json("community", "show", alias)["community"]["id"]
    homeserver.api("PUT", f"/_matrix/client/v3/rooms/{quote(space)}/state/m.room.topic/", json={"topic": "autre chose"})
    logo.write_bytes(png(3, 1))
    changes = {c["kind"]: c for c in rse.json("onboard", "plan", str(path))["changes"] if c["op"] == "~"}
    assert set(changes) == {"topic", "avatar"} and changes["topic"]["detail"] == "was: autre chose"
    summary = rse.json("onboard", "apply", str(path), "--yes")["summary"]
    assert (summary["topics_set"], summary["avatars_set"]) == (1, 1)
    assert rse.json("community", "show", alias)["community"]["topic"] == "Les ventes du grand Ouest"
    assert picture()["url"] != first["url"] and todo() == []


def test_bad_pictures_are_reported_with_their_line(rse, tmp_path):
    (tmp_path / "notes.png").write_text("not an image", encoding="utf-8")
    path = tmp_path / "bad.toml"
    path.write_text(
        """[[community]]
name = "A"
alias = "a-pic"
avatar = "missing.png"

[[community]]
name = "B"
alias = "b-pic"
avatar = "notes.png"

[[community]]
name = "C"
alias = "c-pic"
avatar = "mxc://bad url"
topic = 3
""",
        encoding="utf-8",
    )
    result = rse("onboard", "plan", str(path), ok=False)
    assert result.exit_code == 2
    err = result.stderr
    assert "bad.toml:4: avatar 'missing.png': cannot read" in err
    assert "bad.toml:9: avatar 'notes.png' is not a PNG, JPEG, GIF or WebP image" in err
    assert "bad.toml:14: avatar 'mxc://bad url' is not a valid mxc:// URL" in err
    assert "bad.toml:15: topic: expected a string, got integer 3" in err


def test_bad_manifest_and_csv_report_every_problem_with_file_and_line(rse, homeserver, tmp_path):
    tag = unique("bad").replace("-", "")
    people = make_people(homeserver, 2, tag)
    write_csv(
        tmp_path / "hr.csv",
        people,
        extra=[
            "ghost@corp.example;;Ghost;X;Ventes;Nantes;x;y;2026-11-01",  # line 4: not on the network
            "broken;line",  # line 5: malformed
            f"{people[0]['email']};;Dup;X;Ventes;Nantes;x;y;2026-11-01",  # line 6: duplicate
        ],
    )
    path = manifest(
        tmp_path / "communities.toml",
        unique("bad"),
        "@nobody-here:rse.test",
        extra='colour = "blue"',
        where='department = "Ventes"',
    )
    result = rse("onboard", "plan", str(path), ok=False)
    assert result.exit_code == 2
    err = result.stderr
    hr = str((tmp_path / "hr.csv").resolve())
    assert f"{hr}:5: malformed line" in err
    assert f"{hr}:6: duplicate person" in err
    assert f"{hr}:4: person not found" in err
    assert "communities.toml:13: unknown key 'colour'" in err

    # a bad TOML key cannot be skipped
    refused = rse("onboard", "apply", str(path), "--yes", "--skip-invalid", ok=False)
    assert refused.exit_code == 2 and "colour" in refused.stderr

    path = manifest(tmp_path / "communities.toml", unique("bad"), "@nobody-here:rse.test", where='department = "Ventes"')
    refused = rse("onboard", "apply", str(path), "--yes", ok=False)
    assert refused.exit_code == 2 and "--skip-invalid" in refused.stderr and "unknown animator" in refused.stderr
    done = rse("onboard", "apply", str(path), "--yes", "--skip-invalid", "--json")
    assert "skipped" in done.stderr and "ghost@corp.example" in done.stderr
    out = json.loads(done.stdout)
    assert out["summary"]["invited"] == 1  # people[0] (Ventes); the duplicate and the ghost were dropped
    assert len(out["skipped"]) == 4


def test_unknown_filter_column_and_toml_syntax(rse, homeserver, tmp_path):
    write_csv(tmp_path / "hr.csv", [])
    path = manifest(tmp_path / "m.toml", unique("x"), homeserver.users["alice"], where='service = "Ventes"')
    result = rse("onboard", "plan", str(path), ok=False)
    assert result.exit_code == 2 and "m.toml:11: unknown column 'service'" in result.stderr
    path.write_text("[[community]]\nname = 'x'\nalias = \n", encoding="utf-8")
    result = rse("onboard", "plan", str(path), ok=False)
    assert result.exit_code == 2 and "m.toml:3: invalid TOML" in result.stderr


def spawn_apply(homeserver, home: Path, path: Path, *, stdout: int = subprocess.PIPE) -> subprocess.Popen:
    """`rse onboard apply PATH --yes --json` in its own process (to be killed), its state in `home`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSE_")}
    env.update(
        RSE_CONFIG_DIR=str(home / "config"),
        RSE_DATA_DIR=str(home / "data"),
        RSE_KEYRING="0",
        RSE_HOMESERVER=homeserver.url,
        RSE_USER=homeserver.admin,
        RSE_TOKEN=homeserver.admin_token,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "rse_cli", "onboard", "apply", str(path), "--yes", "--json"],
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
    )


@pytest.mark.timeout(240)
def test_killed_apply_resumes_without_duplicates(homeserver, tmp_path):
    tag = unique("kill").replace("-", "")
    people = make_people(homeserver, 30, tag)
    for p in people:
        p["dept"] = "Ventes"
    write_csv(tmp_path / "hr.csv", people)
    alias = unique("kill")
    path = manifest(tmp_path / "communities.toml", alias, homeserver.users["alice"])
    rng = random.Random(int(os.environ.get("RSE_TEST_SEED", "0")) or None)
    kills, progress = 0, []
    for delay in [rng.uniform(0.6, 1.6) for _ in range(5)]:
        proc = spawn_apply(homeserver, tmp_path, path)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        progress.append(journal_size(tmp_path))
    proc = spawn_apply(homeserver, tmp_path, path)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err.decode()
    assert kills >= 1
    print("journal entries of new work after each killed run:", progress, "final:", journal_size(tmp_path))
    space = homeserver.api("GET", f"/_matrix/client/v3/directory/room/{quote('#' + alias + ':rse.test')}")["room_id"]
    hierarchy = homeserver.api("GET", f"/_matrix/client/v1/rooms/{quote(space)}/hierarchy")["rooms"]
    assert sorted(r.get("name") for r in hierarchy if r["room_id"] != space) == ["Général", "Questions"]
    for p in people:
        assert membership(homeserver, space, p["uid"]) == "invite"
        assert len(dm_messages(homeserver, p["uid"])) == 1, p["uid"]
    general = next(r["room_id"] for r in hierarchy if r.get("name") == "Général")
    chunk = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(general)}/messages", params={"dir": "b", "limit": 100})[
        "chunk"
    ]
    assert len([e for e in chunk if e["type"] == "m.room.message"]) == 1
    # and the admin created the space once: one space with that name among its rooms
    joined = homeserver.api("GET", "/_matrix/client/v3/joined_rooms")["joined_rooms"]
    assert len([r for r in joined if _name(homeserver, r) == f"Ventes Ouest {alias}"]) == 1


def journal_size(home: Path, action: str = "%") -> int:
    """How many journal entries (of `action`, a LIKE pattern) record work done or begun: a rerun's
    'unchanged' entries (what an earlier run already did, checked again) are not counted, so a kill
    placed by this count always lands in new work. Read-only, beside a running rse."""
    import sqlite3

    db = home / "data" / "rse.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            sql = "SELECT COUNT(*) FROM journal WHERE outcome <> 'unchanged' AND action LIKE ?"
            return int(conn.execute(sql, (action,)).fetchone()[0])
    except sqlite3.Error:
        return 0


def _name(homeserver, room_id: str) -> str | None:
    try:
        return homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/state/m.room.name/")["name"]
    except Exception:
        return None


def test_failed_rows_are_written_to_a_csv_that_can_be_fed_back(rse, homeserver, tmp_path):
    tag = unique("fail").replace("-", "")
    people = make_people(homeserver, 3, tag)
    for p in people:
        p["dept"] = "Ventes"
    write_csv(tmp_path / "hr.csv", people)
    alias = unique("fail")
    space = rse.json("community", "create", f"Ventes Ouest {alias}", "--alias", alias, "--room", "Général")["id"]
    banned = people[1]["uid"]
    homeserver.api("POST", f"/_matrix/client/v3/rooms/{quote(space)}/ban", json={"user_id": banned, "reason": "test"})
    path = manifest(tmp_path / "communities.toml", alias, homeserver.users["alice"])
    result = rse("onboard", "apply", str(path), "--yes", "--json", ok=False)
    assert result.exit_code == 6
    out = json.loads(result.stdout)
    assert out["summary"]["failed"] == 1 and out["summary"]["invited"] == 2
    # the community existed without the manifest's topic: rse adds the missing room and the topic
    assert out["created"] == [f"room Ventes Ouest {alias}/Questions", f"topic Ventes Ouest {alias}"]
    failed = Path(out["failed_csv"])
    assert failed == tmp_path / "communities.failed.csv"
    lines = failed.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(HEADER + ";identifier;community;error") and len(lines) == 2 and people[1]["email"] in lines[1]
    status = rse.json("onboard", "status", str(path))[0]
    assert (status["invited"], status["failed"], status["pending"]) == (2, 1, 0)

    # unban, feed the failed rows back: only that person is invited
    homeserver.api("POST", f"/_matrix/client/v3/rooms/{quote(space)}/unban", json={"user_id": banned})
    retry = manifest(tmp_path / "retry.toml", alias, homeserver.users["alice"], csv_name=failed.name)
    again = rse.json("onboard", "apply", str(retry), "--yes")
    assert [(o["person"], o["action"], o["welcome"]) for o in again["outcomes"]] == [(banned, "invited", "sent")]


def test_join_true_adds_members_directly(rse, homeserver, tmp_path):
    tag = unique("join").replace("-", "")
    people = make_people(homeserver, 2, tag)
    for p in people:
        p["dept"] = "Ventes"
    write_csv(tmp_path / "hr.csv", people)
    alias = unique("join")
    path = manifest(tmp_path / "c.toml", alias, homeserver.users["alice"], extra="join = true")
    assert {c["kind"] for c in rse.json("onboard", "plan", str(path))["changes"]} >= {"join"}
    unattended = rse("onboard", "apply", str(path), ok=False)  # no terminal to confirm on
    assert unattended.exit_code == 2 and "--yes" in unattended.stderr
    out = rse.json("onboard", "apply", str(path), "--yes")
    assert out["summary"]["joined"] == 2
    shown = rse.json("community", "show", alias)
    for p in people:
        assert membership(homeserver, shown["community"]["id"], p["uid"]) == "join"
        for room in shown["community"]["rooms"]:
            assert membership(homeserver, room["id"], p["uid"]) == "join"
    assert rse.json("onboard", "status", str(path))[0]["joined"] == 2


def test_plan_warns_at_the_limits_the_connector_declares(rse, homeserver, tmp_path):
    """The note before a long job quotes the connector's own rate model and fast path (Synapse's
    defaults here); --json carries the same figures for scripts."""
    tag = unique("lim").replace("-", "")
    people = make_people(homeserver, 24, tag)  # 12 in Ventes: 12 welcome DMs = 12 new rooms + the community's 3
    write_csv(tmp_path / "hr.csv", people)
    path = manifest(tmp_path / "communities.toml", unique("lim"), homeserver.users["alice"])
    shown = rse("onboard", "plan", str(path))
    note = [line for line in shown.stderr.splitlines() if line.startswith("note:")]
    assert len(note) == 1 and "at Synapse's default rate limits (12 messages and invitations a minute" in note[0]  # once
    assert "one room creation every 62.5 s" in note[0]
    # the plan line's own counts, and why welcome messages cost room creations here
    assert "12 welcome messages to send" in shown.stdout and "2 rooms to create" in shown.stdout
    assert "  to create: 1 community, 2 rooms and 12 conversations (a room for each welcome message)" in shown.stderr
    assert "override_ratelimit" in shown.stderr  # the fast path, in the connector's words
    french = rse("--lang", "fr", "onboard", "plan", str(path)).stderr
    assert "avec les limites de débit par défaut de Synapse (12 messages et invitations par minute" in french
    assert "toutes les 62,5 s" in french and "un administrateur du serveur lève les limites" in french
    assert "Synapse's" not in french and "a server admin" not in french
    est = rse.json("onboard", "plan", str(path))["estimate"]
    assert (est["room_creations"], est["communities"], est["rooms"], est["conversations"]) == (15, 1, 2, 12)
    assert est["seconds_at_default_limits"] == round((15 - 10) / 0.016, 1) and est["limits"].startswith("Synapse")


# -- on the in-memory network: the plain output a champion reads, in both languages, and the hints --

MEM_HEADER = "email;first_name;last_name;department"


@pytest.fixture
def mem(cli, monkeypatch):
    """`rse` signed in as the champion of a fresh in-memory network (connector `memory`); people
    Alice (animator), then Bruno and Chloé in Ventes, Denis in RH, each with an e-mail."""
    from rse_cli.network import base
    from tests.fakes import memory

    world = memory.new_world("memory")
    base.register("memory", memory.CONNECTORS["memory"])
    champion = world.add_person("Camille Admin", "admin@example.org", admin=True)
    people = {
        k: world.add_person(name, f"{k}@corp.example")
        for k, name in (("alice", "Alice Martin"), ("bruno", "Bruno Petit"), ("chloe", "Chloé Durand"), ("denis", "Denis Roy"))
    }
    for name, value in {
        "RSE_NETWORK": "memory",
        "RSE_HOMESERVER": world.url,
        "RSE_USER": champion,
        "RSE_TOKEN": world.token(champion),
    }.items():
        monkeypatch.setenv(name, value)
    cli.world, cli.people = world, people  # type: ignore[attr-defined]
    try:
        yield cli
    finally:
        memory.WORLDS.pop(world.url, None)


def mem_manifest(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "hr.csv").write_text(
        "\n".join(
            [
                MEM_HEADER,
                "bruno@corp.example;Bruno;Petit;Ventes",
                "chloe@corp.example;Chloé;Durand;Ventes",
                "denis@corp.example;Denis;Roy;RH",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    path = tmp_path / "communities.toml"
    path.write_text(
        f"""
[people]
csv = "hr.csv"

[[community]]
name = "Ventes Ouest"
alias = "ventes-ouest"
topic = "L'équipe commerciale"
animators = ["alice@corp.example"]
members_where = {{ department = "Ventes" }}
{extra}
""",
        encoding="utf-8",
    )
    return path


def test_plan_reads_as_sentences_in_english_and_french(mem, tmp_path):
    path = str(mem_manifest(tmp_path))
    p = mem.people
    english = mem("onboard", "plan", path)
    assert english.stdout == (
        "Ventes Ouest\n"
        "  + community ~ventes-ouest (L'équipe commerciale)\n"
        "  + room Général\n"
        f"  ~ role {p['alice']} (animator)\n"
        f"  + invitation {p['bruno']}\n"
        f"  + welcome message {p['bruno']}\n"
        f"  + invitation {p['chloe']}\n"
        f"  + welcome message {p['chloe']}\n"
        "Plan: 1 community to create, 1 room to create, 1 role to give, 2 invitations to send, "
        "2 welcome messages to send; 0 already in place.\n"
    )
    assert "note:" not in english.stderr  # seconds of work: no rate-limit note
    french = mem("--lang", "fr", "onboard", "plan", path)
    assert french.stdout == (
        "Ventes Ouest\n"
        "  + communauté ~ventes-ouest (L'équipe commerciale)\n"
        "  + salon Général\n"
        f"  ~ rôle {p['alice']} (animateur)\n"
        f"  + invitation {p['bruno']}\n"
        f"  + message de bienvenue {p['bruno']}\n"
        f"  + invitation {p['chloe']}\n"
        f"  + message de bienvenue {p['chloe']}\n"
        "Plan : 1 communauté à créer, 1 salon à créer, 1 rôle à attribuer, 2 invitations à envoyer, "
        "2 messages de bienvenue à envoyer ; 0 déjà en place.\n"
    )
    # --json keeps its keys and values whatever the language
    assert mem.json("--lang", "fr", "onboard", "plan", path)["changes"][0]["kind"] == "community"


def test_apply_summary_and_status_use_plurals_and_one_word_per_concept(mem, tmp_path):
    path = str(mem_manifest(tmp_path))
    done = mem("onboard", "apply", path, "--yes")
    assert ("done: 1 community created, 1 room created, 2 people invited, 2 welcomes sent, 0 failed\n") in done.stderr
    assert "(ies)" not in done.stderr and "(s)" not in done.stderr
    assert done.stdout.splitlines()[0].split() == ["COMMUNITY", "PERSON", "ACTION", "WELCOME", "ERROR"]
    assert all("invitation sent" in row and row.rstrip().endswith("sent") for row in done.stdout.splitlines()[1:])
    status = mem("onboard", "status", path).stdout.splitlines()
    assert status[0].split("  ")[0] == "COMMUNITY" and "INVITED, NOT JOINED" in status[0] and "NOT YET INVITED" in status[0]
    assert "PENDING" not in status[0]
    french = mem("--lang", "fr", "onboard", "status", path).stdout
    assert "INVITÉS, PAS ENCORE ARRIVÉS" in french and "PAS ENCORE INVITÉS" in french and "EN ÉCHEC" in french
    [row] = mem.json("onboard", "status", path)
    assert (row["invited"], row["invited_not_joined"], row["pending"], row["not_yet_invited"]) == (2, 2, 0, 0)
    again = mem("--lang", "fr", "onboard", "apply", path, "--yes")
    assert "terminé : rien à faire, 2 déjà présentes, 0 en échec\n" in again.stderr


def _long_manifest(mem, tmp_path):
    """400 people to invite and welcome: over a minute at the memory network's limits."""
    lines = [MEM_HEADER] + [f"p{i}@corp.example;P{i};N;Ventes" for i in range(400)]
    for i in range(400):
        mem.world.add_person(f"P{i} N", f"p{i}@corp.example")
    path = mem_manifest(tmp_path)
    (tmp_path / "hr.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_apply_notes_the_rate_limits_once_when_no_plan_showed_them(mem, tmp_path):
    path = _long_manifest(mem, tmp_path)
    applied = mem("onboard", "apply", str(path), "--yes")
    assert sum(ln.startswith("note:") for ln in applied.stderr.splitlines()) == 1
    assert applied.stderr.count("  to send:") == 1


def test_a_long_plan_notes_the_rate_limits_once(mem, tmp_path):
    path = _long_manifest(mem, tmp_path)
    shown = mem("onboard", "plan", str(path))
    notes = [ln for ln in shown.stderr.splitlines() if ln.startswith("note:")]
    assert len(notes) == 1 and "at least 76 s at the network's rate limits" in notes[0], shown.stderr
    # the note counts what the plan line counts, in the same words
    plan_line = shown.stdout.splitlines()[-1]
    assert "400 invitations to send" in plan_line and "400 welcome messages to send" in plan_line and "1 role" in plan_line
    assert "  to send: 400 invitations, 400 welcome messages and 1 other change (role, description or picture)" in shown.stderr
    assert "  to create: 1 community and 1 room\n" in shown.stderr and "(s)" not in shown.stderr
    french = mem("--lang", "fr", "onboard", "plan", str(path)).stderr
    assert "remarque : cela prend au moins 76 s avec les limites de débit du réseau." in french
    assert (
        "  à envoyer : 400 invitations, 400 messages de bienvenue et 1 autre modification (rôle, description ou image)" in french
    )
    assert "  à créer : 1 communauté et 1 salon" in french
    applied = mem("onboard", "apply", str(path), "--yes")  # right after the plan that said it: not again
    assert "note:" not in applied.stderr and "400 people invited" in applied.stderr
    again = mem("onboard", "apply", str(path), "--yes")  # nothing left to do: no note, with --yes too
    assert "note:" not in again.stderr and "400 already there" in again.stderr


def test_manifest_hints_name_the_cause(mem, tmp_path):
    path = mem_manifest(tmp_path)
    (tmp_path / "hr.csv").unlink()
    missing = mem("onboard", "plan", str(path), ok=False)
    assert missing.exit_code == 2 and "hr.csv: no such file" in missing.stderr
    assert "--skip-invalid" not in missing.stderr  # it would not help
    (tmp_path / "hr.csv").write_text("mail;prenom\nbruno@corp.example;Bruno\n", encoding="utf-8")
    header = mem("onboard", "plan", str(path), ok=False)
    assert "wrong header: no identifier column; expected 'matrix_id' or 'email', found 'mail', 'prenom'" in header.stderr
    assert "--skip-invalid" not in header.stderr
    mem_manifest(tmp_path, extra='moderators = ["bruno@corp.exampel"]')
    typo = mem("onboard", "plan", str(path), ok=False)
    assert "did you mean `bruno@corp.example`?" in typo.stderr, typo.stderr
    assert "hint: fix them, or drop the bad rows with `rse onboard apply --skip-invalid`" in typo.stderr  # here it helps
    dropped = mem("onboard", "apply", str(path), "--yes", "--skip-invalid")
    assert "skipped" in dropped.stderr and "hint:" not in dropped.stderr


def test_a_feed_network_refuses_rooms_and_moderators_naming_the_line(cli, monkeypatch, tmp_path):
    from rse_cli.network import base
    from tests.fakes import memory

    world = memory.new_world("memory-feed")
    base.register("memory-feed", memory.CONNECTORS["memory-feed"])
    champion = world.add_person("Camille Admin", "admin@example.org", admin=True)
    world.add_person("Bruno Petit", "bruno@corp.example")
    for name, value in {
        "RSE_NETWORK": "memory-feed",
        "RSE_HOMESERVER": world.url,
        "RSE_USER": champion,
        "RSE_TOKEN": world.token(champion),
    }.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "m.toml"
    path.write_text(
        '[[community]]\nname = "Forme"\nalias = "forme"\nrooms = ["Général"]\nmoderators = ["bruno@corp.example"]\n',
        encoding="utf-8",
    )
    try:
        refused = cli("onboard", "apply", str(path), "--yes", ok=False)
        assert refused.exit_code == 2
        assert f"{path}:4: rooms: this network has one feed per community: remove `rooms`" in refused.stderr
        assert f"{path}:5: moderators: this network has no moderator role" in refused.stderr
        french = cli("--lang", "fr", "onboard", "plan", str(path), ok=False)
        assert f"{path}:4: rooms : ce réseau a un seul fil par communauté : retirez `rooms`" in french.stderr
        assert all(c["name"] != "Forme" for c in cli.json("community", "list"))  # nothing half-written
        # no `rooms` key: no default room on a feed
        path.write_text('[[community]]\nname = "Forme"\nalias = "forme"\nwelcome_dm = false\n', encoding="utf-8")
        kinds = [c["kind"] for c in cli.json("onboard", "plan", str(path))["changes"]]
        assert "room" not in kinds
    finally:
        memory.WORLDS.pop(world.url, None)
