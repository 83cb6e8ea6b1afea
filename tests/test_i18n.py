"""Every message rse prints exists in French and English: the catalog test fails when a message is
missing or its placeholders differ, and the language is chosen flag > profile > environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rse_cli import i18n

ROOT = Path(i18n.__file__).parent
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _source_messages() -> dict[str | tuple[str, str], str]:
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), keywords={"_": None, "N_": None, "ngettext": (1, 2)}, method_map=[("**.py", "python")]):
        found[message] = f"rse_cli/{filename}:{lineno}"
    return found


def _catalog(lang: str):
    """Every source of the language merged (one .po per area of rse)."""
    from babel.messages.catalog import Catalog

    merged = Catalog(locale=lang)
    for po in i18n.sources(lang):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if message.id:
                    assert message.id not in merged, f"{po.name}: {message.id!r} is already in another catalog file"
                    merged[message.id] = message
    return merged


def test_every_message_has_a_french_translation_with_the_same_placeholders():
    catalog = _catalog("fr")
    problems = []
    for message, where in _source_messages().items():
        entry = catalog.get(message)
        if entry is None:
            problems.append(f"{where}: in no rse_cli/locale/fr/*.po: {message!r} (run `make i18n`)")
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append(f"{where}: untranslated in rse_cli/locale/fr: {message!r}")
            continue
        ids = message if isinstance(message, tuple) else (message,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if set(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"{where}: placeholders differ in {s!r} (want {sorted(wanted)})")
    assert not problems, "\n".join(problems)


def test_the_catalog_holds_no_message_the_code_no_longer_uses():
    used = set(_source_messages())
    stale = [m.id for m in _catalog("fr") if m.id and m.id not in used]
    assert not stale, f"obsolete entries in rse_cli/locale/fr/*.po (run `make i18n`): {stale}"


@pytest.mark.parametrize(("flag", "profile", "env", "expected"), [
    ("en", "fr", {"LANG": "fr_FR.UTF-8"}, "en"),
    (None, "fr", {"LANG": "en_US.UTF-8"}, "fr"),
    (None, None, {"LANG": "fr_FR.UTF-8"}, "fr"),
    (None, None, {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
    (None, None, {"LANG": "C.UTF-8"}, "en"),
    (None, None, {"LANG": "de_DE.UTF-8"}, "en"),
])
def test_language_precedence(flag, profile, env, expected):
    assert i18n.choose(flag, profile, env) == expected


def test_french_and_english_error_output(cli, monkeypatch):
    result = cli("--lang", "fr", "community", "list", ok=False)
    assert result.stderr.startswith("erreur : ")
    result = cli("--lang", "en", "community", "list", ok=False)
    assert result.stderr.startswith("error: ")


def test_doctor_speaks_french_and_keeps_json_keys(cli, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = cli("doctor", ok=False)
    assert "✗ config: aucun serveur configuré (pas de fichier de configuration à " in result.stdout
    assert "solution : rse config init" in result.stdout
    assert "erreur : 7 vérifications ont échoué" not in result.stderr  # skipped checks are not failures
    assert "erreur : 1 vérification a échoué : config" in result.stderr
    import json

    checks = json.loads(cli("doctor", "--json", ok=False).stdout)
    assert [c["name"] for c in checks][:2] == ["config", "profile"] and checks[0]["status"] == "fail"


def test_help_in_french_from_the_profile(tmp_path):
    """Help texts are built at import: the executable picks the language before importing them."""
    import os
    import subprocess
    import sys

    config = tmp_path / "config.toml"
    config.write_text('profile = "default"\n[profiles.default]\nlang = "fr"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RSE_", "LC_", "LANG"))}
    env.update(RSE_CONFIG=str(config), RSE_FAST="0")
    code = "import sys; sys.argv[0] = 'rse'; from rse_cli.entry import main; main()"
    out = subprocess.run([sys.executable, "-c", code, "doctor", "--help"], capture_output=True, text=True, env=env)
    assert "Vérifie la configuration, le jeton" in out.stdout, out.stdout + out.stderr
    out = subprocess.run([sys.executable, "-c", code, "--lang", "en", "doctor", "--help"], capture_output=True, text=True, env=env)
    assert "Check the config, the token" in out.stdout
