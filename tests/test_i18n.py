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


def _source_messages() -> dict[tuple[str | tuple[str, str], str | None], str]:
    """(message, context) -> where the code uses it, for every call form of rse_cli.i18n
    (`_`, `ngettext`, `pgettext`, and the `…_in(lang, …)` forms of content-language texts)."""
    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), keywords=i18n.KEYWORDS, method_map=[("**.py", "python")]
    ):
        found[(message, context)] = f"rse_cli/{filename}:{lineno}"
    return found


def _catalog(lang: str):
    """Every source of the language merged (one .po per area of rse). A message may stand in two
    areas' files only with the same translation: the merge keeps one, so they must not disagree.
    The same English with another context (msgctxt) is another message."""
    from babel.messages.catalog import Catalog

    merged = Catalog(locale=lang)
    where: dict[object, str] = {}
    for po in i18n.sources(lang):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                if not message.id:
                    continue
                key = (message.id, message.context)
                first = merged.get(message.id, context=message.context)
                if first is not None:
                    assert first.string == message.string or not message.string, (
                        f"{po.name} and {where[key]} translate {message.id!r}"
                        + (f" (context {message.context!r})" if message.context else "")
                        + f" differently: {message.string!r} vs {first.string!r}"
                    )
                    continue
                merged[message.id] = message
                where[key] = po.name
    return merged


def test_every_message_has_a_french_translation_with_the_same_placeholders():
    catalog = _catalog("fr")
    problems = []
    for (message, context), where in _source_messages().items():
        entry = catalog.get(message, context=context)
        if entry is None:
            in_context = f" (context {context!r})" if context else ""
            problems.append(f"{where}: in no rse_cli/locale/fr/*.po: {message!r}{in_context} (run `make i18n`)")
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
    stale = [(m.id, m.context) for m in _catalog("fr") if m.id and (m.id, m.context) not in used]
    assert not stale, f"obsolete entries in rse_cli/locale/fr/*.po (run `make i18n`): {stale}"


def test_one_english_word_has_a_french_translation_per_context():
    """msgctxt: a step that "failed" is "échec", the column counting the people who failed is
    "en échec"; the compiled catalog keeps both, and the content language is chosen per call."""
    import gettext
    import io

    compiled = gettext.GNUTranslations(io.BytesIO(i18n.compile_catalog("fr")))
    assert compiled.gettext("failed") == "échec"
    assert compiled.pgettext("a column: how many people", "failed") == "en échec"
    i18n.activate("en")
    assert i18n._(i18n.NP_("a column: how many people", "failed")) == "failed"
    assert i18n.pgettext_in("fr", "a column: how many people", "failed") == "en échec"
    assert i18n._in("fr", "failed") == "échec" and i18n.current() == "en"


@pytest.mark.parametrize(
    ("flag", "profile", "env", "expected"),
    [
        ("en", "fr", {"LANG": "fr_FR.UTF-8"}, "en"),
        (None, "fr", {"LANG": "en_US.UTF-8"}, "fr"),
        (None, None, {"LANG": "fr_FR.UTF-8"}, "fr"),
        (None, None, {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),
        (None, None, {"LANG": "C.UTF-8"}, "en"),
        (None, None, {"LANG": "de_DE.UTF-8"}, "en"),
    ],
)
def test_language_precedence(flag, profile, env, expected):
    assert i18n.choose(flag, profile, env) == expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--lang", "fr", "audit"], "fr"),
        (["-p", "prod", "--lang=fr", "audit", "--json"], "fr"),
        # a command's own --lang (the campaign's content language) is not the language of the run
        (["campaign", "create", "accueil", "--lang", "fr"], "en"),
        (["--lang", "en", "campaign", "create", "accueil", "--lang", "fr"], "en"),
        (["leaders", "add", "@dg:example.org", "--lang=fr"], "en"),
    ],
)
def test_the_language_of_the_run_comes_from_the_global_options_only(argv, expected, tmp_path):
    environ = {"LANG": "en_GB.UTF-8", "RSE_CONFIG": str(tmp_path / "none.toml")}
    assert i18n.early_language(argv, environ) == expected


def test_french_and_english_error_output(cli, monkeypatch):
    result = cli("--lang", "fr", "community", "list", ok=False)
    assert result.stderr.startswith("erreur : ")
    result = cli("--lang", "en", "community", "list", ok=False)
    assert result.stderr.startswith("error: ")


def test_doctor_speaks_french_and_keeps_json_keys(cli, monkeypatch):
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    result = cli("doctor", ok=False)
    assert "✗ configuration : aucun serveur configuré (pas de fichier de configuration à " in result.stdout
    assert "- jeton : non vérifié" in result.stdout
    assert "solution : rse config init" in result.stdout
    assert "erreur : 7 vérifications ont échoué" not in result.stderr  # skipped checks are not failures
    assert "erreur : 1 vérification a échoué : configuration" in result.stderr
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
    assert "Vérifier la configuration, le jeton" in out.stdout, out.stdout + out.stderr
    out = subprocess.run(
        [sys.executable, "-c", code, "--lang", "en", "doctor", "--help"], capture_output=True, text=True, env=env
    )
    assert "Check the config, the token" in out.stdout


# -- snapshots: the plain output of everyday commands in both languages ----------------------------


@pytest.fixture
def champion(isolated, monkeypatch):
    """`rse` as the champion of a fresh in-memory network with rooms, two communities on it."""
    from typer.testing import CliRunner

    from tests.conftest import Rse
    from tests.network.conformance.drivers import MemoryDriver

    driver = MemoryDriver("memory")
    for name, value in driver.env().items():
        monkeypatch.setenv(name, value)
    rse = Rse(isolated, CliRunner())
    rse("community", "create", "Ventes Ouest", "--alias", "ventes-ouest", "--room", "Général", "--room", "Questions")
    rse("community", "create", "Communauté Data", "--alias", "data")
    try:
        yield rse
    finally:
        driver.close()


def test_community_list_snapshot(champion):
    assert champion("community", "list").stdout == (
        "NAME             ALIAS          MEMBERS  ROOMS\n"
        "Communauté Data  ~data          1        Général\n"
        "Ventes Ouest     ~ventes-ouest  1        Général, Questions\n"
    )
    assert champion("--lang", "fr", "community", "list").stdout == (
        "NOM              ALIAS          MEMBRES  SALONS\n"
        "Communauté Data  ~data          1        Général\n"
        "Ventes Ouest     ~ventes-ouest  1        Général, Questions\n"
    )
    # machine formats keep the field names whatever the language
    assert champion("--lang", "fr", "community", "list", "--format", "csv").stdout.startswith("id,name,alias,topic,link,rooms,")


def test_did_you_mean_a_community_and_a_room(champion):
    result = champion("community", "show", "ventes-est", ok=False)
    assert result.exit_code == 4
    assert result.stderr == ("error: no community “ventes-est” among yours\n  hint: did you mean “ventes-ouest”?\n")
    result = champion("--lang", "fr", "post", "ventes-est/Général", "--text", "Bonjour", ok=False)
    assert result.stderr == (
        "erreur : aucune communauté « ventes-est » parmi les vôtres\n  conseil : vouliez-vous dire « ventes-ouest » ?\n"
    )
    result = champion("post", "ventes-ouest/Questons", "--text", "Bonjour", ok=False)
    assert result.exit_code == 4
    assert result.stderr == ("error: Ventes Ouest has no room “Questons”\n  hint: did you mean “Questions”?\n")
    result = champion("--lang", "fr", "post", "ventes-ouest", "--text", "Bonjour", ok=False)
    assert result.stderr == (
        "erreur : précisez le salon de Ventes Ouest : ventes-ouest/SALON\n  conseil : ses salons : Général, Questions\n"
    )


def test_did_you_mean_a_person_among_the_members(champion):
    champion("member", "add", "ventes-ouest", "Alice Martin")
    result = champion("--lang", "fr", "member", "add", "ventes-ouest", "Alice Martine", "--role", "animator", ok=False)
    assert result.exit_code == 4
    assert "vouliez-vous dire « Alice Martin » ?" in result.stdout
    assert result.stderr == "erreur : 1 personne sur 1 n'a pas pu être ajoutée\n"


def test_community_create_prints_a_summary_without_ids(champion):
    import re

    out = champion("community", "create", "Support", "--alias", "support", "--animator", "Alice Martin").stdout
    out = re.sub(r"https://memory\.invalid/\S+", "LINK", out)  # the fake network's links hold its random key
    assert out == ("Community “Support” created.\n  Link: LINK\n  Room: Général\n  Animator invited: Alice Martin\n")
    out = champion(
        "--lang", "fr", "community", "create", "Qualité", "--alias", "qualite", "--room", "Idées", "--room", "Retours"
    ).stdout
    out = re.sub(r"https://memory\.invalid/\S+", "LINK", out)
    assert out == ("Communauté « Qualité » créée.\n  Lien : LINK\n  Salons : Idées, Retours\n")


def test_usage_errors_name_the_values_in_the_users_language(cli):
    result = cli("audit", "--fail-on", "severe", ok=False)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --fail-on: “severe” is not one of the accepted values\n  hint: the accepted values: info, warning, critical\n"
    )
    result = cli("--lang", "fr", "member", "add", "x", "y", "--role", "animateur", ok=False)
    assert result.stderr == (
        "erreur : --role : « animateur » ne fait pas partie des valeurs acceptées\n"
        "  conseil : vouliez-vous dire « animator » ? (valeurs acceptées : member, animator, moderator, owner)\n"
    )
    assert "Value error" not in result.stderr and "pydantic" not in result.stderr
    result = cli("--lang", "fr", "comunity", "list", ok=False)
    assert result.stderr == "erreur : commande inconnue « comunity »\n  conseil : vouliez-vous dire « community » ?\n"
    result = cli("sandbox", "seed", "--people", "lots", ok=False)
    assert result.stderr.startswith("error: --people: “lots” is not a whole number\n")


def test_no_config_at_all_says_config_init_first(cli):
    for lang, first in (("en", "run `rse config init"), ("fr", "lancez d'abord `rse config init")):
        result = cli("--lang", lang, "community", "list", ok=False)
        assert result.exit_code == 2 and first in result.stderr and "auth login" not in result.stderr


def _rse_process(*args: str) -> str:
    """`rse ARGS` in a new process: help texts are built when the commands are imported, once per process."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("RSE_", "LC_", "LANG"))}
    env.update(RSE_FAST="0", RSE_CONFIG="/nonexistent/config.toml")
    code = "import sys; sys.argv[0] = 'rse'; from rse_cli.entry import main; main()"
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    return done.stdout + done.stderr


def test_help_snapshot_in_both_languages():
    english = _rse_process("--help")
    assert "  Animate communities, onboard newcomers, brief leaders" in english
    assert "  community  Create and inspect communities.\n" in english
    french = _rse_process("--lang", "fr", "--help")
    assert "  Animer les communautés, accueillir les nouveaux" in french
    assert "  community  Créer et consulter les communautés.\n" in french
    assert "  list    Lister les communautés dont le compte est membre.\n" in _rse_process("--lang", "fr", "community", "--help")


def test_community_create_on_a_feed_network_says_so(isolated, monkeypatch):
    """One feed per community (Viva Engage's shape): no default room, and `post COMMUNITY` writes in the feed."""
    from typer.testing import CliRunner

    from tests.conftest import Rse
    from tests.network.conformance.drivers import MemoryDriver

    driver = MemoryDriver("memory-feed")
    for name, value in driver.env().items():
        monkeypatch.setenv(name, value)
    rse = Rse(isolated, CliRunner())
    try:
        out = rse("--lang", "fr", "community", "create", "Ventes Ouest", "--alias", "ventes-ouest").stdout
        assert out.startswith("Communauté « Ventes Ouest » créée.\n") and "  Un seul fil de conversation, sans salons.\n" in out
        assert rse("post", "ventes-ouest", "--text", "Bonjour").stderr == "sent to ventes-ouest\n"
        refused = rse("--lang", "fr", "community", "create", "Autre", "--room", "Général", ok=False)
        assert refused.exit_code == 2 and "--room : sur memory-feed, une communauté est un seul fil" in refused.stderr
    finally:
        driver.close()


def test_a_mention_of_an_unknown_name_suggests_a_member(champion):
    champion("member", "add", "ventes-ouest", "Bob Durand", "--join")
    result = champion("post", "ventes-ouest/Général", "--text", "Bonjour", "--mention", "Bob Durant", ok=False)
    assert result.exit_code == 4 and "  hint: did you mean “Bob Durand”?\n" in result.stderr


def test_config_and_auth_speak_french_and_name_the_key(cli):
    result = cli("--lang", "fr", "config", "show")
    assert "VALEUR" in result.stdout and "config_file" not in result.stdout
    result = cli("--lang", "fr", "auth", "status", ok=False)
    assert result.stderr.startswith("erreur : ") and "lancez d'abord `rse config init" in result.stderr
    result = cli("--lang", "fr", "config", "set", "nonsense", "1", ok=False)
    assert result.exit_code == 2
    assert "écriture refusée :" in result.stderr and "nonsense : clé inconnue" in result.stderr
    result = cli("config", "set", "nonsense", "1", ok=False)
    assert "refusing to write:" in result.stderr and "nonsense: unknown key" in result.stderr


# -- help pages: placeholders, headings and notes in the reader's language ------------------------


def test_help_placeholders_headings_and_notes_in_both_languages():
    assert _rse_process("config", "set", "--help").startswith("Usage: rse config set [OPTIONS] KEY VALUE\n")
    french = _rse_process("--lang", "fr", "config", "set", "--help")
    assert french.startswith("Utilisation : rse config set [OPTIONS] CLÉ VALEUR\n")
    assert "\nArguments\u00a0:\n  CLÉ     Une clé de config.example.toml" in french
    assert "\nOptions\u00a0:\n  -h, --help  Afficher ce message et quitter.\n" in french
    assert "{key}" not in french and "<str>" not in french and "Arguments:" not in french

    english = _rse_process("leaders", "brief", "--help")
    assert "Usage: rse leaders brief [OPTIONS] LEADER\n" in english
    assert "  --weeks NUMBER  " in english and "  -o, --out FILE  " in english
    assert "[default: 4; between 1 and 52]" in re.sub(r"[ \n]+", " ", english)
    french = _rse_process("--lang", "fr", "leaders", "brief", "--help")
    assert "Utilisation : rse leaders brief [OPTIONS] DIRIGEANT\n" in french
    assert "  --weeks NOMBRE  " in french and "  -o, --out FICHIER  " in french
    flat = re.sub(r"[ \n]+", " ", french)  # as read, whatever the wrapping (no-break spaces stay)
    assert "[par défaut\u00a0: 4\u202f; entre 1 et 52]" in flat  # no « 4; », no « x<= »
    top = _rse_process("--lang", "fr", "--help")
    assert top.startswith("Utilisation : rse [OPTIONS] COMMANDE [ARGUMENTS]...\n")
    assert "Installer la complétion automatique" in top and "\nCommandes\u00a0:\n" in top


def test_every_argument_has_a_placeholder_in_the_catalog():
    """A new argument gets its capitalised name in helptext.ARGUMENTS, hence a French one."""
    import typer.main

    from rse_cli.cli import app
    from rse_cli.cli.helptext import ARGUMENTS

    def arguments(group):
        for cmd in group.commands.values():
            yield from (p.name for p in cmd.params if p.param_type_name == "argument")
            if hasattr(cmd, "commands"):
                yield from arguments(cmd)

    assert set(arguments(typer.main.get_command(app))) <= set(ARGUMENTS)


def test_french_help_uses_one_kind_of_apostrophe():
    """The catalogs write the straight apostrophe: no « d’un » next to « d'un » in one help page."""
    from rse_cli.i18n import sources

    curly = [po.name for po in sources("fr") if "\u2019" in po.read_text(encoding="utf-8")]
    assert curly == []


def test_doctor_describes_the_network_in_french(cli, monkeypatch):
    monkeypatch.setenv("RSE_HOMESERVER", "http://127.0.0.1:9")  # nothing listens: the profile is still described
    monkeypatch.setenv("RSE_USER", "@champion:rse.test")
    monkeypatch.setenv("RSE_TOKEN", "not-checked")
    french = cli("--lang", "fr", "doctor", ok=False).stdout
    assert (
        "✓ profil : profil default : Matrix (Synapse), dont les communautés sont des espaces et les canaux leurs salons, "
        "http://127.0.0.1:9\n"
    ) in french
    english = cli("doctor", ok=False).stdout
    assert "✓ profile: profile default: Matrix (Synapse): communities are Spaces, channels are their rooms" in english


def test_a_missing_argument_is_named_as_the_help_page_names_it(cli):
    assert cli("--lang", "fr", "config", "set", "concurrency", ok=False).stderr.startswith("erreur : VALEUR manque\n")
    assert cli("config", "set", "concurrency", ok=False).stderr.startswith("error: VALUE is missing\n")
