"""The fake itself behaves as Microsoft documents it (each test names the behaviour it pins down)."""

from __future__ import annotations

import base64
import csv
import io
import json
import ssl
import zipfile

import httpx
import pytest

from tests.fakes.engage import FakeEngage
from tests.fakes.engage.fixture import ADMIN, CHAMPION, EngageTenant

HTTP = httpx.Client(timeout=10)  # one client for the module: building one per call costs ~80 ms


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def ctx(f: FakeEngage) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(f.ca_file))


def community_group_id(community_id: str) -> int:
    return int(json.loads(base64.urlsafe_b64decode(community_id + "=" * (-len(community_id) % 4)))["id"])


def create_community(t: EngageTenant, name: str, **extra: object) -> dict:
    """Create through Graph and wait (on the fake clock) until the operation succeeded."""
    f = t.fake
    r = HTTP.post(
        f"{f.graph_url}/employeeExperience/communities",
        json={"displayName": name, "privacy": "public", **extra},
        headers=bearer(t.graph_token),
    )
    assert r.status_code == 202, r.text
    f.clock.advance(f.community_creation_seconds)
    op = HTTP.get(r.headers["Operation-Location"], headers=bearer(t.graph_token)).json()
    assert op["status"] == "succeeded", op
    return HTTP.get(op["resourceLocation"], headers=bearer(t.graph_token)).json()


def post(t: EngageTenant, token: str | None = None, **data: object) -> httpx.Response:
    return HTTP.post(f"{t.fake.yammer_url}/messages.json", data=data, headers=bearer(token or t.yammer_token))


# -- identity: msal against the fake ---------------------------------------------------------------


def test_msal_device_code_sign_in_then_silent_refresh_for_yammer(engage_tenant: EngageTenant, monkeypatch):
    msal = pytest.importorskip("msal")
    f = engage_tenant.fake
    # requests (under msal) prefers REQUESTS_CA_BUNDLE to msal's verify=: point both at the fake's CA.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(f.ca_file))
    app = msal.PublicClientApplication(f.client_id, authority=f.authority, instance_discovery=False, verify=str(f.ca_file))
    graph_scopes = ["https://graph.microsoft.com/Community.ReadWrite.All", "https://graph.microsoft.com/User.Read"]
    flow = app.initiate_device_flow(scopes=graph_scopes)
    assert flow["user_code"] in flow["message"] and flow["verification_uri"] == "https://microsoft.com/devicelogin"

    pending = app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
    assert pending["error"] == "authorization_pending"

    f.approve_device_code(CHAMPION, flow["user_code"])
    flow["latest_attempt_at"] = 0  # msal only warns when polled early; keep the test quiet
    result = app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
    assert "access_token" in result, result
    assert result["id_token_claims"]["preferred_username"] == CHAMPION
    me = HTTP.get(f"{f.graph_url}/me", headers=bearer(result["access_token"]))
    assert me.status_code == 200 and me.json()["mail"] == CHAMPION

    # One sign-in, two resources: the refresh token gets a Yammer token silently.
    account = app.get_accounts()[0]
    yam = app.acquire_token_silent_with_error(["https://api.yammer.com/access_as_user"], account=account)
    assert "access_token" in yam, yam
    cur = HTTP.get(f"{f.yammer_url}/users/current.json", headers=bearer(yam["access_token"]))
    assert cur.status_code == 200 and cur.json()["email"] == CHAMPION

    # Expiry: the API refuses the old token, a forced refresh brings a working one.
    f.expire_access_tokens()
    assert HTTP.get(f"{f.yammer_url}/users/current.json", headers=bearer(yam["access_token"])).status_code == 401
    fresh = app.acquire_token_silent_with_error(["https://api.yammer.com/access_as_user"], account=account, force_refresh=True)
    assert HTTP.get(f"{f.yammer_url}/users/current.json", headers=bearer(fresh["access_token"])).status_code == 200

    # Revoked sessions: refresh fails with invalid_grant, the user must sign in again.
    f.revoke_refresh_tokens(CHAMPION)
    gone = app.acquire_token_silent_with_error(graph_scopes, account=account, force_refresh=True)
    assert gone["error"] == "invalid_grant" and "AADSTS50173" in gone["error_description"]


def test_refresh_token_expires_after_90_days_of_inactivity(engage_tenant: EngageTenant):
    msal = pytest.importorskip("msal")
    f = engage_tenant.fake
    f.auto_approve_as(CHAMPION)
    app = msal.PublicClientApplication(
        f.client_id, authority=f.authority, instance_discovery=False, http_client=f.requests_session()
    )
    flow = app.initiate_device_flow(scopes=["https://api.yammer.com/access_as_user"])
    assert "access_token" in app.acquire_token_by_device_flow(flow, exit_condition=lambda flow: True)
    f.clock.advance(89 * 86400)
    assert "access_token" in app.acquire_token_silent_with_error(
        ["https://api.yammer.com/access_as_user"], account=app.get_accounts()[0], force_refresh=True
    )
    f.clock.advance(91 * 86400)
    late = app.acquire_token_silent_with_error(
        ["https://api.yammer.com/access_as_user"], account=app.get_accounts()[0], force_refresh=True
    )
    assert late["error"] == "invalid_grant" and "AADSTS700082" in late["error_description"]


def test_token_endpoint_refuses_two_resources_unconsented_scopes_and_expired_codes(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    url = f"{f.login_origin}/{f.tenant_domain}/oauth2/v2.0"
    login = httpx.Client(verify=ctx(f))
    two = login.post(
        f"{url}/devicecode",
        data={
            "client_id": f.client_id,
            "scope": "https://graph.microsoft.com/User.Read https://api.yammer.com/access_as_user",
        },
    )
    assert two.status_code == 400 and "AADSTS28000" in two.json()["error_description"]

    code = login.post(
        f"{url}/devicecode",
        data={"client_id": f.client_id, "scope": "https://graph.microsoft.com/Sites.FullControl.All offline_access"},
    ).json()
    f.approve_device_code(CHAMPION)
    grant = {
        "client_id": f.client_id,
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": code["device_code"],
    }
    refused = login.post(f"{url}/token", data=grant).json()
    assert refused["error"] == "invalid_grant" and refused["suberror"] == "consent_required"

    late = login.post(f"{url}/devicecode", data={"client_id": f.client_id, "scope": "User.Read"}).json()
    f.clock.advance(late["expires_in"])
    assert login.post(f"{url}/token", data={**grant, "device_code": late["device_code"]}).json()["error"] == "expired_token"

    unknown = login.post(f"{url}/devicecode", data={"client_id": "not-registered", "scope": "User.Read"})
    assert unknown.status_code == 400 and "AADSTS700016" in unknown.json()["error_description"]


# -- Graph ------------------------------------------------------------------------------------


def test_graph_checks_the_bearer_token_audience_expiry_and_scopes(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    url = f"{f.graph_url}/employeeExperience/communities"
    assert HTTP.get(url).status_code == 401
    assert HTTP.get(url, headers=bearer("made-up")).status_code == 401
    wrong_audience = HTTP.get(url, headers=bearer(engage_tenant.yammer_token))
    assert wrong_audience.status_code == 401 and wrong_audience.json()["error"]["code"] == "InvalidAuthenticationToken"
    read_only = f.token(CHAMPION, "graph", scopes=["User.Read"])
    denied = HTTP.get(url, headers=bearer(read_only))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "Authorization_RequestDenied"
    assert HTTP.get(url, headers=bearer(engage_tenant.graph_token)).status_code == 200
    f.clock.advance(f.access_token_lifetime)
    expired = HTTP.get(url, headers=bearer(engage_tenant.graph_token))
    assert expired.status_code == 401 and "expired" in expired.json()["error"]["message"]


def test_community_creation_is_asynchronous_202_then_operation_succeeds(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    h = bearer(engage_tenant.graph_token)
    r = HTTP.post(
        f"{f.graph_url}/employeeExperience/communities",
        json={"displayName": "Logistique Lyon", "description": "Les équipes de Lyon", "privacy": "private"},
        headers=h,
    )
    assert r.status_code == 202 and r.content == b""
    loc = r.headers["Operation-Location"]
    assert loc.startswith(f"{f.graph_url}/employeeExperience/engagementAsyncOperations('")
    assert HTTP.get(loc, headers=h).json()["status"] == "notStarted"
    f.clock.advance(f.community_creation_seconds / 2)
    running = HTTP.get(loc, headers=h).json()
    assert running["status"] == "running" and running["resourceLocation"] is None
    assert "Logistique Lyon" not in [
        c["displayName"] for c in HTTP.get(f"{f.graph_url}/employeeExperience/communities", headers=h).json()["value"]
    ]
    f.clock.advance(f.community_creation_seconds / 2)
    done = HTTP.get(loc, headers=h).json()
    assert done["status"] == "succeeded" and done["operationType"] == "createCommunity"
    community = HTTP.get(done["resourceLocation"], headers=h).json()
    assert community["id"] == done["resourceId"] and community["privacy"] == "private"
    # The creator owns it; the Graph community id carries the Yammer group id; the group id differs.
    assert f.owners("Logistique Lyon") == [CHAMPION]
    assert community_group_id(community["id"]) == f.community("Logistique Lyon").yammer_id
    assert community["groupId"] == f.community("Logistique Lyon").graph_group_id != community["id"]
    same_by_path = HTTP.get(f"{f.graph_url}/employeeExperience/communities/{community['id']}", headers=h)
    assert same_by_path.json()["displayName"] == "Logistique Lyon"


def test_community_creation_validates_and_a_duplicate_name_fails(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    h = bearer(engage_tenant.graph_token)
    url = f"{f.graph_url}/employeeExperience/communities"
    assert HTTP.post(url, json={"description": "no name"}, headers=h).status_code == 400
    assert HTTP.post(url, json={"displayName": "x" * 256}, headers=h).status_code == 400
    assert HTTP.post(url, json={"displayName": "X", "privacy": "secret"}, headers=h).status_code == 400
    assert HTTP.post(url, content=b"", headers=h).status_code == 400
    create_community(engage_tenant, "Qualité")
    again = HTTP.post(url, json={"displayName": "Qualité"}, headers=h)
    f.clock.advance(f.community_creation_seconds)
    op = HTTP.get(again.headers["Operation-Location"], headers=h).json()
    assert op["status"] == "failed" and op["statusDetail"] and op["resourceLocation"] is None


def test_owners_bind_at_creation(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    alice = f.user("alice@contoso.com")
    create_community(
        engage_tenant, "Sécurité", **{"owners@odata.bind": [f"https://graph.microsoft.com/v1.0/users/{alice.graph_id}"]}
    )
    assert f.owners("Sécurité") == ["alice@contoso.com"]


def test_legacy_network_refuses_graph_community_calls(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.set_native_mode(False)
    r = HTTP.get(f"{f.graph_url}/employeeExperience/communities", headers=bearer(engage_tenant.graph_token))
    assert r.status_code == 403 and "native mode" in r.json()["error"]["message"]
    # Yammer keeps working on a legacy network.
    assert HTTP.get(f"{f.yammer_url}/groups.json", headers=bearer(engage_tenant.yammer_token)).status_code == 200


def test_community_list_pages_with_top_and_next_link(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    for i in range(24):
        f.add_community(f"Communauté {i:02d}", owners=[CHAMPION])
    h = bearer(engage_tenant.graph_token)
    first = HTTP.get(f"{f.graph_url}/employeeExperience/communities", headers=h).json()
    assert len(first["value"]) == 20 and "@odata.nextLink" in first  # 25 with All Company
    second = HTTP.get(first["@odata.nextLink"], headers=h).json()
    assert len(second["value"]) == 5 and "@odata.nextLink" not in second
    names, url = [], f"{f.graph_url}/employeeExperience/communities?$top=7&$select=displayName"
    while url:
        with f.without_limits():
            page = HTTP.get(url, headers=h).json()
        names += [c["displayName"] for c in page["value"]]
        assert all(list(c) == ["displayName"] for c in page["value"])  # $select survives the next link
        url = page.get("@odata.nextLink")
    assert len(names) == len(set(names)) == 25


def test_group_members_and_owners_through_graph(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    c = create_community(engage_tenant, "Logistique Lyon")
    h = bearer(engage_tenant.graph_token)
    ref = f"{f.graph_url}/groups/{c['groupId']}/members/$ref"
    bob = f.user("bob@contoso.com")
    body = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{bob.graph_id}"}
    assert HTTP.post(ref, json=body, headers=h).status_code == 204
    dup = HTTP.post(ref, json=body, headers=h)
    assert dup.status_code == 400 and "One or more added object references already exist" in dup.json()["error"]["message"]
    ghost = HTTP.post(
        ref,
        json={"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/00000000-0000-0000-0000-000000000000"},
        headers=h,
    )
    assert ghost.status_code == 404
    assert HTTP.post(ref, json={}, headers=h).status_code == 400
    # Only an owner (or a directory admin) manages the group.
    bob_token = f.token("bob@contoso.com", "graph")
    carol = f.user("carol@contoso.com")
    assert (
        HTTP.post(
            ref,
            json={"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{carol.graph_id}"},
            headers=bearer(bob_token),
        ).status_code
        == 403
    )
    owners = f"{f.graph_url}/groups/{c['groupId']}/owners"
    assert HTTP.post(owners + "/$ref", json=body, headers=h).status_code == 204
    assert sorted(u["mail"] for u in HTTP.get(owners, headers=h).json()["value"]) == ["bob@contoso.com", CHAMPION]
    me = f.user(CHAMPION)
    assert HTTP.delete(f"{owners}/{me.graph_id}/$ref", headers=h).status_code == 204
    last = HTTP.delete(f"{owners}/{bob.graph_id}/$ref", headers=bearer(bob_token))
    assert last.status_code == 400
    members = HTTP.get(f"{f.graph_url}/groups/{c['groupId']}/members", headers=h).json()["value"]
    assert {u["mail"] for u in members} == {CHAMPION, "bob@contoso.com"}


def test_users_by_id_or_upn_and_404(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    h = bearer(engage_tenant.graph_token)
    alice = f.user("alice@contoso.com")
    assert HTTP.get(f"{f.graph_url}/users/alice@contoso.com", headers=h).json()["id"] == alice.graph_id
    assert HTTP.get(f"{f.graph_url}/users/{alice.graph_id}", headers=h).json()["displayName"] == "Alice Martin"
    missing = HTTP.get(f"{f.graph_url}/users/nobody@contoso.com", headers=h)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "Request_ResourceNotFound"
    found = HTTP.get(f"{f.graph_url}/users", params={"$filter": "mail eq 'bob@contoso.com'"}, headers=h).json()["value"]
    assert [u["displayName"] for u in found] == ["Bob Durand"]
    erins = HTTP.get(
        f"{f.graph_url}/users", params={"$filter": "displayName eq 'Erin Moreau'", "$select": "id,mail"}, headers=h
    ).json()["value"]
    assert sorted(u["mail"] for u in erins) == ["erin1@contoso.com", "erin2@contoso.com"]
    assert all(set(u) <= {"id", "mail", "@odata.type"} for u in erins)
    assert HTTP.get(f"{f.graph_url}/users", params={"$filter": "city eq 'Lyon'"}, headers=h).status_code == 400


def test_graph_finds_a_user_by_id_or_upn_not_by_a_mail_that_is_not_the_upn(engage_tenant: EngageTenant):
    """user-get: GET /users/{id | userPrincipalName}; a mail address is found with $filter=mail eq."""
    f = engage_tenant.fake
    u = f.add_user("jeanne.dupont@contoso.com", "Jeanne Dupont", upn="jdupont@contoso.onmicrosoft.com")
    h = bearer(engage_tenant.graph_token)
    assert HTTP.get(f"{f.graph_url}/users/{u.graph_id}", headers=h).json()["mail"] == u.mail
    assert HTTP.get(f"{f.graph_url}/users/jdupont@contoso.onmicrosoft.com", headers=h).json()["id"] == u.graph_id
    assert HTTP.get(f"{f.graph_url}/users/jeanne.dupont@contoso.com", headers=h).status_code == 404
    found = HTTP.get(f"{f.graph_url}/users", params={"$filter": "mail eq 'Jeanne.Dupont@contoso.com'"}, headers=h)
    assert [x["id"] for x in found.json()["value"]] == [u.graph_id]


def test_graph_engage_limit_answers_429_with_retry_after_that_is_enough(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    url, h = f"{f.graph_url}/employeeExperience/communities", bearer(engage_tenant.graph_token)
    statuses = [HTTP.get(url, headers=h).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    throttled = HTTP.get(url, headers=h)
    wait = int(throttled.headers["Retry-After"])
    assert 0 < wait <= 30
    f.clock.advance(wait - 1)
    assert HTTP.get(url, headers=h).status_code == 429
    f.clock.advance(1)
    assert HTTP.get(url, headers=h).status_code == 200
    # Group and user endpoints are not under the Viva Engage limit.
    assert HTTP.get(f"{f.graph_url}/users/{CHAMPION}", headers=h).status_code == 200
    # Per user per app: another user is not throttled.
    other = f.token("bob@contoso.com", "graph")
    assert HTTP.get(url, headers=bearer(other)).status_code == 200


# -- Yammer ------------------------------------------------------------------------------------------


def test_yammer_takes_either_delegated_permission_of_its_resource(engage_tenant: EngageTenant):
    """app-registration names access_as_user; tenants set up from older guides granted user_impersonation:
    both are the Yammer resource's "Read and write to the Yammer platform"; a Graph scope is neither."""
    f = engage_tenant.fake
    url = f"{f.yammer_url}/users/current.json"
    assert HTTP.get(url, headers=bearer(f.token(CHAMPION, "yammer", ["access_as_user"]))).status_code == 200
    f.register_app(f.client_id, {"https://api.yammer.com/user_impersonation"})
    assert HTTP.get(url, headers=bearer(f.token(CHAMPION, "yammer", ["user_impersonation"]))).status_code == 200
    f.register_app(f.client_id, {"https://api.yammer.com/Other.Permission"})
    assert HTTP.get(url, headers=bearer(f.token(CHAMPION, "yammer", ["Other.Permission"]))).status_code == 403


def test_yammer_checks_token_and_required_parameters(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    c = create_community(engage_tenant, "Logistique Lyon")
    gid = community_group_id(c["id"])
    assert HTTP.get(f"{f.yammer_url}/users/current.json").status_code == 401
    assert HTTP.get(f"{f.yammer_url}/users/current.json", headers=bearer(engage_tenant.graph_token)).status_code == 401
    assert post(engage_tenant, group_id=gid).status_code == 400  # no body
    assert post(engage_tenant, body="   ", group_id=gid).status_code == 400
    assert post(engage_tenant, body="Bonjour", group_id=999).status_code == 404
    outsider = f.token("dave@contoso.com", "yammer")
    assert post(engage_tenant, outsider, body="Bonjour", group_id=gid).status_code == 403
    ok = post(engage_tenant, body="Bonjour à tous", group_id=gid)
    assert ok.status_code == 201
    m = ok.json()["messages"][0]
    assert m["group_id"] == gid and m["thread_id"] == m["id"] and m["replied_to_id"] is None
    assert m["sender_id"] == f.user(CHAMPION).yammer_id and m["body"]["plain"] == "Bonjour à tous"
    assert m["created_at"] == "2026/11/25 09:00:45 +0000"  # the fake clock, Yammer's format


def test_replies_join_the_thread_and_mentions_notify(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION], members=["alice@contoso.com"])
    gid = f.community("Qualité").yammer_id
    alice = f.user("alice@contoso.com")
    starter = post(engage_tenant, body=f"Bienvenue [[user:{alice.yammer_id}]] !", group_id=gid).json()["messages"][0]
    assert starter["notified_user_ids"] == [alice.yammer_id] and starter["body"]["plain"] == "Bienvenue @Alice Martin !"
    reply = post(engage_tenant, f.token("alice@contoso.com", "yammer"), body="Merci", replied_to_id=starter["id"]).json()[
        "messages"
    ][0]
    assert reply["thread_id"] == starter["id"] and reply["group_id"] == gid and reply["replied_to_id"] == starter["id"]
    thread = HTTP.get(
        f"{f.yammer_url}/messages/in_thread/{starter['id']}.json", headers=bearer(engage_tenant.yammer_token)
    ).json()
    assert [m["id"] for m in thread["messages"]] == [reply["id"], starter["id"]]
    assert post(engage_tenant, body="?", replied_to_id=1).status_code == 404


def test_private_messages_and_the_network_switch(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    bob = f.user("bob@contoso.com")
    carol = f.user("carol@contoso.com")
    group_dm = post(engage_tenant, body="À vous deux", direct_to_user_ids=f"{bob.yammer_id},{carol.yammer_id}")
    assert group_dm.status_code == 201 and [u.mail for u in f.sent(private=True)[0].participants] == [
        CHAMPION,
        "bob@contoso.com",
        "carol@contoso.com",
    ]
    f.messages.clear()
    r = post(engage_tenant, body="Bonjour Bob", direct_to_user_ids=str(bob.yammer_id))
    assert r.status_code == 201 and r.json()["messages"][0]["direct_message"] is True
    inbox = HTTP.get(f"{f.yammer_url}/messages/private.json", headers=bearer(f.token("bob@contoso.com", "yammer"))).json()
    assert [m["body"]["plain"] for m in inbox["messages"]] == ["Bonjour Bob"]
    carol_inbox = HTTP.get(f"{f.yammer_url}/messages/private.json", headers=bearer(f.token("carol@contoso.com", "yammer"))).json()
    assert carol_inbox["messages"] == []
    f.set_private_messages(False)
    refused = post(engage_tenant, body="Bonjour encore", direct_to_user_ids=str(bob.yammer_id))
    assert refused.status_code == 403 and "disabled" in refused.json()["response"]["message"]
    assert len(f.sent(private=True)) == 1


def test_feeds_page_by_20_with_older_than_and_newer_than(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION])
    seeded = [f.add_message(CHAMPION, f"message {i}", community="Qualité", at=f.clock.now() + i) for i in range(45)]
    gid = f.community("Qualité").yammer_id
    url, h = f"{f.yammer_url}/messages/in_group/{gid}.json", bearer(engage_tenant.yammer_token)
    seen, older, pages = [], None, []
    with f.without_limits():
        while True:
            page = HTTP.get(url, params={"older_than": older} if older else {}, headers=h).json()
            pages.append(len(page["messages"]))
            seen += [m["id"] for m in page["messages"]]
            if not page["meta"]["older_available"]:
                break
            older = page["messages"][-1]["id"]
        assert pages == [20, 20, 5]
        assert seen == sorted((m.id for m in seeded), reverse=True)
        newer = HTTP.get(url, params={"newer_than": seeded[40].id}, headers=h).json()
        assert [m["body"]["plain"] for m in newer["messages"]] == [f"message {i}" for i in (44, 43, 42, 41)]
        # More than a page newer than the checkpoint: the newest 20 come first, older_available says more remain.
        gap = HTTP.get(url, params={"newer_than": seeded[0].id}, headers=h).json()
        assert len(gap["messages"]) == 20 and gap["meta"]["older_available"] is True
        assert HTTP.get(url, params={"older_than": "abc"}, headers=h).status_code == 400


def test_threaded_feed_and_the_reply_cap(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION])
    starter = f.add_message(CHAMPION, "Question ?", community="Qualité")
    for i in range(5):
        f.add_message("alice@contoso.com", f"réponse {i}", reply_to=starter)
    gid = f.community("Qualité").yammer_id
    url, h = f"{f.yammer_url}/messages/in_group/{gid}.json", bearer(engage_tenant.yammer_token)
    assert [m["id"] for m in HTTP.get(url, params={"threaded": "true"}, headers=h).json()["messages"]] == [starter.id]
    ext = HTTP.get(url, params={"threaded": "extended"}, headers=h).json()
    assert [m["body"]["plain"] for m in ext["threaded_extended"][str(starter.id)]] == ["réponse 4", "réponse 3"]
    assert len(HTTP.get(url, headers=h).json()["messages"]) == 6
    f.feed_reply_cap = 2  # the "subset" the docs warn of: long threads are cut in feeds
    assert len(HTTP.get(url, headers=h).json()["messages"]) == 3
    assert len(HTTP.get(f"{f.yammer_url}/messages/in_thread/{starter.id}.json", headers=h).json()["messages"]) == 6


def test_likes_users_and_groups(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION], members=["alice@contoso.com", "bob@contoso.com"])
    m = f.add_message("alice@contoso.com", "Photo du jour", community="Qualité")
    h = bearer(engage_tenant.yammer_token)
    assert HTTP.post(f"{f.yammer_url}/messages/liked_by/current.json", params={"message_id": m.id}, headers=h).status_code == 201
    got = HTTP.get(f"{f.yammer_url}/messages/{m.id}.json", headers=h).json()["messages"][0]
    assert got["liked_by"]["count"] == 1 and got["liked_by"]["names"][0]["user_id"] == f.user(CHAMPION).yammer_id
    assert (
        HTTP.delete(f"{f.yammer_url}/messages/liked_by/current.json", params={"message_id": m.id}, headers=h).status_code == 200
    )
    assert m.liked_by == []
    found = HTTP.get(f"{f.yammer_url}/users/by_email.json", params={"email": "Bob@Contoso.com"}, headers=h)
    assert [u["full_name"] for u in found.json()] == ["Bob Durand"]
    assert HTTP.get(f"{f.yammer_url}/users/by_email.json", params={"email": "nobody@contoso.com"}, headers=h).status_code == 404
    assert HTTP.get(f"{f.yammer_url}/users/by_email.json", headers=h).status_code == 400
    assert len(HTTP.get(f"{f.yammer_url}/users.json", headers=h).json()) == len(f.users) == 8
    gid = f.community("Qualité").yammer_id
    people = HTTP.get(f"{f.yammer_url}/users/in_group/{gid}.json", headers=h).json()
    assert sorted(u["email"] for u in people["users"]) == ["alice@contoso.com", "bob@contoso.com", CHAMPION]
    group = HTTP.get(f"{f.yammer_url}/groups/{gid}.json", headers=h).json()
    assert group["stats"]["members"] == 3 and group["stats"]["last_message_id"] == m.id
    assert HTTP.get(f"{f.yammer_url}/groups/12.json", headers=h).status_code == 404


def test_yammer_limits_are_per_user_per_app_and_block_every_endpoint(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION])
    gid = f.community("Qualité").yammer_id
    h = bearer(engage_tenant.yammer_token)
    for i in range(10):
        assert post(engage_tenant, body=f"n°{i}", group_id=gid).status_code == 201
    assert post(engage_tenant, body="one too many", group_id=gid).status_code == 429
    # Exceeding the messages limit makes every endpoint answer 429, not only messages.
    assert HTTP.get(f"{f.yammer_url}/users/current.json", headers=h).status_code == 429
    assert HTTP.get(f"{f.yammer_url}/users/current.json", headers=bearer(f.token("bob@contoso.com", "yammer"))).status_code == 200
    f.clock.advance(30)
    assert post(engage_tenant, body="after the window", group_id=gid).status_code == 201
    assert len(f.sent(community="Qualité")) == 11 and f.throttled("yammer") == 2


def test_polling_a_feed_more_than_a_few_times_a_minute_is_blocked(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION])
    m = f.add_message(CHAMPION, "x", community="Qualité")
    url, h = f"{f.yammer_url}/messages/in_group/{f.community('Qualité').yammer_id}.json", bearer(engage_tenant.yammer_token)
    codes = []
    for _ in range(4):
        codes.append(HTTP.get(url, params={"newer_than": m.id}, headers=h).status_code)
        f.clock.advance(5)
    assert codes == [200, 200, 200, 429]
    f.clock.advance(60)
    assert HTTP.get(url, params={"newer_than": m.id}, headers=h).status_code == 200


def test_data_export_is_for_verified_admins_and_zips_csv_since_a_date(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION], members=["alice@contoso.com"])
    t0 = f.clock.now()
    old = f.add_message(CHAMPION, "ancien", community="Qualité", at=t0)
    f.clock.advance(86400)
    new = f.add_message("alice@contoso.com", "nouveau, avec une virgule", community="Qualité")
    f.add_message("alice@contoso.com", "réponse", reply_to=new)
    f.add_message(CHAMPION, "privé", direct_to=["bob@contoso.com"])
    f.clock.advance(1)  # until defaults to now, and ranges are [since, until)
    url = f"{f.yammer_url}/export"
    since = "2026-11-26T00:00:00+00:00"
    champion = bearer(f.token(CHAMPION, "yammer"))  # a fresh token: the day that passed outlived the first
    assert HTTP.get(url, params={"since": since}, headers=champion).status_code == 403
    admin = bearer(f.token(ADMIN, "yammer"))
    assert HTTP.get(url, headers=admin).status_code == 400
    r = HTTP.get(url, params=[("since", since), ("model", "Message"), ("model", "User"), ("include", "csv")], headers=admin)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert sorted(z.namelist()) == ["Messages.csv", "Users.csv"]
    rows = list(csv.DictReader(io.StringIO(z.read("Messages.csv").decode())))
    # the columns Microsoft's export page names (message, thread, group, GDPR deletion URL, privacy, sender, body...)
    assert {"id", "thread_id", "group_id", "group_name", "gdpr_delete_url", "in_private_group", "sender_id"} <= set(rows[0])
    assert {"sender_name", "sender_email", "body", "attachments", "created_at", "deleted_at"} <= set(rows[0])
    assert [r["body"] for r in rows] == ["nouveau, avec une virgule", "réponse", "privé"]
    assert str(old.id) not in {r["id"] for r in rows}
    assert rows[1]["thread_id"] == rows[0]["id"] == rows[1]["replied_to_id"]
    assert rows[2]["in_private_conversation"] == "true"
    assert rows[2]["participants"] == f"user:{f.user(CHAMPION).yammer_id},user:{f.user('bob@contoso.com').yammer_id}"
    assert rows[0]["sender_email"] == "alice@contoso.com" and rows[0]["group_id"] == str(f.community("Qualité").yammer_id)


def test_fault_injection_and_the_request_log(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.fail_next(r"/users/current\.json", status=503, service="yammer")
    url, h = f"{f.yammer_url}/users/current.json", bearer(engage_tenant.yammer_token)
    assert [HTTP.get(url, headers=h).status_code for _ in range(2)] == [503, 200]
    assert [r.status for r in f.requests("yammer", path="current")] == [503, 200]
    assert f.requests("yammer")[0].user == CHAMPION


def test_clock_time_scale(tmp_path):
    from tests.fakes.engage import FakeClock

    clock = FakeClock(time_scale=0)
    t = clock.now()
    clock.sleep(12.5)
    assert clock.now() == t + 12.5
    fast = FakeClock(time_scale=1000)
    a = fast.now()
    import time

    time.sleep(0.05)
    assert fast.now() - a >= 40
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_engage_fake_fixture_starts_empty(engage_fake: FakeEngage):
    assert engage_fake.users == [] and engage_fake.groups == []
    assert engage_fake.graph_url.endswith("/v1.0") and engage_fake.yammer_url.endswith("/api/v1")
    assert engage_fake.authority.startswith("https://127.0.0.1:")


def test_deleted_messages_leave_the_feeds_and_show_in_the_export(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION], members=["alice@contoso.com"])
    m = f.add_message("alice@contoso.com", "oups", community="Qualité")
    gid = f.community("Qualité").yammer_id
    h = bearer(engage_tenant.yammer_token)
    assert HTTP.delete(f"{f.yammer_url}/messages/{m.id}", headers=bearer(f.token("bob@contoso.com", "yammer"))).status_code == 403
    assert HTTP.delete(f"{f.yammer_url}/messages/{m.id}", headers=h).status_code == 200  # a community admin may
    assert HTTP.get(f"{f.yammer_url}/messages/in_group/{gid}.json", headers=h).json()["messages"] == []
    f.clock.advance(1)
    z = zipfile.ZipFile(
        io.BytesIO(
            HTTP.get(
                f"{f.yammer_url}/export", params={"since": "2026-01-01T00:00:00Z"}, headers=bearer(f.token(ADMIN, "yammer"))
            ).content
        )
    )
    row = next(r for r in csv.DictReader(io.StringIO(z.read("Messages.csv").decode())) if r["id"] == str(m.id))
    assert row["deleted_at"] and row["deleted_by_id"] == str(f.user(CHAMPION).yammer_id)


def test_joining_and_leaving_through_yammer(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Ouverte", owners=[CHAMPION])
    f.add_community("Fermée", owners=[CHAMPION], privacy="private")
    dave = bearer(f.token("dave@contoso.com", "yammer"))
    url = f"{f.yammer_url}/group_memberships.json"
    assert HTTP.post(url, data={"group_id": f.community("Ouverte").yammer_id}, headers=dave).status_code == 201
    assert HTTP.post(url, data={"group_id": f.community("Fermée").yammer_id}, headers=dave).status_code == 403
    assert "dave@contoso.com" in f.members("Ouverte")
    mine = HTTP.get(f"{f.yammer_url}/groups/for_user/{f.user('dave@contoso.com').yammer_id}.json", headers=dave).json()
    assert sorted(g["full_name"] for g in mine) == ["All Company", "Ouverte"]
    assert HTTP.request("DELETE", url, params={"group_id": f.community("Ouverte").yammer_id}, headers=dave).status_code == 200
    assert "dave@contoso.com" not in f.members("Ouverte")
    # Only an admin adds someone else.
    assert (
        HTTP.post(
            url,
            data={"group_id": f.community("Fermée").yammer_id, "email": "dave@contoso.com"},
            headers=bearer(engage_tenant.yammer_token),
        ).status_code
        == 201
    )
    assert "dave@contoso.com" in f.members("Fermée")


def test_a_client_pacing_at_the_documented_limit_is_never_throttled(engage_tenant: EngageTenant):
    f = engage_tenant.fake
    f.add_community("Qualité", owners=[CHAMPION])
    gid = f.community("Qualité").yammer_id
    start = f.clock.now()
    for i in range(25):
        if i and i % 10 == 0:
            f.clock.sleep(30)  # 10 requests, then the 30-second window
        assert post(engage_tenant, body=f"n°{i}", group_id=gid).status_code == 201
    assert f.throttled() == 0 and f.clock.now() - start == 60


def test_apis_over_tls_and_the_message_hook(tmp_path):
    seen = []
    with FakeEngage(tmp_path, time_scale=0, tls_apis=True) as f:
        f.add_user(CHAMPION, "Camille Martin")
        f.add_community("Qualité", owners=[CHAMPION])
        f.on_message.append(lambda m: seen.append(m.body))
        assert f.yammer_url.startswith("https://")
        with httpx.Client(verify=ctx(f)) as client:
            r = client.post(
                f"{f.yammer_url}/messages.json",
                json={"body": "via TLS", "group_id": f.community("Qualité").yammer_id},
                headers=bearer(f.token(CHAMPION, "yammer")),
            )
        assert r.status_code == 201 and seen == ["via TLS"]
