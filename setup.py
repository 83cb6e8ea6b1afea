"""Compiles the gettext catalogs (rse_cli/locale/*/LC_MESSAGES/rse.po -> rse.mo) with Babel at build
time, for wheels and editable installs alike. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalogs() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in Path(__file__).parent.glob("rse_cli/locale/*/LC_MESSAGES/*.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parts[-3])
        with po.with_suffix(".mo").open("wb") as fh:
            write_mo(fh, catalog)


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
