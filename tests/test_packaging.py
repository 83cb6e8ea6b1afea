"""A fresh install is quiet and its wheel speaks French: the build compiles the catalogs into the
wheel without setuptools' 40-line "package absent from the `packages` configuration" warning."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_fresh_checkout_builds_a_quiet_wheel_with_the_compiled_french_catalog(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    # a fresh clone: no compiled catalog yet (it is git-ignored), no caches
    shutil.copytree(ROOT / "rse_cli", src / "rse_cli", ignore=shutil.ignore_patterns("__pycache__", "LC_MESSAGES", "*.mo"))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "-w", str(tmp_path / "dist"), "--no-deps", "-q"],
        capture_output=True,
        text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "BuildBackendWarning" not in output and "absent from the `packages`" not in output, output
    (wheel,) = (tmp_path / "dist").glob("rse_cli-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        mo = zf.read("rse_cli/locale/fr/LC_MESSAGES/rse.mo")
    assert gettext.GNUTranslations(io.BytesIO(mo)).gettext("yes") == "oui"
