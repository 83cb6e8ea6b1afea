"""Digests and briefs are Markdown where they are sent (Matrix HTML, e-mail, a --out file): the names
and messages they quote are escaped there ("Data \\& IA"). On the terminal (`digest send --dry-run`,
`leaders brief`) they read as typed: "Data & IA", and a link's underscores stay underscores."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_digest import smtp_server  # noqa: F401 - the fixture is shared

URL = "https://intranet.example.org/data_ia/charte_ia_2026"


@pytest.fixture
def data_ia(cli, monkeypatch):
    """Data & IA: a question with a link waits, a tip with Markdown-like characters drew a reply."""
    from rse_cli.store import Store
    from tests.services.test_health import ME, NOW, World, uid

    monkeypatch.setenv("RSE_USER", ME)
    monkeypatch.setenv("RSE_NOW", NOW.isoformat())
    world = World(Store(str(cli.home / "data" / "rse.db")))
    d = world.community("data-ia", "Data & IA", members={uid("alice"): 50, uid("bob"): 0, uid("carol"): 0, uid("dave"): 0})
    for p in ("alice", "bob", "carol", "dave"):
        world.join(d["space"], uid(p), 60)
    world.event(d["Général"], uid("bob"), 3, body=f"Qui a lu la charte R&D ? {URL}")
    tip = world.event(d["Général"], uid("carol"), 2, body="Atelier *Power BI* & SQL jeudi")
    world.event(d["Général"], uid("dave"), 1.9, "reply", body="Merci pour l'info", parent=tip)
    world.store.close()
    return cli


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_dry_run_digest_reads_as_typed_on_the_terminal(data_ia, lang):
    out = data_ia("--lang", lang, "digest", "send", "-c", "data-ia", "--dry-run").stdout
    assert "\\" not in out, out
    assert "Data & IA" in out and f"Qui a lu la charte R&D ? {URL}" in out and "Atelier *Power BI* & SQL jeudi" in out


def test_a_brief_reads_as_typed_on_the_terminal_and_keeps_its_markdown_in_a_file(data_ia, tmp_path):
    data_ia("leaders", "add", "@dg:corp.test", "--name", "Claire Dumas", "--scope", "data-ia", "--lang", "fr")
    out = data_ia("--lang", "fr", "leaders", "brief", "Claire Dumas").stdout
    assert "\\" not in out, out
    assert "Voici ce qui se passe dans Data & IA" in out and URL in out
    # the file and --json are the Markdown source, escapes included: pasted into a Markdown editor it renders right
    data_ia("leaders", "brief", "Claire Dumas", "--out", str(tmp_path / "brief.md"))
    assert "Data \\& IA" in (tmp_path / "brief.md").read_text(encoding="utf-8")
    assert "Data \\& IA" in json.loads(data_ia("leaders", "brief", "Claire Dumas", "--json").stdout)["text"]


def test_the_emailed_digest_keeps_its_formatting(data_ia, smtp_server, monkeypatch):
    controller, inbox = smtp_server
    for name, value in {"HOST": "127.0.0.1", "PORT": str(controller.port), "STARTTLS": "false", "FROM": "rse@corp.test"}.items():
        monkeypatch.setenv(f"RSE_SMTP_{name}", value)
    data_ia("--lang", "fr", "digest", "send", "-c", "data-ia", "--to", "email:equipe@corp.test")
    [mail] = inbox.messages
    html = mail.get_body(("html",)).get_content()
    assert "<strong>" in html and '<a href="https://matrix.to/' in html  # bold titles and links to the messages
    assert "Data &amp; IA" in html and URL in html and "R&amp;D" in html
    text = mail.get_body(("plain",)).get_content()
    assert "\\" not in text and "Data & IA" in text and URL in text
