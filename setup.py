"""Compiles the gettext catalogs (rse_cli/locale/LANG/*.po, merged -> LANG/LC_MESSAGES/rse.mo) with
Babel at build time, for wheels and editable installs alike. Everything else is in pyproject.toml."""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent


def compile_catalogs() -> None:
    # rse_cli/i18n.py holds the merge; loaded by path so the build needs none of rse's dependencies
    spec = importlib.util.spec_from_file_location("rse_i18n", HERE / "rse_cli" / "i18n.py")
    assert spec is not None and spec.loader is not None
    i18n = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(i18n)
    for lang_dir in (HERE / "rse_cli" / "locale").iterdir():
        if lang_dir.is_dir() and i18n.sources(lang_dir.name):
            out = lang_dir / "LC_MESSAGES" / "rse.mo"
            out.parent.mkdir(exist_ok=True)
            out.write_bytes(i18n.compile_catalog(lang_dir.name))


class BuildWithCatalogs(build_py):
    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
