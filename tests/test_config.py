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
    assert (s.profile, s.network, s.homeserver, s.lang, s.connectors) == ("default", "matrix", None, "en", {})


def test_the_content_language_is_the_run_language_unless_the_profile_sets_one(tmp_path):
    """Digests and reports speak what the CLI speaks (LANG) when the profile says nothing; an
    explicit profile `lang` still wins for content, and --lang over both (issue 16)."""
    bare = tmp_path / "none.toml"
    assert load_settings(config_path=bare, environ={"LANG": "C.UTF-8"}).lang == "en"
    assert load_settings(config_path=bare, environ={"LANG": "fr_FR.UTF-8"}).lang == "fr"
    assert load_settings(config_path=bare, environ={"LANG": "fr_FR.UTF-8", "RSE_LANG": "en"}).lang == "en"
    cfg = _write(tmp_path / "c.toml", '[profiles.default]\nlang = "fr"\n')
    assert load_settings(config_path=cfg, environ={"LANG": "C"}).lang == "fr"
    assert load_settings(config_path=cfg, environ={"LANG": "C"}, flags={"lang": "en"}).lang == "en"


def test_precedence_flag_over_env_over_file(tmp_path):
    cfg = _write(
        tmp_path / "c.toml", '[profiles.default]\nhomeserver = "https://file.example.org"\nconcurrency = 3\nlang = "en"\n'
    )
    s = load_settings(config_path=cfg, environ={})
    assert (s.homeserver, s.concurrency, s.lang) == ("https://file.example.org", 3, "en")
    env = {"RSE_HOMESERVER": "https://env.example.org", "RSE_CONCURRENCY": "5"}
    s = load_settings(config_path=cfg, environ=env)
    assert (s.homeserver, s.concurrency, s.lang) == ("https://env.example.org", 5, "en")
    s = load_settings(config_path=cfg, environ=env, flags={"homeserver": "https://flag.example.org", "lang": None})
    assert (s.homeserver, s.concurrency) == ("https://flag.example.org", 5)


def test_profiles_selected_by_flag_env_and_file(tmp_path):
    cfg = _write(
        tmp_path / "c.toml",
        'profile = "prod"\n[profiles.prod]\nhomeserver = "https://prod.example.org"\n'
        '[profiles.test]\nhomeserver = "http://localhost:8008"\n',
    )
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
    s = load_settings(
        config_path=None, environ={"RSE_TOKEN": "syt_abc", "RSE_HOMESERVER": "https://x.org", "RSE_CONFIG_DIR": "/nonexistent"}
    )
    assert scrubbed(s)["token"] == "***"


def test_config_example_parses_and_documents_every_key():
    from pathlib import Path

    from rse_cli.config import AuditSettings, Settings

    example = Path(__file__).parent.parent / "config.example.toml"
    text = example.read_text()
    for name in ("default", "sandbox"):
        load_settings(config_path=example, profile=name, environ={})
    from rse_cli.network.matrix import MatrixSettings

    for key in [*Settings.model_fields, *AuditSettings.model_fields, *MatrixSettings.model_fields]:
        if key not in {"profile", "audit", "connectors"}:
            assert f"{key} =" in text, f"config.example.toml does not document {key}"
    assert "[profiles.default.audit]" in text and "[profiles.default.matrix]" in text


# -- connector tables: [profiles.NAME.<network>] -----------------------------------------------


def _matrix(settings):
    from rse_cli.network.base import table_settings
    from rse_cli.network.matrix import MatrixSettings

    return table_settings(settings, "matrix", MatrixSettings)


def test_matrix_settings_come_from_their_own_table(tmp_path, recwarn):
    cfg = _write(
        tmp_path / "c.toml",
        '[profiles.default]\nhomeserver = "https://m.example.org"\n'
        '[profiles.default.matrix]\nanimator_level = 40\nclient_url = "https://chat.example.org/#/room/"\n',
    )
    s = load_settings(config_path=cfg, environ={})
    m = _matrix(s)
    assert (m.animator_level, m.moderator_level, m.client_url) == (40, 75, "https://chat.example.org/#/room/")
    assert not [w for w in recwarn if "belong" in str(w.message)]  # the new layout draws no note
    from rse_cli.network.base import addressing

    assert addressing(s).link("!r:x").startswith("https://chat.example.org/#/room/!r:x")


def test_old_flat_keys_still_work_with_one_deprecation_note(tmp_path):
    from rse_cli.config import ConfigWarning

    cfg = _write(
        tmp_path / "c.toml",
        '[profiles.default]\nanimator_level = 30\nclient_url = "https://old.example.org/#/"\ndevice_id = "DEV1"\n',
    )
    with pytest.warns(ConfigWarning) as caught:
        s = load_settings(config_path=cfg, environ={})
    [note] = [str(w.message) for w in caught]
    assert "\n" not in note and str(cfg) in note and "[profiles.default.matrix]" in note
    assert "animator_level, client_url, device_id" in note
    m = _matrix(s)
    assert (m.animator_level, m.client_url, m.device_id) == (30, "https://old.example.org/#/", "DEV1")


def test_the_new_table_wins_over_an_old_flat_key(tmp_path):
    cfg = _write(tmp_path / "c.toml", "[profiles.default]\nanimator_level = 30\n[profiles.default.matrix]\nanimator_level = 60\n")
    with pytest.warns(UserWarning):
        assert _matrix(load_settings(config_path=cfg, environ={})).animator_level == 60


def test_any_write_moves_old_keys_into_the_table(tmp_path):
    import tomllib

    cfg = _write(tmp_path / "c.toml", '[profiles.default]\nhomeserver = "https://m.example.org"\nmoderator_level = 80\n')
    write_profile(cfg, "default", {"lang": "en"})
    doc = tomllib.loads(cfg.read_text())["profiles"]["default"]
    assert doc == {"homeserver": "https://m.example.org", "lang": "en", "matrix": {"moderator_level": 80}}
    write_profile(cfg, "default", {"matrix.client_url": "https://c.example.org/#/", "device_id": "D2"})
    assert tomllib.loads(cfg.read_text())["profiles"]["default"]["matrix"] == {
        "moderator_level": 80,
        "client_url": "https://c.example.org/#/",
        "device_id": "D2",
    }


def test_a_bad_value_in_the_connector_table_names_table_and_key(tmp_path):
    from rse_cli.network.base import check_settings

    cfg = _write(tmp_path / "c.toml", '[profiles.default.matrix]\nanimator_level = 500\nclient_urll = "x"\n')
    s = load_settings(config_path=cfg, environ={})  # rse's own settings know no connector...
    with pytest.raises(ConfigError) as exc:  # ...the connector checks its table when it is used
        check_settings(s)
    text = str(exc.value)
    assert str(cfg) in text and "[profiles.default.matrix] animator_level" in text and "100" in text
    assert "[profiles.default.matrix] client_urll: unknown key (did you mean `client_url`?)" in text
    with pytest.raises(ConfigError, match=r"refusing|matrix\] animator_level"):
        write_profile(cfg, "default", {"matrix.moderator_level": "lots"}, check=check_settings)
    assert "lots" not in cfg.read_text()  # nothing half-written


def test_a_table_named_after_no_connector_is_refused_when_connecting(tmp_path):
    from rse_cli.network.base import connect

    cfg = _write(
        tmp_path / "c.toml",
        '[profiles.default]\nhomeserver = "https://m.example.org"\n[profiles.default.matirx]\nclient_url = "x"\n',
    )
    with pytest.raises(ConfigError, match=r"\[profiles.default.matirx\]: no installed connector.*installed: .*matrix"):
        connect(load_settings(config_path=cfg, environ={}))


def test_an_uninstalled_network_names_the_key_and_lists_the_installed_ones(tmp_path):
    from rse_cli.errors import UsageError
    from rse_cli.network.base import connect

    cfg = _write(tmp_path / "c.toml", '[profiles.default]\nnetwork = "mattermost"\n')
    s = load_settings(config_path=cfg, environ={})  # loading alone never scans the installed connectors
    with pytest.raises(UsageError) as exc:
        connect(s)
    assert str(cfg) in str(exc.value) and "[profiles.default] network = 'mattermost'" in str(exc.value)
    assert "installed: " in str(exc.value) and "matrix" in str(exc.value).split("installed: ")[1]


def test_a_malformed_matrix_user_is_refused_by_the_connector(tmp_path):
    from rse_cli.network.base import addressing

    cfg = _write(tmp_path / "c.toml", '[profiles.default]\nuser = "champion"\n')
    with pytest.raises(ConfigError, match=r"\[profiles.default\] user: expected a full Matrix ID"):
        addressing(load_settings(config_path=cfg, environ={}))


def test_env_sets_a_key_of_the_active_network_table(tmp_path):
    cfg = _write(tmp_path / "c.toml", "[profiles.default.matrix]\nanimator_level = 40\n")
    s = load_settings(config_path=cfg, environ={"RSE_MATRIX_CLIENT_URL": "https://env.example.org/#/"})
    assert (_matrix(s).client_url, _matrix(s).animator_level) == ("https://env.example.org/#/", 40)
