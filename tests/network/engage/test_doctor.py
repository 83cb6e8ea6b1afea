"""`rse doctor` on Viva Engage, against the fake tenant: each line says what was found in the
champion's set-up and, when something is wrong, the one thing to do."""

from __future__ import annotations

import json

import tomli_w


def _checks(result) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads(result.stdout)}


def _table(profile, **values) -> None:
    import tomllib

    doc = tomllib.loads(profile.read_text())
    doc["profiles"]["default"]["engage"].update(values)
    profile.write_text(tomli_w.dumps(doc))


def test_a_signed_in_champion_sees_every_engage_check(engage_tenant, profile, cli):
    cli("auth", "login")
    checks = _checks(cli("doctor", "--json"))  # warnings only: exit 0
    assert list(checks) == [
        "config",
        "profile",
        "token",
        "graph",
        "yammer",
        "permissions",
        "rights",
        "dms",
        "store",
        "smtp",
        "cron",
    ]
    assert checks["config"]["status"] == "ok" and "Viva Engage" in checks["profile"]["detail"]
    assert checks["token"]["status"] == "ok" and "Camille Martin" in checks["token"]["detail"]
    assert checks["graph"]["status"] == "ok" and "native mode" in checks["graph"]["detail"]
    assert checks["yammer"]["status"] == "ok" and engage_tenant.fake.yammer_url in checks["yammer"]["detail"]
    assert checks["permissions"]["status"] == "ok" and "access_as_user" in checks["permissions"]["detail"]
    # not a verified admin: syncs read the feeds, and the audits say so
    assert checks["rights"]["status"] == "warn" and "verified admin" in checks["rights"]["fix"]
    # the API does not tell whether private messages are allowed before one is sent
    assert checks["dms"]["status"] == "warn" and "dms_enabled" in checks["dms"]["fix"]
    text = cli("doctor").stdout
    assert "! rights: Camille Martin is not a verified admin" in text and "    fix: ask a Viva Engage admin" in text
    french = cli("--lang", "fr", "doctor").stdout
    assert "! droits : Camille Martin n'est pas administrateur vérifié" in french and "le réseau est en mode natif" in french


def test_a_verified_admin_with_private_messages_allowed(engage_tenant, profile, cli):
    engage_tenant.fake.set_admin("camille@contoso.com")
    _table(profile, dms_enabled=True)
    cli("auth", "login")
    checks = _checks(cli("doctor", "--json"))
    assert checks["rights"]["status"] == "ok" and "Data Export" in checks["rights"]["detail"]
    assert checks["dms"]["status"] == "ok"


def test_no_sign_in_yet_names_the_command(engage_tenant, profile, cli):
    result = cli("doctor", "--json", ok=False)
    checks = _checks(result)
    assert result.exit_code == 8
    assert checks["token"]["status"] == "fail" and "rse auth login" in checks["token"]["fix"]
    assert checks["server"]["status"] == "skip" and "graph" not in checks  # nothing reached without a sign-in
    assert checks["store"]["status"] == "ok"  # later checks still run


def test_a_legacy_network_fails_with_the_migration_to_do(engage_tenant, profile, cli):
    cli("auth", "login")
    engage_tenant.fake.set_native_mode(False)
    result = cli("doctor", "--json", ok=False)
    checks = _checks(result)
    assert result.exit_code == 8
    assert checks["graph"]["status"] == "fail" and "not in native mode" in checks["graph"]["detail"]
    assert "native-mode migration" in checks["graph"]["fix"]
    assert checks["yammer"]["status"] == "ok"  # Yammer keeps working on a legacy network


def test_disabled_private_messages_fail_unless_welcomes_are_mentions(engage_tenant, profile, cli):
    _table(profile, dms_enabled=False)
    cli("auth", "login")
    checks = _checks(cli("doctor", "--json", ok=False))
    assert checks["dms"]["status"] == "fail" and "welcome_by_mention = true" in checks["dms"]["fix"]
    _table(profile, welcome_by_mention=True)
    checks = _checks(cli("doctor", "--json"))
    assert checks["dms"]["status"] == "ok" and "@mentions" in checks["dms"]["detail"]


def test_a_withdrawn_graph_permission_fails_the_graph_check_with_the_consent_to_grant(engage_tenant, profile, cli):
    fake = engage_tenant.fake
    app = fake.apps[fake.client_id]
    cli("auth", "login")
    # the tenant admin withdraws one permission after the sign-in: the next silent refresh is refused
    app.granted = {s for s in app.granted if not s.endswith("User.Read.All")}
    fake.expire_access_tokens()
    result = cli("doctor", "--json", ok=False)
    checks = _checks(result)
    assert result.exit_code == 8
    assert checks["token"]["status"] == "ok"  # the Yammer sign-in still holds
    assert checks["graph"]["status"] == "fail" and "User.Read.All" in checks["graph"]["detail"]
    assert "Grant admin consent" in checks["graph"]["fix"]


def test_an_engage_profile_without_its_table_fails_the_config_check(cli):
    path = cli.home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[profiles.default]\nnetwork = "engage"\n[profiles.default.engage]\ntenant = "contoso.onmicrosoft.com"\n')
    result = cli("doctor", "--json", ok=False)
    checks = _checks(result)
    assert checks["config"]["status"] == "fail" and "client_id: missing" in checks["config"]["detail"]
    assert "--client-id VALUE" in checks["config"]["fix"]
