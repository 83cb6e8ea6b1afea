"""End to end: newcomer campaigns with a controllable clock (RSE_NOW), against a real Synapse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from tests.cli.test_onboard import HEADER, dm_messages, make_people
from tests.conftest import unique

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(monkeypatch, when: datetime) -> None:
    monkeypatch.setenv("RSE_NOW", when.isoformat())


def csv_of(path: Path, people: list[dict], manager: str = "", start: str = "2026-11-02") -> Path:
    """People who started already (a start date still to come moves their day 0, see below)."""
    lines = [HEADER] + [
        f"{p['email']};;{p['first']};Nom;Ventes;Nantes;Commercial;{manager};{p.get('start', start)}" for p in people
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def post_as(homeserver, local: str, space: str, room: str, text: str) -> None:
    token = homeserver.server.login(local, "pw-" + local)["access_token"]
    for rid in (space, room):
        homeserver.api("POST", f"/_matrix/client/v3/join/{quote(rid)}", token=token, json={})
    homeserver.api(
        "PUT",
        f"/_matrix/client/v3/rooms/{quote(room)}/send/m.room.message/{unique('t')}",
        token=token,
        json={"msgtype": "m.text", "body": text},
    )


def test_campaign_day0_day3_day7_with_grace_and_funnel(rse, homeserver, tmp_path, monkeypatch):
    tag = unique("nc").replace("-", "")
    people = make_people(homeserver, 3, tag)
    boss = make_people(homeserver, 1, tag + "boss")[0]
    path = csv_of(tmp_path / "hr.csv", people, manager=boss["email"])
    path.write_text(
        path.read_text() + f"{boss['email']};;Sophie;Marchand;Ventes;Nantes;Directrice;;2020-01-01\n", encoding="utf-8"
    )
    alias = unique("accueil")
    created = rse.json(
        "community", "create", "Accueil", "--alias", alias, "--room", "Général", "--animator", homeserver.users["alice"]
    )
    name = unique("newcomers")
    # the clock starts now: the thank-you is timed from the (real) first post
    T0 = datetime.now(UTC).replace(microsecond=0)

    at(monkeypatch, T0)
    camp = rse.json(
        "campaign",
        "create",
        name,
        "--people",
        str(path),
        "--community",
        alias,
        "--nudge",
        "3d:nudge-first-post",
        "--nudge",
        "7d:nudge-second",
        "--thanks",
        "thanks-first-post",
        "--lang",
        "en",
    )
    assert camp["people"] == 4 and [s["name"] for s in camp["steps"]] == ["welcome", "nudge-3d", "nudge-7d", "thanks"]
    assert [c["name"] for c in rse.json("campaign", "list") if c["name"] == name] == [name]

    day0 = rse.json("campaign", "run", "--campaign", name)
    assert sorted((r["step"], r["outcome"]) for r in day0) == [("welcome", "sent")] * 4
    first = people[0]
    bodies = dm_messages(homeserver, first["uid"])
    assert len(bodies) == 1 and "Hello Prénom0" in bodies[0] and "Sophie Marchand" in bodies[0]
    assert "Accueil" in bodies[0] and "https://matrix.to/#/" in bodies[0] and "Alice Martin" in bodies[0]
    assert rse.json("campaign", "run", "--campaign", name) == []  # same day: nothing more

    # people[1] joins and posts; the others stay silent
    post_as(homeserver, f"{tag}1", created["id"], created["rooms"][0]["id"], "Bonjour à tous, je suis nouveau !")

    at(monkeypatch, T0 + timedelta(days=1))
    day1 = rse.json("campaign", "run", "--campaign", name)
    assert [(r["person"], r["step"], r["outcome"]) for r in day1] == [(people[1]["uid"], "thanks", "sent")]
    thanks = dm_messages(homeserver, people[1]["uid"])
    assert len(thanks) == 2 and "Thank you Prénom1" in thanks[0] and "https://matrix.to/#/" in thanks[0]
    at(monkeypatch, T0 + timedelta(days=3, hours=2))
    day3 = {(r["person"], r["step"]): r for r in rse.json("campaign", "run", "--campaign", name)}
    assert day3[(people[0]["uid"], "nudge-3d")]["outcome"] == "sent"
    assert day3[(people[1]["uid"], "nudge-3d")]["outcome"] == "skipped"
    import re

    # the day in words, as every date rse shows a reader ("already posted (25 November 2026)")
    assert re.fullmatch(r"already posted \(\d{1,2} [A-Z][a-z]+ \d{4}\)", day3[(people[1]["uid"], "nudge-3d")]["detail"])
    assert len(dm_messages(homeserver, people[0]["uid"])) == 2
    assert len(dm_messages(homeserver, people[1]["uid"])) == 2  # welcome + thanks, no nudge

    # the day-7 run is missed; the next one comes 30 h late, beyond the 24 h grace period
    at(monkeypatch, T0 + timedelta(days=8, hours=6))
    day8 = {(r["person"], r["step"]): r for r in rse.json("campaign", "run", "--campaign", name)}
    stale = day8[(people[0]["uid"], "nudge-7d")]
    assert stale["outcome"] == "skipped" and "stale" in stale["detail"] and "grace" in stale["detail"]
    assert len(dm_messages(homeserver, people[0]["uid"])) == 2
    assert rse.json("campaign", "run", "--campaign", name) == []

    status = rse.json("campaign", "status", name, "--csv", str(tmp_path / "funnel.csv"))
    assert status["funnel"] == {"campaign": name, "enrolled": 4, "invited": 4, "joined": 1, "first_post": 1, "active": 0}
    rows = {p["person"]: p for p in status["people"]}
    assert rows[people[1]["uid"]]["steps"] == {"welcome": "done", "nudge-3d": "skipped", "nudge-7d": "skipped", "thanks": "done"}
    assert rows[people[0]["uid"]]["steps"] == {"welcome": "done", "nudge-3d": "done", "nudge-7d": "skipped", "thanks": "pending"}
    assert (tmp_path / "funnel.csv").read_text().count("\n") == 5
    text = rse("campaign", "status", name).stdout
    assert "first post" in text and "25%" in text


def test_newcomers_who_start_later_are_welcomed_on_their_first_day(rse, homeserver, tmp_path, monkeypatch):
    """An export of next month's arrivals: each person's day 0 is their start date, nudges count from it."""
    tag = unique("later").replace("-", "")
    people = make_people(homeserver, 3, tag)
    people[1]["start"], people[2]["start"] = "2026-12-07", "07/12/2026"  # ISO, and the French way
    path = csv_of(tmp_path / "hr.csv", people, start="2026-11-16")
    alias = unique("accueil")
    rse.json("community", "create", "Accueil", "--alias", alias, "--room", "Général")
    name = unique("arrivals")
    at(monkeypatch, datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    rse("campaign", "create", name, "--people", str(path), "--community", alias, "--nudge", "3d:nudge-first-post")
    now = rse.json("campaign", "run", "--campaign", name, "--no-sync")
    assert [(r["person"], r["step"]) for r in now] == [(people[0]["uid"], "welcome")]
    assert dm_messages(homeserver, people[1]["uid"]) == []  # neither welcomed nor invited before their first day
    assert people[1]["uid"] not in {m["id"] for m in rse.json("community", "show", alias)["members"]}
    status = rse.json("campaign", "status", name)
    assert {p["person"]: p["day0"][:10] for p in status["people"]} == {
        people[0]["uid"]: "2026-11-25",
        people[1]["uid"]: "2026-12-07",
        people[2]["uid"]: "2026-12-07",
    }
    line = next(x for x in rse("campaign", "status", name).stdout.splitlines() if "not started yet" in x)
    assert line.startswith("2 people not started yet: welcomed on their start date, ")  # one day, said once
    assert "December 2026" in line and " to " not in line

    at(monkeypatch, datetime(2026, 12, 7, 7, 30, tzinfo=UTC))  # their first morning
    first_day = rse.json("campaign", "run", "--campaign", name, "--no-sync")
    assert sorted((r["person"], r["step"], r["outcome"]) for r in first_day) == sorted(
        [(people[1]["uid"], "welcome", "sent"), (people[2]["uid"], "welcome", "sent"), (people[0]["uid"], "nudge-3d", "skipped")]
    )  # the first one's day-3 nudge was due on 28/11: stale now
    at(monkeypatch, datetime(2026, 12, 10, 8, 0, tzinfo=UTC))  # day 3 of the late arrivals, not of the first
    day3 = rse.json("campaign", "run", "--campaign", name, "--no-sync")
    assert sorted((r["person"], r["step"]) for r in day3) == sorted(
        [(people[1]["uid"], "nudge-3d"), (people[2]["uid"], "nudge-3d")]
    )
    assert all(r["outcome"] == "sent" for r in day3)

    people[0]["start"] = "bientôt"
    bad = rse(
        "campaign",
        "create",
        unique("c"),
        "--people",
        str(csv_of(tmp_path / "bad.csv", people[:1])),
        "--community",
        alias,
        ok=False,
    )
    assert bad.exit_code == 2 and f"{tmp_path / 'bad.csv'}:2: start_date 'bientôt' is not a date" in bad.stderr


def test_campaign_create_reports_bad_rows(rse, homeserver, tmp_path, monkeypatch):
    alias = unique("acc")
    rse("community", "create", "Acc", "--alias", alias)
    path = tmp_path / "hr.csv"
    path.write_text(f"{HEADER}\nghost@nowhere.example;;G;H;V;N;x;;2026-12-01\nbad;line\n", encoding="utf-8")
    result = rse("campaign", "create", unique("c"), "--people", str(path), "--community", alias, ok=False)
    assert result.exit_code == 2
    assert f"{path}:2: person not found" in result.stderr and f"{path}:3: malformed line" in result.stderr
    bad = rse("campaign", "create", unique("c"), "--people", str(path), "--community", alias, "--nudge", "soon:x", ok=False)
    assert bad.exit_code == 2 and "DELAY:TEMPLATE" in bad.stderr


def _run(homeserver, home: Path, name: str, when: datetime) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSE_")}
    env.update(
        RSE_CONFIG_DIR=str(home / "config"),
        RSE_DATA_DIR=str(home / "data"),
        RSE_KEYRING="0",
        RSE_NOW=when.isoformat(),
        RSE_HOMESERVER=homeserver.url,
        RSE_USER=homeserver.admin,
        RSE_TOKEN=homeserver.admin_token,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "rse_cli", "campaign", "run", "--campaign", name, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_concurrent_runs_send_each_step_once(rse, homeserver, tmp_path, monkeypatch):
    tag = unique("cc").replace("-", "")
    people = make_people(homeserver, 6, tag)
    alias = unique("conc")
    rse("community", "create", "Concurrence", "--alias", alias)
    name = unique("conc")
    at(monkeypatch, T0)
    rse("campaign", "create", name, "--people", str(csv_of(tmp_path / "hr.csv", people)), "--community", alias)
    procs = [_run(homeserver, tmp_path, name, T0 + timedelta(minutes=5)) for _ in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        outs += json.loads(out)
    assert sorted(r["person"] for r in outs if r["outcome"] == "sent") == sorted(p["uid"] for p in people)
    for p in people:
        assert len(dm_messages(homeserver, p["uid"])) == 1


def test_create_selects_rows_with_where_and_started_since(rse, homeserver, tmp_path, monkeypatch):
    tag = unique("sel").replace("-", "")
    people = make_people(homeserver, 3, tag)
    path = tmp_path / "hr.csv"
    path.write_text(
        HEADER
        + "\n"
        + "".join(
            f"{p['email']};;{p['first']};N;{dept};Nantes;x;;{start}\n"
            for p, dept, start in zip(people, ["Ventes", "Ventes", "RH"], ["2026-11-28", "2026-10-01", "2026-11-29"], strict=True)
        ),
        encoding="utf-8",
    )
    alias = unique("sel")
    rse("community", "create", "Sel", "--alias", alias)
    at(monkeypatch, T0)
    camp = rse.json(
        "campaign",
        "create",
        unique("sel"),
        "--people",
        str(path),
        "--community",
        alias,
        "--where",
        "department=ventes",
        "--started-since",
        "2026-11-15",
    )
    assert camp["people"] == 1
    bad = rse("campaign", "create", unique("sel"), "--people", str(path), "--community", alias, "--where", "service=RH", ok=False)
    assert bad.exit_code == 2 and "unknown column 'service'" in bad.stderr


# -- on the in-memory network: what a champion reads, in both languages, and the hints ---------------

import pytest  # noqa: E402

from tests.cli.test_onboard import mem  # noqa: E402,F401 - the in-memory `rse` fixture


def mem_csv(path: Path, header: str = "email;first_name;last_name;department;start_date") -> Path:
    path.write_text(
        "\n".join(
            [header, "bruno@corp.example;Bruno;Petit;Ventes;2026-11-02", "chloe@corp.example;Chloé;Durand;Ventes;2026-11-02"]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def mem_campaign(mem, tmp_path, monkeypatch, *extra: str) -> str:
    at(monkeypatch, T0)
    mem.json("community", "create", "Accueil", "--alias", "accueil")
    mem.json(
        "campaign",
        "create",
        "nouveaux",
        "--people",
        str(mem_csv(tmp_path / "hr.csv")),
        "--community",
        "accueil",
        "--nudge",
        "3d:nudge-first-post",
        "--lang",
        "fr",
        *extra,
    )
    return "nouveaux"


def test_campaign_status_and_run_read_the_same_in_both_languages(mem, tmp_path, monkeypatch):
    name = mem_campaign(mem, tmp_path, monkeypatch)
    ran = mem("campaign", "run", "--campaign", name)
    assert ran.stderr.startswith("2 sent, 0 skipped, 0 failed")
    rows = ran.stdout.splitlines()
    assert rows[0].split() == ["CAMPAIGN", "PERSON", "STEP", "OUTCOME", "DETAIL"]
    assert all(r.rstrip().endswith("sent") for r in rows[1:])  # no event id in DETAIL
    assert all(r["detail"] for r in mem.json("campaign", "run", "--campaign", name) or [{"detail": "x"}])
    world = mem.world
    accueil = next(c for c in mem.json("community", "list") if c["name"] == "Accueil")
    world.join(mem.people["bruno"], accueil["id"])
    room = next(r for r in world.rooms.values() if r.kind == "room" and r.name == "Général")
    world.post(mem.people["bruno"], room.id, "Bonjour à tous !")
    at(monkeypatch, T0 + timedelta(hours=1))
    mem("campaign", "run", "--campaign", name)  # syncs: Bruno joined and posted
    assert mem("campaign", "status", name).stdout == (
        "enrolled       2    100%  ██████████████████████████████\n"
        "invited        2    100%  ██████████████████████████████\n"
        "joined         1     50%  ███████████████\n"
        "first post     1     50%  ███████████████\n"
        "active         0      0%\n"
    )
    assert mem("--lang", "fr", "campaign", "status", name).stdout == (
        "inscrits            2   100\u00a0%  ██████████████████████████████\n"
        "invités             2   100\u00a0%  ██████████████████████████████\n"
        "arrivés             1    50\u00a0%  ███████████████\n"
        "premier message     1    50\u00a0%  ███████████████\n"
        "actifs              0     0\u00a0%\n"
    )
    funnel = mem.json("--lang", "fr", "campaign", "status", name)["funnel"]
    assert (funnel["enrolled"], funnel["joined"], funnel["first_post"]) == (2, 1, 1)  # keys never translated


def test_campaign_hints_did_you_mean_and_column_mapping(mem, tmp_path, monkeypatch):
    name = mem_campaign(mem, tmp_path, monkeypatch)
    typo = mem("campaign", "status", "nouveau", ok=False)
    assert typo.exit_code != 0 and f"no campaign named 'nouveau' (did you mean `{name}`?)" in typo.stderr
    french = mem("--lang", "fr", "campaign", "status", "nouveau", ok=False)
    assert f"aucune campagne nommée « nouveau » (vouliez-vous dire `{name}` ?)" in french.stderr
    # an export with its own column names, mapped as a manifest's [people.columns]
    export = mem_csv(tmp_path / "export.csv", header="Courriel;Prénom;Nom;Service;Arrivée")
    made = mem.json(
        "campaign",
        "create",
        "mapped",
        "--people",
        str(export),
        "--community",
        "accueil",
        "--column",
        "email=Courriel",
        "--column",
        "first_name=Prénom",
        "--column",
        "start_date=Arrivée",
    )
    assert made["people"] == 2
    wrong = mem(
        "campaign", "create", "mapped2", "--people", str(export), "--community", "accueil", "--column", "email=Couriel", ok=False
    )
    assert wrong.exit_code == 2 and "unknown column 'Couriel' (mapped to email); found: 'Courriel'" in wrong.stderr
    assert "did you mean `Courriel`?" in wrong.stderr and "--skip-invalid" not in wrong.stderr
    missing = mem("campaign", "create", "mapped3", "--people", str(tmp_path / "absent.csv"), "--community", "accueil", ok=False)
    assert missing.exit_code == 2 and "absent.csv: no such file" in missing.stderr and "--skip-invalid" not in missing.stderr
    bad = mem("campaign", "create", "mapped4", "--people", str(export), "--community", "accueil", "--column", "email", ok=False)
    assert bad.exit_code == 2 and "expected FIELD=COLUMN" in bad.stderr


@pytest.fixture
def no_dm(cli, monkeypatch):
    """A feed network whose private messages are off (like a Viva Engage tenant that disabled them)."""
    from rse_cli.network import base
    from rse_cli.network.base import Capabilities
    from tests.fakes import memory

    caps: Capabilities = memory.FEED.model_copy(update={"direct_messages": False})
    base.register("memory-nodm", memory.MemoryConnector("memory-nodm", caps))
    world = memory.World(caps, connector="memory-nodm")
    memory.WORLDS[world.url] = world
    champion = world.add_person("Camille Admin", "admin@example.org", admin=True)
    people = {k: world.add_person(n, f"{k}@corp.example") for k, n in (("bruno", "Bruno Petit"), ("chloe", "Chloé Durand"))}
    for name, value in {
        "RSE_NETWORK": "memory-nodm",
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


def test_without_private_messages_a_campaign_welcomes_with_a_mention(no_dm, tmp_path, monkeypatch):
    at(monkeypatch, T0)
    accueil = no_dm.json("community", "create", "Accueil", "--alias", "accueil")
    csv = str(mem_csv(tmp_path / "hr.csv"))
    refused = no_dm("campaign", "create", "n1", "--people", csv, "--community", "accueil", ok=False)
    assert refused.exit_code == 2 and "has no private messages" in refused.stderr and "--welcome-in community" in refused.stderr
    no_dm.json(
        "campaign",
        "create",
        "n1",
        "--people",
        csv,
        "--community",
        "accueil",
        "--welcome-in",
        "community",
        "--nudge",
        "3d:nudge-first-post",
        "--lang",
        "en",
    )
    day0 = no_dm.json("campaign", "run", "--campaign", "n1")
    assert sorted((r["step"], r["outcome"]) for r in day0) == [("welcome", "sent")] * 2
    feed = no_dm.world.bodies(accueil["id"])
    assert sum("Hello Bruno" in b for b in feed) == 1 and sum("Hello Chloé" in b for b in feed) == 1
    assert no_dm.json("campaign", "run", "--campaign", "n1") == []  # once


def test_without_private_messages_a_manifest_welcomes_with_a_mention(no_dm, tmp_path):
    mem_csv(tmp_path / "hr.csv")
    path = tmp_path / "m.toml"
    body = '[people]\ncsv = "hr.csv"\n\n[[community]]\nname = "Ventes"\nalias = "ventes"\nmembers_where = { department = "Ventes" }\n'
    path.write_text(body, encoding="utf-8")
    refused = no_dm("onboard", "plan", str(path), ok=False)
    assert refused.exit_code == 2 and f"{path}:4: welcome_dm: this network has no private messages" in refused.stderr
    path.write_text(body + 'welcome_in = "community"\n', encoding="utf-8")
    kinds = [c["kind"] for c in no_dm.json("onboard", "plan", str(path))["changes"]]
    assert kinds.count("welcome-mention") == 2 and "welcome-dm" not in kinds
    done = no_dm.json("onboard", "apply", str(path), "--yes")
    assert done["summary"]["welcome_sent"] == 2
    community = next(c for c in no_dm.json("community", "list") if c["name"] == "Ventes")
    assert sum("Bruno" in b for b in no_dm.world.bodies(community["id"])) == 1
    assert no_dm.json("onboard", "apply", str(path), "--yes")["summary"]["welcome_unchanged"] == 2
