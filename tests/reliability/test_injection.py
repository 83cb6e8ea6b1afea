"""User text is text: names, CSV fields, post excerpts and --var values never become links or
markup in rse's messages; only the template's own Markdown renders (read back from Synapse)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest

from rse_cli.l10n import L10n
from rse_cli.templating import Templates
from rse_cli.textformat import render
from tests.cli.test_audit import planted, send_as  # noqa: F401 - the fixture is shared
from tests.cli.test_onboard import HEADER
from tests.conftest import unique

PAYLOADS = [
    "[Support IT](https://evil.example/login)",
    '<a href="https://evil.example/login">Support IT</a>',
    "https://evil.example/login",
    "<https://evil.example/login>",
    "![x](https://evil.example/pixel.png)",
    "**Urgent** _now_ # Title",
]
EVIL = re.compile(r"<a\b[^>]*evil\.example|<img\b", re.IGNORECASE)


def links(html: str | None) -> list[str]:
    return re.findall(r'<a href="([^"]*)"', html or "")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_welcome_template_keeps_names_literal_and_its_own_links(lang, payload):
    community_link = "https://matrix.to/#/#ventes_1:rse.test"
    ctx = {
        "first_name": payload,
        "last_name": payload,
        "display_name": payload,
        "person_id": "@p:rse.test",
        "manager": payload,
        "department": payload,
        "site": payload,
        "communities": [{"name": payload, "alias": "#ventes_1:rse.test", "link": community_link}],
        "animator": {"name": payload, "id": "@a:rse.test", "link": "https://matrix.to/#/@a:rse.test"},
        "first_post_link": None,
    }
    text = Templates(None, lang).render("welcome", ctx)
    plain, html = render(text)
    assert payload in plain  # the reader sees what the person typed, as typed
    assert not EVIL.search(html or ""), html
    assert all("evil.example" not in href for href in links(html))


def test_template_links_still_work_with_escaped_urls(tmp_path):
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "t.md.j2").write_text("Voir [{{ title }}]({{ link }}) et **merci**", encoding="utf-8")
    link = "https://matrix.to/#/!room_a:rse.test/$ev_1?via=rse.test&x=(1)"
    plain, html = render(Templates(tmp_path).render("t", {"title": "[Support IT](https://evil.example)", "link": link}))
    assert links(html) == [link.replace("&", "&amp;")]
    assert "<strong>merci</strong>" in html and "[Support IT](https://evil.example)" in plain


def test_digest_excerpts_and_names_are_text():
    payload = PAYLOADS[0]
    post = {
        "author": payload,
        "excerpt": payload,
        "replies": 1,
        "reactions": 2,
        "link": "https://matrix.to/#/!r:rse.test/$e",
        "room": payload,
        "at": datetime.now(UTC),
        "waiting_days": 2,
    }
    ctx = {
        "community": payload,
        "period": "2026-W48",
        "start": date(2026, 11, 23),
        "end": date(2026, 11, 30),
        "best_posts": [post],
        "questions": [post],
        "newcomers": [{"name": payload, "id": "@n:rse.test", "link": "https://matrix.to/#/@n:rse.test"}],
        "animations": [{"title": payload, "at": datetime.now(UTC), "where": payload, "link": None}],
    }
    for lang in ("fr", "en"):
        _, html = render(Templates(None, lang).render("digest", {**ctx, "t": L10n(lang)}))
        assert not EVIL.search(html) and set(links(html)) == {post["link"], "https://matrix.to/#/@n:rse.test"}


# -- read back from Synapse ------------------------------------------------------------------


def formatted_bodies(homeserver, room_id: str) -> list[dict]:
    chunk = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(room_id)}/messages", params={"dir": "b", "limit": 100})[
        "chunk"
    ]
    return [e["content"] for e in chunk if e["type"] == "m.room.message"]


def dm_contents(homeserver, uid: str) -> list[dict]:
    direct = homeserver.api("GET", f"/_matrix/client/v3/user/{quote(homeserver.admin)}/account_data/m.direct")
    return [c for room in direct.get(uid, []) for c in formatted_bodies(homeserver, room)]


def test_welcome_dm_from_a_hostile_csv_and_display_name_has_no_foreign_link(rse, homeserver, tmp_path):
    tag = unique("inj").replace("-", "")
    animator = homeserver.server.register_user(f"{tag}anim", "pw-anim", displayname=PAYLOADS[0])
    people = [homeserver.server.register_user(f"{tag}{i}", f"pw-{i}", displayname=PAYLOADS[1]) for i in range(3)]
    firsts = [PAYLOADS[0], PAYLOADS[1], PAYLOADS[2]]
    rows = [
        f"x{i}@corp.example;{uid};{first};Nom;Ventes;Nantes;;;" for i, (uid, first) in enumerate(zip(people, firsts, strict=True))
    ]
    (tmp_path / "hr.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    alias = unique("inj")
    path = tmp_path / "m.toml"
    path.write_text(
        f'[people]\ncsv = "hr.csv"\n\n[[community]]\nname = "Injection {alias}"\nalias = "{alias}"\n'
        f'animators = ["{animator}"]\nmembers_where = {{ department = "Ventes" }}\n',
        encoding="utf-8",
    )
    rse.json("onboard", "apply", str(path), "--yes")
    for uid, first in zip(people, firsts, strict=True):
        [content] = dm_contents(homeserver, uid)
        assert first in content["body"] and PAYLOADS[0] in content["body"]  # literal, readable
        html = content.get("formatted_body", "")
        assert not EVIL.search(html), html
        assert all("evil.example" not in href for href in links(html)) and alias in content["body"]  # its own link remains


def test_animation_var_and_quoted_posts_are_text(rse, homeserver, tmp_path, monkeypatch):
    alias = unique("injanim")
    created = rse.json("community", "create", "Inj", "--alias", alias, "--room", "Général")
    room_id = created["rooms"][0]["id"]
    (tmp_path / "tpl" / "fr").mkdir(parents=True)
    (tmp_path / "tpl" / "fr" / "invite-guest.md.j2").write_text("**Invité** : {{ guest }} ({{ vars.topic }})\n", encoding="utf-8")
    monkeypatch.setenv("RSE_TEMPLATES_DIR", str(tmp_path / "tpl"))
    at = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")  # due now, within the grace period
    rse(
        "animate",
        "add",
        "guest",
        "--community",
        alias,
        "--room",
        "Général",
        "--lang",
        "fr",  # a French animation: its template is in tpl/fr
        "--at",
        at,
        "--tz",
        "UTC",
        "--template",
        "invite-guest",
        "--var",
        f"guest={PAYLOADS[0]}",
        "--var",
        f"topic={PAYLOADS[1]}",
    )
    rse("animate", "run")
    [content] = [c for c in formatted_bodies(homeserver, room_id) if "Invité" in c["body"]]
    assert PAYLOADS[0] in content["body"] and PAYLOADS[1] in content["body"]
    assert "<strong>Invité</strong>" in content["formatted_body"] and not EVIL.search(content["formatted_body"])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_leader_brief_quotes_posts_and_names_as_text(lang):
    payload, link = PAYLOADS[0], "https://matrix.to/#/!r:rse.test/$e?via=rse.test"
    now = datetime.now(UTC)
    post = {
        "author": payload,
        "community": payload,
        "room": payload,
        "waiting_days": 3,
        "text": payload,
        "link": link,
        "replies": 2,
        "people": 2,
        "name": payload,
        "messages": 3,
        "answers": 1,
        "reactions_received": 2,
    }
    angles = [
        {"kind": k, "author": payload, "link": link, "text": payload, "name": payload, "names": [payload], "at": now}
        for k in ("answer", "join", "thank", "welcome", "ama", "restart")
    ]
    ctx = {
        "leader": "@dg:rse.test",
        "name": payload,
        "lang": lang,
        "communities": [payload],
        "since": now - timedelta(weeks=4),
        "until": now,
        "quiet": True,
        "activity": 1,
        "leader_messages": 0,
        "waiting_questions": [post],
        "discussions": [post],
        "contributors": [post],
        "newcomers": [{"name": payload}],
        "upcoming": [
            {"at": now, "name": payload, "community": payload, "question": payload, "title": payload, "community_name": payload}
        ],
        "angles": angles,
        "best_time": {"weekday": 1, "weekday_name": "Tuesday", "local": "mardi", "hour": 9, "tz": "Europe/Paris"},
        "via": "@comms:rse.test",
    }
    from rse_cli.services.prompts import Brief, render_brief

    via = ctx.pop("via")
    plain, html = render(render_brief(Templates(None, lang), Brief(gender="f", **ctx), via=via))
    assert payload in plain and not EVIL.search(html or "")


def test_digest_quoting_a_hostile_post_links_only_to_posts(rse, homeserver, planted):
    u = homeserver.users
    hostile = send_as(homeserver, planted["room"], u["carol"], f"{PAYLOADS[0]} {PAYLOADS[1]} qui sait ?", 1)
    send_as(homeserver, planted["room"], u["dave"], f"{PAYLOADS[2]} voir ici", 0.5, reply_to=hostile)
    rse("sync", planted["alias"])
    [digest] = rse.json("digest", "send", "--community", planted["alias"])
    content = homeserver.api("GET", f"/_matrix/client/v3/rooms/{planted['room']}/event/{digest['event_id']}")["content"]
    assert PAYLOADS[0] in content["body"]  # quoted as written
    html = content["formatted_body"]
    assert not EVIL.search(html), html
    hrefs = links(html)
    assert hrefs and all(h.startswith("https://matrix.to/#/") for h in hrefs)
