"""Files holding secrets are never readable by others and never half-written."""

from __future__ import annotations

import os
import stat

import pytest

from rse_cli.fsutil import write_private


def test_a_new_file_is_private_and_its_new_directory_too(tmp_path):
    path = tmp_path / "new" / "config.toml"
    write_private(path, b"token = 'x'\n")
    assert path.read_bytes() == b"token = 'x'\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert os.listdir(path.parent) == ["config.toml"]  # no temporary file left behind


def test_replacing_a_readable_file_makes_it_private(tmp_path):
    path = tmp_path / "credentials.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o644)
    write_private(path, b'{"default": "secret"}')
    assert path.read_bytes() == b'{"default": "secret"}' and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_write_keeps_the_old_file_whole(tmp_path, monkeypatch):
    path = tmp_path / "hs.yaml"
    write_private(path, b"old: 1\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_private(path, b"new: 2\n")
    assert path.read_bytes() == b"old: 1\n"
    assert os.listdir(tmp_path) == ["hs.yaml"]
