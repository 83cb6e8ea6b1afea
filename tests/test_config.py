"""Config: precedence flag > environment > file > defaults, clear errors, private files."""

from __future__ import annotations

import stat

import pytest

from rse_cli.config import load_settings, scrubbed, write_profile
from rse_cli.errors import ConfigError, ExitCode


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path):
    s = load_settings(config_path=tmp_path / "none.toml", environ={})
    assert (s.profile, s.homeserver, s.animator_level, s.moderator_level, s.lang) == ("default", None, 50, 75, "fr")


def test_precedence_flag_over_env_over_file(tmp_path):
    cfg = _write(tmp_path / "c.toml", '[profiles.default]\nhomeserver = "https://file.example.org"\nconcurrency = 3\nlang = "en"\n')
    s = load_settings(config_path=cfg, environ={})
    assert (s.homeserver, s.concurrency, s.lang) == ("https://file.example.org", 3, "en")
    env = {"RSE_HOMESERVER": "https://env.example.org", "RSE_CONCURRENCY": "5"}
    s = load_settings(config_path=cfg, environ=env)
    assert (s.homeserver, s.concurrency, s.lang) == ("https://env.example.org", 5, "en")
    s = load_settings(config_path=cfg, environ=env, flags={"homeserver": "https://flag.example.org", "lang": None})
    assert (s.homeserver, s.concurrency) == ("https://flag.example.org", 5)


def test_profiles_selected_by_flag_env_and_file(tmp_path):
    cfg = _write(tmp_path / "c.toml", 'profile = "prod"\n[profiles.prod]\nhomeserver = "https://prod.example.org"\n'
                 '[profiles.test]\nhomeserver = "http://localhost:8008"\n')
    assert load_settings(config_path=cfg, environ={}).homeserver == "https://prod.example.org"
    assert load_settings(config_path=cfg, environ={"RSE_PROFILE": "test"}).homeserver == "http://localhost:8008"
    with pytest.raises(ConfigError, match="no profile named 'nope'"):
        load_settings(config_path=cfg, profile="nope", environ={})


def test_invalid_value_names_file_key_and_expectation(tmp_path):
    cfg = _write(tmp_path / "c.toml", '[profiles.default]\nhomeserver = "matrix.example.org"\nconcurrency = "many"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(config_path=cfg, environ={})
    text = str(exc.value)
    assert str(cfg) in text and "[profiles.default] homeserver" in text and "https://" in text
    assert "concurrency" in text and "integer" in text
    assert exc.value.exit_code == ExitCode.USAGE == 2


def test_unknown_key_suggests_the_right_one(tmp_path):
    cfg = _write(tmp_path / "c.toml", "[profiles.default]\nconcurency = 3\n")
    with pytest.raises(ConfigError, match="unknown key.*did you mean `concurrency`"):
        load_settings(config_path=cfg, environ={})


def test_broken_toml_is_reported_with_the_file(tmp_path):
    cfg = _write(tmp_path / "c.toml", "[profiles.default\n")
    with pytest.raises(ConfigError, match="c.toml: not valid TOML"):
        load_settings(config_path=cfg, environ={})


def test_bad_env_value_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="timeout"):
        load_settings(config_path=tmp_path / "x.toml", environ={"RSE_TIMEOUT": "soon"})


def test_write_profile_is_private_validated_and_keeps_secrets_out(tmp_path):
    cfg = tmp_path / "dir" / "config.toml"
    write_profile(cfg, "default", {"homeserver": "https://m.example.org", "token": "syt_secret"})
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert "syt_secret" not in cfg.read_text()
    with pytest.raises(ConfigError, match="refusing to write"):
        write_profile(cfg, "default", {"concurrency": 0})
    assert "concurrency" not in cfg.read_text()  # nothing half-written


def test_scrubbed_hides_the_token():
    s = load_settings(config_path=None, environ={"RSE_TOKEN": "syt_abc", "RSE_HOMESERVER": "https://x.org", "RSE_CONFIG_DIR": "/nonexistent"})
    assert scrubbed(s)["token"] == "***"


def test_config_example_parses_and_documents_every_key():
    from pathlib import Path

    from rse_cli.config import AuditSettings, Settings

    example = Path(__file__).parent.parent / "config.example.toml"
    text = example.read_text()
    for name in ("default", "sandbox"):
        load_settings(config_path=example, profile=name, environ={})
    for key in [*Settings.model_fields, *AuditSettings.model_fields]:
        if key not in {"profile", "audit"}:
            assert f"{key} =" in text, f"config.example.toml does not document {key}"
    assert "[profiles.default.audit]" in text
