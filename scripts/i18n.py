"""Keep the French catalog in step with the code.

    python scripts/i18n.py missing          # messages the code uses that no fr/*.po translates (file:line)
    python scripts/i18n.py add AREA         # append them, untranslated, to rse_cli/locale/fr/AREA.po
    python scripts/i18n.py obsolete         # entries no code uses any more

Messages are the arguments of `_()` and `ngettext()` in rse_cli/ (English is the source language).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent / "rse_cli"
FR = ROOT / "locale" / "fr"


def used() -> dict[object, str]:
    found: dict[object, str] = {}
    for filename, lineno, message, _c, _x in extract_from_dir(
        str(ROOT), keywords={"_": None, "N_": None, "ngettext": (1, 2)}, method_map=[("**.py", "python")]
    ):
        found.setdefault(message, f"rse_cli/{filename}:{lineno}")
    return found


def known() -> set[object]:
    ids: set[object] = set()
    for po in sorted(FR.glob("*.po")):
        with po.open("rb") as fh:
            ids |= {m.id for m in read_po(fh, locale="fr") if m.id}
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
    for m, where in missing.items():
        catalog.add(m, ("", "") if isinstance(m, tuple) else "", auto_comments=[where])
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, no_location=True)
    print(f"{len(missing)} message(s) added to {path.relative_to(ROOT.parent)}: translate them (msgstr)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
