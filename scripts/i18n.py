"""Keep the French catalog in step with the code.

    python scripts/i18n.py missing          # messages the code uses that no fr/*.po translates (file:line)
    python scripts/i18n.py add AREA         # append them, untranslated, to rse_cli/locale/fr/AREA.po
    python scripts/i18n.py obsolete         # entries no code uses any more

Messages are the arguments of `_()`, `ngettext()`, `pgettext()` and their `…_in(lang, …)` forms in
rse_cli/ (rse_cli.i18n.KEYWORDS; English is the source language). A message with a context
(msgctxt) is its own entry: the same English word may have two French translations.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "rse_cli"
FR = ROOT / "locale" / "fr"
sys.path.insert(0, str(ROOT.parent))

from rse_cli.i18n import KEYWORDS  # noqa: E402 - after the path, for a checkout without install

Key = tuple[object, "str | None"]  # (message id, context)


def used() -> dict[Key, str]:
    found: dict[Key, str] = {}
    for filename, lineno, message, _c, context in extract_from_dir(
        str(ROOT), keywords=KEYWORDS, method_map=[("**.py", "python")]
    ):
        found.setdefault((message, context), f"rse_cli/{filename}:{lineno}")
    return found


def known() -> set[Key]:
    ids: set[Key] = set()
    for po in sorted(FR.glob("*.po")):
        with po.open("rb") as fh:
            ids |= {(m.id, m.context) for m in read_po(fh, locale="fr") if m.id}
    return ids


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("missing", "add", "obsolete"):
        print(__doc__)
        return 2
    code = used()
    have = known()
    if argv[0] == "obsolete":
        for m in sorted(have - set(code), key=str):
            print(repr(m))
        return 0
    missing = {m: where for m, where in code.items() if m not in have}
    if argv[0] == "missing":
        for m, where in missing.items():
            print(f"{where}: {m!r}")
        return 1 if missing else 0
    path = FR / f"{argv[1]}.po"
    if path.exists():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="fr")
    else:
        catalog = Catalog(locale="fr", project="rse")
    for (m, ctx), where in missing.items():
        catalog.add(m, ("", "") if isinstance(m, tuple) else "", auto_comments=[where], context=ctx)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, no_location=True)
    print(f"{len(missing)} message(s) added to {path.relative_to(ROOT.parent)}: translate them (msgstr)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
