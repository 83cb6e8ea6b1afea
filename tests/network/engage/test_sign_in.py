"""Device-code sign-in with msal against the fake identity platform (TLS), silent refresh, expiry,
and what `rse auth login` / `rse auth status` print."""

from __future__ import annotations

import stat
import tomllib


def test_login_prints_the_code_and_caches_tokens_privately(engage_tenant, profile, cli):
    result = cli("auth", "login")
    code = engage_tenant.fake.device_codes
    [dc] = code.values()
    assert "https://microsoft.com/devicelogin" in result.stderr and dc.user_code in result.stderr
    me = engage_tenant.fake.user("camille@contoso.com").yammer_id
    assert f"signed in as camille@contoso.com ({me})" in result.stderr
    # the profile's `user` is the person id members and events carry (services leave rse's own account out by it)
    assert tomllib.loads(profile.read_text())["profiles"]["default"]["user"] == str(me)
    cache = cli.home / "data" / "engage" / "default.msal.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert "access_token" not in result.stderr and "refresh" not in result.stdout
    # msal's cache is the credential store: rse keeps no token of its own for this profile
    assert not (cli.home / "config" / "credentials.toml").exists()
    assert str(cache) in result.stderr


def test_status_says_who_where_and_which_permissions(engage_tenant, profile, cli):
    cli("auth", "login")
    data = cli.json("auth", "status")
    assert data["display_name"] == "Camille Martin" and data["account"] == "camille@contoso.com"
    assert data["network"] == "engage" and data["tenant"] == "contoso.onmicrosoft.com"
    assert "Community.ReadWrite.All" in data["scopes"]["graph"] and "access_as_user" in data["scopes"]["yammer"]
    assert data["warning"] is None and data["sign_in_expires"] and data["saved_in"].endswith("default.msal.json")


def test_commands_use_the_cache_and_refresh_silently(engage_tenant, profile, cli):
    cli("auth", "login")
    engage_tenant.fake.expire_access_tokens()
    assert cli.json("auth", "status")["user_id"] == str(engage_tenant.fake.user("camille@contoso.com").yammer_id)
    refreshes = list(engage_tenant.fake.requests("identity", path="token"))
    assert len(refreshes) >= 3  # the sign-in, then one refresh per audience


def test_withdrawn_consent_says_to_sign_in_again(engage_tenant, profile, cli):
    cli("auth", "login")
    engage_tenant.fake.expire_access_tokens()
    engage_tenant.fake.revoke_refresh_tokens()
    result = cli("auth", "status", ok=False)
    assert result.exit_code == 3
    assert "rse auth login" in result.stderr and "expired or consent was withdrawn" in result.stderr


def test_an_app_without_consent_for_yammer_is_refused_at_login(engage_tenant, profile, cli):
    fake = engage_tenant.fake
    fake.apps[fake.client_id].granted = {s for s in fake.apps[fake.client_id].granted if "yammer" not in s}
    result = cli("auth", "login", ok=False)
    assert result.exit_code == 3
    assert "Grant admin consent" in result.stderr


def test_no_sign_in_yet_names_the_command(profile, cli):
    result = cli("community", "list", ok=False)
    assert result.exit_code == 3 and "rse auth login" in result.stderr


def test_a_champion_lists_and_writes_privately_from_the_command_line(engage_tenant, profile, cli):
    fake = engage_tenant.fake
    fake.add_community("Ventes Ouest", owners=["camille@contoso.com"])
    cli("auth", "login")
    listed = cli.json("community", "list")
    assert [c["name"] for c in listed] == ["All Company", "Ventes Ouest"]
    cli("dm", "alice@contoso.com", "--text", "Bienvenue Alice")
    cli("dm", "alice@contoso.com", "--text", "Bienvenue Alice")  # re-run: sent once
    assert [m.body for m in fake.sent(private=True)] == ["Bienvenue Alice"]
    wrong = cli("post", "ventes-ouest/annonces", "--text", "x", ok=False)
    assert wrong.exit_code == 2 and "rooms" in wrong.stderr
    nobody = cli("dm", "zoe@fabrikam.com", "--text", "x", ok=False)
    assert nobody.exit_code == 4 and "outside the tenant" in nobody.stderr


def test_a_champion_posts_in_a_community_from_the_command_line(engage_tenant, profile, cli):
    fake = engage_tenant.fake
    fake.add_community("Ventes Ouest", owners=["camille@contoso.com"])
    cli("auth", "login")
    cli("post", "ventes-ouest", "--text", "Bonjour à toutes et à tous")
    cli("post", "ventes-ouest", "--text", "Bonjour à toutes et à tous")  # re-run: sent once
    assert [m.body for m in fake.sent(community="Ventes Ouest")] == ["Bonjour à toutes et à tous"]


def test_members_and_animators_from_the_command_line(engage_tenant, profile, cli):
    fake = engage_tenant.fake
    fake.add_community("Ventes Ouest", owners=["camille@contoso.com"])
    cli("auth", "login")
    cli("member", "add", "ventes-ouest", "alice@contoso.com")
    cli("member", "add", "ventes-ouest", "bob@contoso.com", "--role", "animator")
    assert fake.members("Ventes Ouest") == ["alice@contoso.com", "bob@contoso.com", "camille@contoso.com"]
    assert fake.owners("Ventes Ouest") == ["bob@contoso.com", "camille@contoso.com"]
    roles = {m["display_name"]: m["role"] for m in cli.json("member", "list", "ventes-ouest")}
    assert roles == {"Alice Martin": "member", "Bob Durand": "animator", "Camille Martin": "animator"}
    refused = cli("member", "add", "ventes-ouest", "carol@contoso.com", "--role", "moderator", ok=False)
    assert refused.exit_code == 2 and "no moderator role" in refused.stdout + refused.stderr


def test_status_warns_before_the_cached_sign_in_lapses(engage_tenant, profile, cli):
    from datetime import UTC, datetime, timedelta

    from rse_cli.config import load_settings
    from rse_cli.network.base import connect
    from rse_cli.services.auth import status

    cli("auth", "login")
    settings = load_settings(config_path=profile)
    net = connect(settings)
    soon = status(net, datetime.now(UTC) + timedelta(days=80))
    assert soon.warning and "rse auth login" in soon.warning and "in 10 days" in soon.warning
    assert status(net, datetime.now(UTC)).warning is None
    net.close()


def test_logout_deletes_the_cached_sign_in(engage_tenant, profile, cli):
    cli("auth", "login")
    cache = cli.home / "data" / "engage" / "default.msal.json"
    assert cache.exists()
    done = cli("auth", "logout")
    assert not cache.exists() and f"cached sign-in deleted ({cache})" in done.stderr
    assert cli("auth", "status", ok=False).exit_code == 3


def test_status_on_the_command_line_warns_on_stderr_before_the_sign_in_lapses(engage_tenant, profile, cli, monkeypatch):
    from datetime import UTC, datetime, timedelta

    cli("auth", "login")
    monkeypatch.setenv("RSE_NOW", (datetime.now(UTC) + timedelta(days=85)).isoformat())
    shown = cli("auth", "status")
    assert "warning: the cached sign-in lapses in 5 days unless rse runs" in shown.stderr
    assert "contoso.onmicrosoft.com" in shown.stdout  # the table: tenant, account, permissions


def test_status_with_a_token_from_outside_names_the_tenant(engage_tenant, profile, cli, monkeypatch):
    monkeypatch.setenv("RSE_TOKEN", engage_tenant.yammer_token)  # a token broker's bearer, for both APIs
    data = cli.json("auth", "status")
    assert data["tenant"] == "contoso.onmicrosoft.com" and data["account"] is None and data["warning"] is None
