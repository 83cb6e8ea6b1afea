"""One language per run for everything rse prints: gettext catalogs, English as the source language.

The French catalog's sources are `rse_cli/locale/fr/*.po`, one per area of rse; the build
(setup.py) merges and compiles them into `fr/LC_MESSAGES/rse.mo` with Babel. A source checkout
without the compiled file still speaks French: the sources are compiled in memory on first use.

The language is chosen by `--lang`, then the profile's `lang` when the config file sets it (or
RSE_LANG), then LC_ALL / LC_MESSAGES / LANG, then English. `--json` keys and finding codes are
never translated. Help texts are read when the command modules are imported, so `entry.main`
activates the language before importing them (`early_language`).

Two languages can meet in one run: what rse prints speaks the run's language (`_`, `ngettext`),
while content written for the community (audit findings, digests) speaks the profile's content
language, passed explicitly: `_in(lang, msg)`, `ngettext_in(lang, s, p, n)`, never changing the
active one. One English word that needs two French ones gets a context: `pgettext("member", "invited")`.
Every call form is listed in KEYWORDS, which the catalog tools and tests extract with.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "KEYWORDS",
    "NP_",
    "N_",
    "_",
    "_in",
    "activate",
    "choose",
    "compile_catalog",
    "current",
    "early_language",
    "ngettext",
    "ngettext_in",
    "npgettext",
    "npgettext_in",
    "pgettext",
    "pgettext_in",
    "profile_lang",
    "sources",
    "translations",
]

DOMAIN = "rse"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")

# Babel's extraction keywords for every call form below: argument positions of the message (and
# plural), "c" marks the context. scripts/i18n.py and tests/test_i18n.py extract with these.
KEYWORDS: dict[str, object] = {
    "_": None,
    "N_": None,
    "NP_": ((1, "c"), 2),
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "_in": (2,),
    "ngettext_in": (2, 3),
    "pgettext_in": ((2, "c"), 3),
    "npgettext_in": ((2, "c"), 3, 4),
}

_translations: gettext.NullTranslations = gettext.NullTranslations()
_current = "en"
_loaded: dict[str, gettext.NullTranslations] = {}


def _from_environment(environ: Mapping[str, str]) -> str | None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith(("C.", "POSIX.")):
            code = value.split(".", 1)[0].split("_", 1)[0].lower()
            return code if code in LANGUAGES else None
    return None


def choose(flag: str | None, profile_lang: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The language of this run: flag > profile > locale environment > English."""
    for candidate in (flag, profile_lang):
        if candidate and candidate.lower() in LANGUAGES:
            return candidate.lower()
    return _from_environment(os.environ if environ is None else environ) or "en"


def sources(lang: str) -> list[Path]:
    """The catalog's source files: one `.po` per area of rse (core.po, onboarding.po, …), so that
    people translating different areas never edit the same file."""
    return sorted((LOCALE_DIR / lang).glob("*.po"))


def compile_catalog(lang: str) -> bytes:
    """The `.mo` bytes of every source of `lang` merged into one catalog (Babel)."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = Catalog(locale=lang, domain=DOMAIN)
    for po in sources(lang):
        with po.open("rb") as fh:
            for message in read_po(fh, locale=lang):
                # keyed by (id, context): "invited" of a member and "invited" of a step are two entries
                if message.id and merged.get(message.id, context=message.context) is None:
                    merged[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, merged)
    return buf.getvalue()


def _load(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    import io

    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    parts = sources(lang)
    newest = max((p.stat().st_mtime for p in parts), default=0.0)
    if mo.exists() and mo.stat().st_mtime >= newest:
        with mo.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    if parts:  # a source checkout, or sources edited since the build: compile in memory
        return gettext.GNUTranslations(io.BytesIO(compile_catalog(lang)))
    return gettext.NullTranslations()


def translations(lang: str | None) -> gettext.NullTranslations:
    """The catalog of `lang` (loaded once per process), without making it the active language.
    Unknown languages speak English, the source language."""
    code = (lang or "en")[:2].lower()
    if code not in LANGUAGES:
        code = "en"
    found = _loaded.get(code)
    if found is None:
        found = _loaded[code] = _load(code)
    return found


def activate(lang: str) -> str:
    """Speak `lang` from now on in this process; returns it."""
    global _translations, _current
    if lang != _current:
        _translations = translations(lang)
        _current = lang
    return lang


def current() -> str:
    return _current


def _(message: str) -> str:
    context = getattr(message, "context", None)  # marked with NP_
    if context is not None:
        return _translations.pgettext(context, message)
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalog without translating it yet (a table of labels built at import,
    translated with `_()` when shown)."""
    return message


class _InContext(str):
    context: str


def NP_(context: str, message: str) -> str:
    """N_ with a context: `_()` translates it later with pgettext (a table's label that needs
    another French word than the same English elsewhere)."""
    marked = _InContext(message)
    marked.context = context
    return marked


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the context `context` (msgctxt): one English word, two French ones."""
    return _translations.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _translations.npgettext(context, singular, plural, n)


# -- in a given language (content written for a community), the active one unchanged -------------


def _in(lang: str | None, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext_in(lang: str | None, singular: str, plural: str, n: int) -> str:
    """The form for `n` (CLDR: 0 and 1 are singular in French, only 1 in English)."""
    return translations(lang).ngettext(singular, plural, n)


def pgettext_in(lang: str | None, context: str, message: str) -> str:
    return translations(lang).pgettext(context, message)


def npgettext_in(lang: str | None, context: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).npgettext(context, singular, plural, n)


def early_language(argv: list[str], environ: Mapping[str, str] | None = None) -> str:
    """The language before typer parses anything (help texts are built at import): `--lang`
    from argv, else the profile's `lang` from the config file, else the environment."""
    environ = os.environ if environ is None else environ
    flag = None
    profile = environ.get("RSE_PROFILE")
    config = environ.get("RSE_CONFIG")
    # global options only: they come before the command (`rse --lang en campaign create … --lang fr`
    # sets the campaign's language with the second one, not the language of the run)
    args = iter(argv)
    for arg in args:
        if not arg.startswith("-"):
            break  # the command: what follows belongs to it
        name, eq, inline = arg.partition("=")
        if name not in ("--lang", "--profile", "-p", "--config", "--homeserver"):
            continue
        value = inline if eq else next(args, None)
        if value is None:
            break
        if name == "--lang":
            flag = value
        elif name == "--config":
            config = value
        elif name != "--homeserver":
            profile = value
    if flag:
        return choose(flag, None, environ)
    return choose(None, environ.get("RSE_LANG") or profile_lang(config, profile, environ), environ)


def profile_lang(config: str | None, profile: str | None, environ: Mapping[str, str]) -> str | None:
    """The `lang` the config file sets for the profile, if any (never raises: the CLI reports bad files)."""
    try:
        import tomllib

        from rse_cli.paths import default_config_path

        path = Path(config) if config else default_config_path()
        if not path.exists():
            return None
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
        name = profile or doc.get("profile") or "default"
        value = doc.get("profiles", {}).get(name, {}).get("lang")
        return value if isinstance(value, str) else None
    except Exception:  # noqa: BLE001 - a broken file is reported by the command itself
        return None
