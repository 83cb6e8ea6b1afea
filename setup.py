"""Compiles the gettext catalogs (rse_cli/locale/LANG/*.po, merged -> LANG/LC_MESSAGES/rse.mo) with
Babel at build time, for wheels and editable installs alike. Everything else is in pyproject.toml.

The catalogs are compiled before `setup()` rather than in a build step: setuptools discovers the
packages (pyproject's `packages.find`, namespaces included) when `setup()` reads the configuration,
and a `LC_MESSAGES` directory that appears later is data inside an undeclared package, which
setuptools reports with a 40-line warning on every install. Compiled first, `LC_MESSAGES` is found
like any other directory and its `rse.mo` is ordinary package data.
"""

import importlib.util
import warnings
from pathlib import Path

from setuptools import setup

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


compile_catalogs()
# setuptools' notice on every editable install ("be careful with folders … with the same name as
# your package"): rse is meant to be installed editable from its checkout, so it only adds noise
warnings.filterwarnings("ignore", message="Editable installation")
setup()
