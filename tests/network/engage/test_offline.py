"""What the engage connector decides without a server: its settings table, its capabilities,
ids and links, and the mistakes it refuses before any request."""

from __future__ import annotations

import stat
import tomllib

import pytest

from rse_cli.config import load_settings
from rse_cli.domain import Role
from rse_cli.errors import ConfigError
from rse_cli.network.base import Membership, Structure, addressing, capabilities, connector


def test_config_init_writes_an_engage_table_and_the_connector_reads_it(cli):
    cli("config", "init", "--network", "engage", "--tenant", "contoso.onmicrosoft.com", "--client-id", "app-123")
    path = cli.home / "config" / "config.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = tomllib.loads(path.read_text())
    assert doc["profiles"]["default"] == {
        "network": "engage",
        "engage": {"tenant": "contoso.onmicrosoft.com", "client_id": "app-123"},
    }
    settings = load_settings(config_path=path)
    assert capabilities(settings).login == "device_code"
    assert connector("engage").settings_model.model_validate(settings.table("engage")).client_id == "app-123"


def test_config_init_names_the_missing_engage_flag(cli):
    result = cli("config", "init", "--network", "engage", "--tenant", "contoso.onmicrosoft.com", ok=False)
    assert result.exit_code == 2
    assert "[profiles.default.engage] client_id: missing" in result.stderr
    assert "rse config init --network engage --client-id VALUE" in result.stderr
    assert not (cli.home / "config" / "config.toml").exists()


def test_an_unknown_network_lists_the_installed_connectors(cli):
    result = cli("config", "init", "--network", "yammer", ok=False)
    assert result.exit_code == 2
    assert "engage" in result.stderr and "matrix" in result.stderr


def test_an_engage_profile_without_its_table_says_how_to_write_it(tmp_path, isolated):
    from rse_cli.network.engage.settings import engage_settings

    path = tmp_path / "c.toml"
    path.write_text('[profiles.default]\nnetwork = "engage"\n')
    with pytest.raises(ConfigError, match="rse config init --network engage"):
        engage_settings(load_settings(config_path=path))
    path.write_text(
        '[profiles.default]\nnetwork = "engage"\n[profiles.default.engage]\ntenant = "t"\nclient_id = "c"\ngraph_url = "ftp://x"\n'
    )
    with pytest.raises(ConfigError, match=r"\[profiles\.default\.engage\] graph_url: expected an https:// URL"):
        engage_settings(load_settings(config_path=path))


def test_capabilities_say_what_engage_is():
    caps = connector("engage").capabilities
    assert caps.structure is Structure.feed and caps.membership is Membership.direct
    assert caps.roles == frozenset({Role.animator}) and not caps.server_idempotency and not caps.force_join
    assert caps.threads and caps.reactions and not caps.pictures and caps.changes_since and not caps.dated_memberships
    # 200 private messages at 10 per 30 s: ten at once, then one every 3 s
    assert caps.rate_limits.seconds(invitations=0, messages=200, room_creations=0) == pytest.approx(570)
    # creating a community waits for its asynchronous operation, polled more than 30 s apart
    assert caps.rate_limits.seconds(invitations=0, messages=0, room_creations=0, communities=2) > 2 * 60


def _engage_settings(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[profiles.default]\nnetwork = "engage"\n[profiles.default.engage]\ntenant = "t"\nclient_id = "c"\n')
    return load_settings(config_path=path)


def test_addressing_reads_what_users_type_and_builds_links_offline(tmp_path, isolated):
    a = addressing(_engage_settings(tmp_path))
    community = "eyJfdHlwZSI6Ikdyb3VwIiwiaWQiOiI4MzIxMjc1In0"  # Microsoft's example: {"_type":"Group","id":"8321275"}
    assert "8321275" in a.community_keys(community, "Ventes Ouest", None)
    assert a.community_key("Ventes Ouest") in a.community_keys(community, "Ventes Ouest", None)
    assert a.community_key(a.alias_ref("ventes-ouest")) == "ventes-ouest"
    assert a.link(community) == f"https://engage.cloud.microsoft/main/groups/{community}"
    assert a.link("1488000000001").startswith("https://engage.cloud.microsoft/main/users/")
    assert a.person_problem("marc@contoso.com") is None and a.person_problem("Marc Dupont") is None
    assert "e-mail" in a.person_problem("@marc:example.org")
    assert a.person_problem("marc@") is not None
    assert a.is_person_id("1488000000001") and not a.is_person_id("marc@contoso.com")
    assert not a.is_picture_ref("mxc://x/y") and a.picture_problem("pic.png")
