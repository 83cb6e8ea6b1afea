"""What a champion reads in `auth status`, `campaign create`, `community show` and `journal`, in
French and in English: field names, statuses, roles and outcomes in words, dates as rse animate
shows them; ids only with --verbose or --json, whose keys and values never change with the language."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

from tests.cli.test_campaign import mem_csv
from tests.cli.test_onboard import mem  # noqa: F401 - the in-memory `rse` fixture

T0 = datetime(2026, 11, 25, 18, 41, tzinfo=UTC)  # 19:41 in Paris


@pytest.fixture
def paris(monkeypatch):
    """Local time is Paris time (dates in tables are local, as the champion's clock shows them)."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def accueil(mem, monkeypatch, paris):
    """The community Accueil: the champion (owner), Alice invited as animator, Bruno invited; one post
    sent twice (the second time it is recognised and not sent)."""
    monkeypatch.setenv("RSE_NOW", T0.isoformat())
    mem.json("community", "create", "Accueil", "--alias", "accueil", "--animator", mem.people["alice"])
    mem("member", "add", "accueil", mem.people["bruno"])
    mem("post", "accueil/Général", "--text", "Bienvenue !")
    mem("post", "accueil/Général", "--text", "Bienvenue !")
    return mem


def test_community_show_says_status_and_role_in_words(accueil):
    shown_en = accueil("community", "show", "accueil").stdout
    members_en = shown_en[shown_en.index("DISPLAY NAME") :]  # the last table
    assert members_en == (
        "DISPLAY NAME   MEMBERSHIP  ROLE\n"
        "Camille Admin  joined      owner\n"
        "Alice Martin   invited     animator\n"
        "Bruno Petit    invited     member\n"
    )
    shown_fr = accueil("--lang", "fr", "community", "show", "accueil").stdout
    members_fr = shown_fr[shown_fr.index("NOM AFFICHÉ") :]
    assert members_fr == (
        "NOM AFFICHÉ    STATUT     RÔLE\n"
        "Camille Admin  a rejoint  propriétaire\n"
        "Alice Martin   invité     animateur\n"
        "Bruno Petit    invité     membre\n"
    )
    shown = accueil.json("--lang", "fr", "community", "show", "accueil")["members"]
    assert {(m["membership"], m["role"]) for m in shown} == {("join", "owner"), ("invite", "animator"), ("invite", "member")}


def test_journal_says_outcomes_in_words_and_ids_only_when_verbose(accueil):
    rows = accueil("--lang", "fr", "journal").stdout.splitlines()
    assert rows[0].split() == ["DATE", "PROFIL", "ACTION", "CIBLE", "RÉSULTAT", "DÉTAIL"]
    assert rows[1].endswith("déjà fait  déjà envoyé")  # the second post, recognised
    assert rows[2].endswith("fait")  # the first post: its message id only with --verbose
    assert any(re.search(r"\sfait\s+animateur$", r) for r in rows)  # Alice's role
    assert not any(word in "\n".join(rows) for word in ("ok", "unchanged", "already sent", "$", "r:", "c:"))
    rows_en = accueil("journal").stdout.splitlines()
    assert rows_en[1].endswith("already done  already sent") and rows_en[2].endswith("done")
    first = accueil.json("journal")[1]
    verbose = accueil("--verbose", "journal").stdout.splitlines()
    assert verbose[1].endswith(f"already sent ({first['detail']})") and verbose[2].endswith(first["detail"])
    entries = accueil.json("--lang", "fr", "journal")
    assert [e["outcome"] for e in entries[:2]] == ["unchanged", "ok"]  # --json keeps the stored values
    assert entries[0]["detail"] == f"already sent as {first['detail']}"


def test_campaign_create_shows_its_fields_and_date_in_words(accueil, tmp_path):
    people = str(mem_csv(tmp_path / "hr.csv"))
    args = ("campaign", "create", "--people", people, "--community", "accueil", "--lang", "fr")
    assert accueil(*args[:2], "nouveaux", *args[2:]).stdout == (
        "FIELD       VALUE\nname        nouveaux\npeople      2\nlanguage    French\ncreated on  25 November 2026, 19:41\n"
    )
    assert accueil("--lang", "fr", *args[:2], "arrivants", *args[2:]).stdout == (
        "CHAMP      VALEUR\nnom        arrivants\npersonnes  2\nlangue     français\ncréée le   25 novembre 2026, 19:41\n"
    )
    listed = accueil("--lang", "fr", "campaign", "list").stdout
    assert "25 novembre 2026, 19:41" in listed and "2026-11-25" not in listed
    made = accueil.json("--lang", "fr", *args[:2], "recrues", *args[2:])
    assert (made["lang"], made["created_at"][:16]) == ("fr", "2026-11-25T18:41")


def test_auth_status_names_its_fields_in_the_language(mem):
    fr = mem("--lang", "fr", "auth", "status").stdout.splitlines()
    assert [line.split("  ")[0] for line in fr] == [
        "CHAMP",
        "identifiant du compte",
        "serveur",
        "administrateur du réseau",
        "nom affiché",
    ]
    assert fr[3].endswith("oui")
    en = mem("auth", "status").stdout.splitlines()
    assert [line.split("  ")[0] for line in en] == ["FIELD", "account id", "server", "network admin", "display name"]
    assert set(mem.json("--lang", "fr", "auth", "status")) >= {"user_id", "homeserver", "admin", "display_name"}
