"""End to end: config init/show/set, auth login/status/logout; tokens never shown."""

from __future__ import annotations

import json
import stat
import tomllib

from tests.conftest import PASSWORD


def _config(home):
    return home / "config" / "config.toml"


def test_config_init_writes_a_private_file(cli):
    cli("config", "init", "--homeserver", "https://matrix.example.org/")
    path = _config(cli.home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = tomllib.loads(path.read_text())
    assert doc == {"profile": "default", "profiles": {"default": {"homeserver": "https://matrix.example.org"}}}
    shown = cli.json("config", "show")
    assert shown["homeserver"] == "https://matrix.example.org" and shown["token"] is None
    assert shown["config_file"] == str(path)


def test_config_set_validates_and_bad_value_exits_2(cli):
    cli("config", "init", "--homeserver", "https://matrix.example.org")
    cli("config", "set", "concurrency", "4")
    assert cli.json("config", "show")["concurrency"] == 4
    bad = cli("config", "set", "concurrency", "lots", ok=False)
    assert bad.exit_code == 2 and "concurrency" in bad.stderr and "integer" in bad.stderr
    assert cli.json("config", "show")["concurrency"] == 4
    secret = cli("config", "set", "token", "syt_x", ok=False)
    assert secret.exit_code == 2 and "syt_x" not in secret.stderr + secret.stdout


def test_broken_config_file_exits_2_naming_the_file(cli):
    path = _config(cli.home)
    path.parent.mkdir(parents=True)
    path.write_text("[profiles.default]\nhomeserver = 42\n")
    result = cli("community", "list", ok=False)
    assert result.exit_code == 2
    assert str(path) in result.stderr and "homeserver" in result.stderr


def test_no_token_tells_how_to_log_in(cli):
    cli("config", "init", "--homeserver", "http://127.0.0.1:9")
    result = cli("community", "list", ok=False)
    assert result.exit_code == 3 and "rse auth login" in result.stderr


def test_login_keeps_device_and_never_shows_the_token(cli, homeserver):
    cli("config", "init", "--homeserver", homeserver.url)
    first = cli("auth", "login", "--user", "bob", "--password-stdin", input=PASSWORD + "\n")
    doc = tomllib.loads(_config(cli.home).read_text())["profiles"]["default"]
    assert doc["user"] == homeserver.users["bob"] and doc["matrix"]["device_id"]
    device = doc["matrix"]["device_id"]
    creds = cli.home / "config" / "credentials.toml"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    token = tomllib.loads(creds.read_text())["default"]["token"]
    assert token not in first.stdout + first.stderr

    status = cli.json("auth", "status")
    assert status == {
        "user_id": homeserver.users["bob"],
        "device_id": device,
        "homeserver": homeserver.url,
        "admin": False,
        "display_name": "Bob Durand",
    }
    # a second login reuses the same device, so transaction ids keep deduplicating
    cli("auth", "login", "--user", "bob", "--password-stdin", input=PASSWORD + "\n")
    assert tomllib.loads(_config(cli.home).read_text())["profiles"]["default"]["matrix"]["device_id"] == device

    verbose = cli("--verbose", "auth", "status", "--json")
    new_token = tomllib.loads(creds.read_text())["default"]["token"]
    assert "GET /_matrix/client/v3/account/whoami -> 200" in verbose.stderr
    everything = verbose.stdout + verbose.stderr + json.dumps(cli.json("config", "show"))
    assert new_token not in everything and token not in everything

    cli("auth", "logout")
    assert cli("auth", "status", ok=False).exit_code == 3


def test_wrong_password_is_an_auth_error(cli, homeserver):
    cli("config", "init", "--homeserver", homeserver.url)
    result = cli("auth", "login", "--user", "bob", "--password-stdin", input="wrong\n", ok=False)
    assert result.exit_code == 3 and "wrong user or password" in result.stderr
    assert "wrong" not in result.stdout


def test_rse_token_env_works_for_cron_and_admin_is_detected(rse, homeserver):
    status = rse.json("auth", "status")
    assert status["user_id"] == homeserver.admin and status["admin"] is True
    assert rse.json("config", "show")["token_from"] == "RSE_TOKEN"


def test_refused_token_exits_3_without_echoing_it(cli, homeserver, monkeypatch):
    monkeypatch.setenv("RSE_HOMESERVER", homeserver.url)
    monkeypatch.setenv("RSE_TOKEN", "syt_not_a_real_token_123")
    result = cli("--verbose", "auth", "status", ok=False)
    assert result.exit_code == 3 and "rse auth login" in result.stderr
    assert "syt_not_a_real_token_123" not in result.stdout + result.stderr


def test_unreachable_server_exits_5(cli, monkeypatch):
    monkeypatch.setenv("RSE_HOMESERVER", "http://127.0.0.1:9")
    monkeypatch.setenv("RSE_TOKEN", "syt_x")
    monkeypatch.setenv("RSE_MAX_RETRIES", "0")
    result = cli("auth", "status", ok=False)
    assert result.exit_code == 5 and "cannot reach http://127.0.0.1:9" in result.stderr


def test_login_reuses_a_device_kept_in_the_old_flat_place_and_moves_it(cli, homeserver):
    cli("config", "init", "--homeserver", homeserver.url)
    cli("auth", "login", "--user", "bob", "--password-stdin", input=PASSWORD + "\n")
    path = _config(cli.home)
    doc = tomllib.loads(path.read_text())
    device = doc["profiles"]["default"]["matrix"].pop("device_id")
    del doc["profiles"]["default"]["matrix"]
    import tomli_w

    doc["profiles"]["default"]["device_id"] = device  # a config written before connector tables
    path.write_text(tomli_w.dumps(doc))
    again = cli(
        "auth", "login", "--user", f"@bob:{homeserver.users['bob'].split(':', 1)[1]}", "--password-stdin", input=PASSWORD + "\n"
    )
    assert "note:" in again.stderr and "[profiles.default.matrix]" in again.stderr
    section = tomllib.loads(path.read_text())["profiles"]["default"]
    assert "device_id" not in section and section["matrix"]["device_id"] == device


def test_config_init_lists_and_checks_the_installed_networks(cli):
    shown = cli("config", "init", "--help")
    assert "Installed networks:" in shown.stdout and "matrix:" in shown.stdout
    bad = cli("config", "init", "--network", "mattermost", ok=False)
    assert bad.exit_code == 2 and "mattermost" in bad.stderr and "matrix" in bad.stderr
    assert not _config(cli.home).exists()  # nothing written


def test_config_init_and_set_write_the_network_table(cli):
    cli(
        "config",
        "init",
        "--network",
        "matrix",
        "--homeserver",
        "https://m.example.org",
        "--client-url",
        "https://chat.example.org/#/room/",
        "--animator-level=40",
    )
    section = tomllib.loads(_config(cli.home).read_text())["profiles"]["default"]
    assert section == {
        "network": "matrix",
        "homeserver": "https://m.example.org",
        "matrix": {"client_url": "https://chat.example.org/#/room/", "animator_level": 40},
    }
    cli("config", "set", "matrix.moderator_level", "80")
    assert cli.json("config", "show")["matrix"] == {
        "client_url": "https://chat.example.org/#/room/",
        "animator_level": 40,
        "moderator_level": 80,
    }
    bad = cli("config", "set", "matrix.moderator_level", "800", ok=False)
    assert bad.exit_code == 2 and "[profiles.default.matrix] moderator_level" in bad.stderr
    secret = cli("config", "init", "--homeserver", "https://m.example.org", "--password", "hunter2", ok=False)
    assert secret.exit_code == 2 and "hunter2" not in secret.stderr + secret.stdout
    assert "hunter2" not in _config(cli.home).read_text()
    typo = cli("config", "init", "--homeserver", "https://m.example.org", "--client-ulr", "x", ok=False)
    assert typo.exit_code == 2 and "client_ulr: unknown key" in typo.stderr
    assert tomllib.loads(_config(cli.home).read_text())["profiles"]["default"]["matrix"]["moderator_level"] == 80


def test_a_second_connector_brings_its_own_table_without_touching_rse(cli, monkeypatch):
    """A connector registered in-process (as an installed entry point would be): `config init`
    lists it, writes its options into its table, and its settings model refuses bad keys."""
    from pydantic import BaseModel, ConfigDict

    from rse_cli.network import base
    from rse_cli.network.base import Capabilities, Membership, Structure

    class FeedSettings(BaseModel):
        model_config = ConfigDict(extra="forbid")
        tenant: str
        client_id: str

    class Addressing:
        def __init__(self, settings):
            pass

    class FeedConnector:
        name = "feedtest"
        description = "a one-feed network used by this test"
        capabilities = Capabilities(structure=Structure.feed, membership=Membership.direct, login="device_code")
        settings_model = FeedSettings

        def addressing(self, settings):
            return Addressing(settings)

        def connect(self, settings, *, token=None, transport=None):
            raise AssertionError("not needed here")

    monkeypatch.setitem(base._loaded, "feedtest", FeedConnector())
    listed = " ".join(cli("config", "init", "--help").stdout.split())  # the help is wrapped to the terminal
    assert "feedtest: a one-feed network used by this test" in listed
    done = cli("config", "init", "--network", "feedtest", "--tenant", "contoso.onmicrosoft.com", "--client-id", "app-1")
    assert "next: rse auth login\n" in done.stderr  # no --user: the network signs in with a device code
    section = tomllib.loads(_config(cli.home).read_text())["profiles"]["default"]
    assert section == {"network": "feedtest", "feedtest": {"tenant": "contoso.onmicrosoft.com", "client_id": "app-1"}}
    assert cli.json("config", "show")["feedtest"] == {"tenant": "contoso.onmicrosoft.com", "client_id": "app-1"}
    bad = cli("config", "set", "feedtest.tenantt", "x", ok=False)
    assert bad.exit_code == 2 and "[profiles.default.feedtest] tenantt: unknown key (did you mean `tenant`?)" in bad.stderr
