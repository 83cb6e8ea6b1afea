"""Hostile user templates (the user override directory) against a real Synapse: every job renders
its templates before its first write, reports `file:line: message` with exit 2, and one bad
animation or campaign never blocks the others."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest

from rse_cli.store import Store
from tests.cli.test_audit import planted, send_as  # noqa: F401 - the fixture is shared
from tests.cli.test_onboard import HEADER, make_people
from tests.conftest import unique

BAD = {
    "range": ("Bonjour {{ first_name }}\n{% for i in range(10**9) %}x{% endfor %}", 2, "range of 1,000,000,000 items"),
    "repeat": ("Bonjour\n\n{{ 'x' * 10**9 }}", 3, "repetition too large"),
    "undefined": ("Bonjour {{ prenom }}", 1, "'prenom' is undefined"),
    "forbidden": ("{{ first_name.__class__.__base__.__subclasses__() }}", 1, "not allowed in a template"),
}


def override(tmp_path, monkeypatch, name: str, source: str, lang: str = "en"):
    """A template of the content language, which is the run's (English in tests) when no profile sets one."""
    folder = tmp_path / "tpl" / lang
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md.j2"
    path.write_text(source, encoding="utf-8")
    monkeypatch.setenv("RSE_TEMPLATES_DIR", str(tmp_path / "tpl"))
    return path


def alias_exists(homeserver, alias: str) -> bool:
    r = httpx.get(
        f"{homeserver.url}/_matrix/client/v3/directory/room/{quote(f'#{alias}:rse.test')}",
        headers={"Authorization": f"Bearer {homeserver.admin_token}"},
    )
    return r.status_code == 200


def assert_reported(result, path, line: int, words: str) -> None:
    assert result.exit_code == 2, result.stderr
    assert f"{path}:{line}: " in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


@pytest.mark.parametrize("kind", sorted(BAD))
def test_onboard_plan_and_apply_create_nothing_with_a_bad_welcome(rse, homeserver, tmp_path, monkeypatch, kind):
    source, line, words = BAD[kind]
    tag = unique("hw").replace("-", "")
    people = make_people(homeserver, 2, tag)
    (tmp_path / "hr.csv").write_text(
        HEADER + "\n" + "\n".join(f"{p['email']};;{p['first']};N;Ventes;Nantes;;;" for p in people) + "\n", encoding="utf-8"
    )
    alias = unique("hostile")
    manifest = tmp_path / "m.toml"
    manifest.write_text(
        f'[people]\ncsv = "hr.csv"\n\n[[community]]\nname = "Hostile {alias}"\nalias = "{alias}"\n'
        f'members_where = {{ department = "Ventes" }}\n',
        encoding="utf-8",
    )
    path = override(tmp_path, monkeypatch, "welcome", source)
    assert_reported(rse("onboard", "plan", str(manifest), ok=False), path, line, words)
    assert_reported(rse("onboard", "apply", str(manifest), "--yes", ok=False), path, line, words)
    assert not alias_exists(homeserver, alias)  # no community, no room, no invitation


def test_campaign_create_refuses_and_run_sends_nothing_for_a_bad_template(rse, homeserver, tmp_path, monkeypatch):
    tag = unique("hc").replace("-", "")
    [person] = make_people(homeserver, 1, tag)
    (tmp_path / "hr.csv").write_text(
        HEADER + f"\n{person['email']};;{person['first']};N;Ventes;Nantes;;;2026-11-02\n", encoding="utf-8"
    )
    alias = unique("hcamp")
    created = rse.json("community", "create", "Camp", "--alias", alias, "--room", "Général")
    source, line, words = BAD["undefined"]
    path = override(tmp_path, monkeypatch, "welcome", source)
    name = unique("camp")
    assert_reported(
        rse("campaign", "create", name, "--people", str(tmp_path / "hr.csv"), "--community", alias, ok=False), path, line, words
    )
    assert all(c["name"] != name for c in rse.json("campaign", "list"))

    # created with good templates, then one becomes bad before the run: nothing is sent, no invitation
    path.unlink()
    rse.json("campaign", "create", name, "--people", str(tmp_path / "hr.csv"), "--community", alias)
    source, line, words = BAD["range"]
    path = override(tmp_path, monkeypatch, "nudge-first-post", source)
    result = rse("campaign", "run", "--campaign", name, "--json", ok=False)
    [failed] = json.loads(result.stdout)
    assert failed["outcome"] == "failed" and failed["detail"].startswith(f"{path}:{line}: ") and words in failed["detail"]
    members = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(created['id'])}/members")["chunk"]
    assert person["uid"] not in {m["state_key"] for m in members}
    store = Store(str(rse.home / "data" / "rse.db"))
    assert store.query("SELECT COUNT(*) FROM claims WHERE key LIKE ? AND state = 'running'", (f"campaign:%:{name}:%",))[0][0] == 0


def test_animate_add_refuses_and_one_bad_animation_does_not_block_the_others(rse, homeserver, tmp_path, monkeypatch):
    alias = unique("hanim")
    created = rse.json("community", "create", "Anim", "--alias", alias, "--room", "Général")
    source, line, words = BAD["repeat"]
    path = override(tmp_path, monkeypatch, "bad-ritual", source)
    at = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    common = ("--community", alias, "--room", "Général", "--at", at, "--tz", "UTC")
    assert_reported(rse("animate", "add", "bad", *common, "--template", "bad-ritual", ok=False), path, line, words)
    assert all(a["name"] != "bad" for a in rse.json("animate", "list"))

    path.write_text("Rituel du jour", encoding="utf-8")  # accepted when added...
    rse("animate", "add", "first", *common, "--template", "bad-ritual")
    rse("animate", "add", "second", *common, "--template", "weekly-question", "--var", "x=1")
    path.write_text(source, encoding="utf-8")  # ...then broken before the run
    result = rse("animate", "run", "--json", ok=False)
    states = {r["name"]: r for r in json.loads(result.stdout)}
    assert states["first"]["state"] == "failed" and states["first"]["detail"].startswith(f"{path}:{line}: ")
    assert states["second"]["state"] == "posted"
    store = Store(str(rse.home / "data" / "rse.db"))
    [run] = store.query("SELECT state, detail FROM animation_runs WHERE name = 'first'")
    assert run["state"] == "failed" and words in run["detail"]
    assert store.query("SELECT COUNT(*) FROM claims WHERE key LIKE 'animate:%' AND state = 'running'")[0][0] == 0
    chunk = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(created['rooms'][0]['id'])}/messages?dir=b&limit=50")["chunk"]
    assert len([e for e in chunk if e["type"] == "m.room.message"]) == 1  # the good one, once


def test_digest_send_sends_nothing_with_a_bad_template(rse, homeserver, planted, tmp_path, monkeypatch):
    rse("sync", planted["alias"])
    # fine on a quiet period, broken inside a loop: the representative values find it
    source = "Digest\n{% for p in best_posts %}{{ p.nope }}{% endfor %}"
    path = override(tmp_path, monkeypatch, "digest", source)
    assert_reported(rse("digest", "send", "--community", planted["alias"], ok=False), path, 2, "nope")
    chunk = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(planted['room'])}/messages?dir=b&limit=50")["chunk"]
    assert not [e for e in chunk if e["type"] == "m.room.message" and "Digest" in e["content"]["body"]]
