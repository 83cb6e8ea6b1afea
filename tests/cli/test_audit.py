"""rse audit end to end: a history planted on the real Synapse (backdated through the sandbox's
application service), `rse sync`, then `rse audit --json`, files, exit codes, history."""

from __future__ import annotations

import csv
import shutil
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import unique

DAY_MS = 86_400_000


def send_as(hs, room_id: str, user: str, body: str, days_ago: float, reply_to: str | None = None) -> str:
    """Send as `user`, with a past timestamp (application services may set `ts`)."""
    content: dict = {"msgtype": "m.text", "body": body, "m.mentions": {}}
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    ts = int(time.time() * 1000 - days_ago * DAY_MS)
    r = httpx.put(
        f"{hs.url}/_matrix/client/v3/rooms/{room_id}/send/m.room.message/{uuid.uuid4().hex}",
        params={"user_id": user, "ts": ts},
        json=content,
        headers={"Authorization": f"Bearer {hs.server.appservice_token}"},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["event_id"]


def backdate(hs, room_id: str, user: str, days_ago: float) -> None:
    """A membership event of `user` dated `days_ago` (application services may set `ts`): the community's
    oldest event, as if created then (createRoom cannot be backdated), so that it is old enough to score."""
    ts = int(time.time() * 1000 - days_ago * DAY_MS)
    r = httpx.put(
        f"{hs.url}/_matrix/client/v3/rooms/{room_id}/state/m.room.member/{user}",
        params={"user_id": user, "ts": ts},
        json={"membership": "join", "displayname": f"{user[1:].split(':')[0].title()} (since {days_ago} days)"},
        headers={"Authorization": f"Bearer {hs.server.appservice_token}"},
        timeout=30,
    )
    r.raise_for_status()


@pytest.fixture
def planted(rse, homeserver):
    """A community whose animator (alice) is silent and where bob's question waits for 3 days."""
    u = homeserver.users
    alias = unique("audit")
    rse("community", "create", "Audit Test", "--alias", alias, "--room", "Général", "--animator", u["alice"])
    rse("member", "add", alias, u["alice"], u["bob"], u["carol"], u["dave"], "--join")
    detail = rse.json("community", "show", alias)
    room = detail["community"]["rooms"][0]["id"]
    backdate(homeserver, detail["community"]["id"], homeserver.admin, 90)  # rse's account: never a newcomer
    q = send_as(homeserver, room, u["bob"], "Qui connaît la procédure de note de frais ?", 3)
    tip = send_as(homeserver, room, u["carol"], "Le nouveau badge arrive lundi", 2)
    send_as(homeserver, room, u["dave"], "Merci pour l'info", 1.9, reply_to=tip)
    return {"alias": alias, "room": room, "question": q}


def test_sync_then_audit_finds_the_planted_situations(rse, homeserver, planted, tmp_path):
    rse("sync", planted["alias"])
    report = rse.json("audit", planted["alias"], "--window", "30d")
    assert (
        set(report) == {"generated_at", "window_days", "communities", "findings", "network", "notes"}
        and report["window_days"] == 30
    )
    [c] = report["communities"]
    assert set(c) == {"id", "name", "score", "band", "too_new", "metrics", "findings", "notes"} and c["name"] == "Audit Test"
    assert 0 <= c["score"] <= 100
    m = c["metrics"]
    assert m["members"] == 4 and m["animators"] == 1 and m["contributors"] == 3
    assert (m["posts"], m["replies"], m["questions"], m["unanswered_questions"]) == (2, 1, 1, 1)
    found = {f["code"]: f for f in c["findings"]}
    assert set(found) >= {"unanswered_questions", "silent_animator"}
    assert "dormant" not in found and "no_animator" not in found
    [ev] = found["unanswered_questions"]["evidence"]
    assert ev["id"] == planted["question"] and planted["room"] in ev["link"] and ev["link"].endswith("?via=rse.test")
    assert [e["id"] for e in found["silent_animator"]["evidence"]] == [homeserver.users["alice"]]
    assert all(f["message"] and f["action"] and f["severity"] in {"info", "warning", "critical"} for f in c["findings"])

    # cron alerting: exit code 8 at or above the threshold, output still printed
    failing = rse("audit", planted["alias"], "--json", "--fail-on", "warning", ok=False)
    assert failing.exit_code == 8 and failing.stdout.strip().startswith("{")
    assert "findings at or above warning" in failing.stderr  # the reason, on stderr, not in the JSON
    assert rse("audit", planted["alias"], "--fail-on", "critical").exit_code == 0

    out_csv, out_html = tmp_path / "a.csv", tmp_path / "a.html"
    rse("audit", planted["alias"], "--csv", str(out_csv), "--html", str(out_html))
    [row] = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert row["community"] == "Audit Test" and "unanswered_questions:warning" in row["findings"]
    html = out_html.read_text(encoding="utf-8")
    assert "Audit Test" in html and "<svg" in html
    assert "<script" not in html and "src=" not in html and "url(" not in html  # nothing fetched, nothing run

    history = rse.json("audit", "history", planted["alias"])
    assert len(history) == 4 and history[-1]["delta"] == 0 and history[0]["community"] == "Audit Test"
    table = rse("audit", "history", planted["alias"]).stdout
    assert "SCORE" in table and "= +0" not in table and " = " in table


def test_a_community_created_minutes_ago_is_too_new_to_score(rse, planted):
    """Created now, nobody in it yet: no red score pulling the average down, and IDLE DAYS is a dash."""
    alias = unique("neuve")
    rse("community", "create", "Toute Neuve", "--alias", alias, "--room", "Général")
    rse("sync", alias, planted["alias"])
    by_name = {c["name"]: c for c in rse.json("audit", alias, planted["alias"])["communities"]}
    assert (by_name["Toute Neuve"]["score"], by_name["Toute Neuve"]["too_new"]) == (None, True)
    assert isinstance(by_name["Audit Test"]["score"], int)
    rows = [" ".join(x.split()) for x in rse("--lang", "en", "audit", alias).stdout.splitlines() if "Toute Neuve" in x]
    assert rows[0].startswith("Toute Neuve – too new to score 0 0 0 0 –")  # then its findings


def test_audit_can_sync_first(rse, planted):
    report = rse.json("audit", planted["alias"], "--sync")
    [c] = report["communities"]
    assert c["metrics"]["unanswered_questions"] == 1


def test_animation_posts_are_not_activity_but_their_replies_are(rse, homeserver, planted):
    """A community where only the weekly question appears is not alive: the post itself is not
    counted (last post stays carol's, 2 days ago), the answer it draws is."""
    rse(
        "animate",
        "add",
        "q",
        "--community",
        planted["alias"],
        "--room",
        "Général",
        "--at",
        time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 120)),
        "--tz",
        "UTC",
        "--template",
        "weekly-question",
    )
    [posted] = rse.json("animate", "run")
    assert posted["state"] == "posted"
    rse("sync", planted["alias"])
    [c] = rse.json("audit", planted["alias"])["communities"]
    m = c["metrics"]
    assert (m["posts"], m["replies"], m["questions"]) == (2, 1, 1) and m["days_since_last_post"] >= 1.9

    send_as(
        homeserver, planted["room"], homeserver.users["dave"], "Mon outil : le tableur partagé", 0, reply_to=posted["event_id"]
    )
    rse("sync", planted["alias"])
    [c] = rse.json("audit", planted["alias"])["communities"]
    assert (c["metrics"]["posts"], c["metrics"]["replies"]) == (2, 2) and c["metrics"]["days_since_last_post"] < 0.1


def test_audit_needs_synced_data_and_says_so(rse):
    result = rse("audit", "nowhere", ok=False)
    assert result.exit_code == 4 and "rse sync" in result.stderr
    bad = rse("audit", "--window", "soon", ok=False)
    assert bad.exit_code == 2 and "--window" in bad.stderr


@pytest.mark.slow  # a real headless browser
def test_html_report_renders_in_headless_chromium(tmp_path):
    """The report opens offline in a real browser and draws its charts (screenshot taken)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium): cannot check the HTML report renders")
    from rse_cli.services import health
    from rse_cli.services.report import write_html
    from rse_cli.store import Store
    from tests.services.test_health import MATRIX, NOW, World, plant, settings

    world = World(Store(str(tmp_path / "rse.db")))
    plant(world)
    page = tmp_path / "report.html"
    write_html(health.audit(world.store, settings(), now=NOW, addressing=MATRIX), page, settings=settings())
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    assert len(data) > 100_000  # a blank page compresses to a few KB; the charts and cards do not
    assert Path(page).read_text(encoding="utf-8").count("<svg") >= 2 + 3 * 4


# -- what a champion reads in the terminal, in both languages (no server: a store filled directly) --


@pytest.fixture
def ventes(cli, monkeypatch):
    """Ventes Ouest: Bob's question waits for 3 days, Carol's news drew Dave's reply, Alice animates and is silent."""
    from rse_cli.store import Store
    from tests.services.test_health import ME, NOW, World, uid

    monkeypatch.setenv("RSE_USER", ME)
    monkeypatch.setenv("RSE_NOW", NOW.isoformat())
    world = World(Store(str(cli.home / "data" / "rse.db")))
    v = world.community(
        "ventes-ouest", "Ventes Ouest", members={uid("alice"): 50, uid("bob"): 0, uid("carol"): 0, uid("dave"): 0}
    )
    for p in ("alice", "bob", "carol", "dave"):
        world.join(v["space"], uid(p), 60)
    world.event(v["Général"], uid("bob"), 3, body="Qui connaît la procédure de note de frais ?")
    tip = world.event(v["Général"], uid("carol"), 2, body="Le nouveau badge arrive lundi")
    world.event(v["Général"], uid("dave"), 1.9, "reply", body="Merci pour l'info", parent=tip)
    world.store.close()
    return cli


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.strip().splitlines()]  # column widths aside


def test_audit_table_in_english(ventes):
    out = ventes("--lang", "en", "audit").stdout
    assert _lines(out) == [
        "COMMUNITY SCORE BAND MEMBERS CONTRIBUTORS MESSAGES UNANSWERED IDLE DAYS FINDINGS",
        "Ventes Ouest 45 amber 4 3 3 1 1.9 2 warnings",
        "WHERE SEVERITY MESSAGE ACTION",
        "Ventes Ouest warning 1 question without an answer from anyone else after 48 h (100% of the questions asked). "
        "Answer them, or mention someone who knows (a colleague, an expert, an animator) in a reply today.",
        "Ventes Ouest warning 1 animator wrote nothing in the last 30 days. "
        "Talk with them: offer a ready-made post, or find them a co-animator with more time.",
    ]
    assert "unanswered_questions" not in out and "!ventes-ouest" not in out  # codes and ids only in --json


def test_audit_table_in_french(ventes):
    out = ventes("--lang", "fr", "audit").stdout
    assert _lines(out) == [
        "COMMUNAUTÉ SCORE NIVEAU MEMBRES CONTRIBUTEURS MESSAGES SANS RÉPONSE JOURS SANS MESSAGE CONSTATS",
        "Ventes Ouest 45 orange 4 3 3 1 1,9 2 alertes",
        "OÙ GRAVITÉ CONSTAT ACTION",
        "Ventes Ouest alerte 1 question sans réponse d'une autre personne après 48 h (100 % des questions posées). "
        "Répondez-y, ou mentionnez aujourd'hui dans une réponse quelqu'un qui sait (un collègue, un expert, un animateur).",
        "Ventes Ouest alerte 1 animateur sans message depuis 30 jours. "
        "Parlez-lui : proposez un message prêt à publier, ou trouvez un co-animateur plus disponible.",
    ]
    history = ventes("--lang", "fr", "audit", "history", "ventes-ouest").stdout
    assert _lines(history)[1] == "20 novembre 2026, 12:00 45 4 3 3 1 2 alertes"  # no finding code, one date format


def test_a_typo_gets_did_you_mean_and_an_empty_store_gets_sync_first(ventes, cli):
    typo = ventes("--lang", "en", "audit", "ventes-est", ok=False)
    assert typo.exit_code == 4
    assert _lines(typo.stderr) == ["error: no synced community named ventes-est", "hint: did you mean ventes-ouest?"]
    assert "rse sync" not in typo.stderr
    fr = ventes("--lang", "fr", "digest", "send", "-c", "ventes-est", "--dry-run", ok=False)
    assert "vouliez-vous dire ventes-ouest ?" in fr.stderr
    unknown = ventes("--lang", "en", "audit", "ventes-ouest", "logistique", ok=False)  # one bad reference among good ones
    assert (
        "no synced community named logistique" in unknown.stderr
        and "if logistique is new, run `rse sync logistique`" in unknown.stderr
    )


def test_audit_of_an_empty_store_says_to_sync_first(cli):
    empty = cli("audit", "ventes-ouest", ok=False)
    assert empty.exit_code == 4 and "nothing synced yet" in empty.stderr and "rse sync" in empty.stderr


def test_fail_on_lists_its_values_in_the_users_language(cli):
    en = cli("--lang", "en", "audit", "--fail-on", "severe", ok=False)
    assert en.exit_code == 2 and _lines(en.stderr) == [
        "error: --fail-on: “severe” is not one of the accepted values",
        "hint: the accepted values: info, warning, critical",
    ]
    fr = cli("--lang", "fr", "audit", "--fail-on", "severe", ok=False)
    assert _lines(fr.stderr) == [
        "erreur : --fail-on : « severe » ne fait pas partie des valeurs acceptées",
        "conseil : les valeurs acceptées : info, warning (alerte), critical (critique)",
    ]
    assert "Value error" not in en.stderr + fr.stderr


def test_history_of_a_typo_gets_did_you_mean(ventes):
    ventes("audit")
    result = ventes("--lang", "en", "audit", "history", "ventes-est", ok=False)
    assert result.exit_code == 4 and "did you mean ventes-ouest?" in result.stderr
    assert [h["community"] for h in ventes.json("audit", "history", "ventes-ouest")] == ["Ventes Ouest"]


@pytest.fixture
def fresh(ventes):
    """Beside Ventes Ouest: Projets, created minutes ago with nobody in it yet; Silence, a year old, where
    two members never wrote."""
    from rse_cli.store import Store
    from tests.services.test_health import World, uid

    world = World(Store(str(ventes.home / "data" / "rse.db")))
    world.community("projets", "Projets", created=0.01)
    world.community("silence", "Silence", members={uid("eve"): 0, uid("fred"): 0})
    world.store.close()
    return ventes


@pytest.mark.parametrize(
    ("lang", "new", "silent"),
    [
        ("en", "Projets – too new to score 0 0 0 0 – 1 warning", r"Silence \d+ red 2 0 0 0 – 1 critical, 2 warnings"),
        ("fr", "Projets – trop récente pour être notée 0 0 0 0 – 1 alerte", r"Silence \d+ rouge 2 0 0 0 – 1 critique, 2 alertes"),
    ],
)
def test_a_new_community_is_not_scored_and_never_written_is_not_zero_idle_days(fresh, lang, new, silent):
    import re

    lines = _lines(fresh("--lang", lang, "audit").stdout)
    assert new in lines
    assert [x for x in lines if re.fullmatch(silent, x)]


def test_json_keeps_its_keys_a_new_community_has_a_null_score(fresh):
    by_name = {c["name"]: c for c in fresh.json("audit")["communities"]}
    projets, silence = by_name["Projets"], by_name["Silence"]
    assert (projets["score"], projets["band"], projets["too_new"]) == (None, None, True)
    assert projets["metrics"]["last_post_at"] is None and projets["metrics"]["days_since_last_post"] == 0.0
    # never a message: the days since the community began (what "dormant" counts), not a dash
    assert silence["metrics"]["last_post_at"] is None and silence["metrics"]["days_since_last_post"] == 400.0
    assert isinstance(silence["score"], int) and silence["too_new"] is False


def test_history_dates_like_everywhere_and_says_its_trend_plainly(ventes, monkeypatch):
    from rse_cli.store import Store
    from tests.services.test_health import NOW, World, uid

    def at(days: float) -> None:
        monkeypatch.setenv("RSE_NOW", (NOW + timedelta(days=days)).isoformat())
        ventes("audit")

    at(0)
    at(1 / 24)  # an hour later: the same score
    at(25)  # nothing written since: the score falls
    world = World(Store(str(ventes.home / "data" / "rse.db")))
    world.event("!ventes-ouest-0", uid("carol"), -24.9, body="Quelqu'un a le planning de décembre ?")
    world.event("!ventes-ouest-0", uid("alice"), -24.8, body="Bonne semaine à tous")
    world.store.close()
    at(25 + 1 / 24)  # Alice and Carol write again: it rises
    scores = [h["score"] for h in ventes.json("audit", "history", "ventes-ouest")]
    assert scores[0] == scores[1] > scores[2] < scores[3]
    fr = [line.split() for line in _lines(ventes("--lang", "fr", "audit", "history", "ventes-ouest").stdout)[1:]]
    assert [row[:5] for row in fr] == [
        ["20", "novembre", "2026,", "12:00", str(scores[0])],
        ["20", "novembre", "2026,", "13:00", str(scores[1])],
        ["15", "décembre", "2026,", "12:00", str(scores[2])],
        ["15", "décembre", "2026,", "13:00", str(scores[3])],
    ]
    assert [row[5] for row in fr[1:]] == ["=", f"−{scores[1] - scores[2]}", f"+{scores[3] - scores[2]}"]
    en = _lines(ventes("--lang", "en", "audit", "history", "ventes-ouest").stdout)
    assert en[2].startswith(f"20 November 2026, 13:00 {scores[1]} = ") and "+0" not in "".join(en)
