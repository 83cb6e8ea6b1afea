"""Against Synapse's *default* rate limits (0.2 messages/s, burst 10; invites share that bucket):
a burst of 30 invitations and messages completes, paced by 429 answers, with no error and no
duplicate. Slow by nature (~2 minutes): the limits are the point."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from rse_cli.config import Settings
from rse_cli.network.matrix import MatrixNetwork
from rse_cli.services.posting import post
from rse_cli.store import Store
from tests.conftest import PASSWORD, Rse, unique

pytestmark = pytest.mark.default_limits


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    from rse_cli.sandbox.server import SynapseServer, synapse_available

    if not synapse_available():
        pytest.skip("matrix-synapse is not installed")
    srv = SynapseServer(tmp_path_factory.mktemp("limited"), default_rate_limits=True)
    srv.start()
    champ = srv.register_user("champ", PASSWORD, displayname="Champion Ordinaire")
    people = [srv.register_user(f"p{i:02d}", PASSWORD) for i in range(15)]
    yield srv, champ, people
    srv.stop()


def test_burst_of_30_invites_and_messages_is_paced_not_failed(limited, isolated, monkeypatch):
    from typer.testing import CliRunner

    srv, champ, people = limited
    token = srv.login("champ", PASSWORD)["access_token"]
    monkeypatch.setenv("RSE_HOMESERVER", srv.url)
    monkeypatch.setenv("RSE_USER", champ)
    monkeypatch.setenv("RSE_TOKEN", token)
    rse = Rse(isolated, CliRunner())
    alias = unique("limits")
    rse("community", "create", "Limites", "--alias", alias, "--room", "Général")

    # 15 invitations through the CLI, one after the other
    added = rse.json("member", "add", alias, *people)
    assert [a["action"] for a in added] == ["invited"] * 15

    # 15 messages from 4 threads at once: concurrency must not turn into failures
    settings = Settings(homeserver=srv.url, user=champ, concurrency=4)
    net = MatrixNetwork.from_settings(settings, token=token)
    store = Store(str(isolated / "data" / "rse.db"))
    with ThreadPoolExecutor(4) as pool:
        sent = list(pool.map(lambda i: post(net, store, f"{alias}/Général", f"Message numéro {i}"), range(15)))
    assert all(s.sent for s in sent)
    assert net.http.stats["rate_limited"] > 0, "the default limits should have been met"

    space = json.loads(rse("community", "show", alias, "--json").stdout)["community"]
    members = srv_api(srv, token, f"/_matrix/client/v3/rooms/{quote(space['id'])}/members")["chunk"]
    invited = sorted(m["state_key"] for m in members if m["content"]["membership"] == "invite")
    assert invited == sorted(people)
    room_id = space["rooms"][0]["id"]
    msgs = srv_api(srv, token, f"/_matrix/client/v3/rooms/{quote(room_id)}/messages?dir=b&limit=100")["chunk"]
    bodies = [m["content"]["body"] for m in msgs if m["type"] == "m.room.message"]
    assert sorted(bodies) == sorted(f"Message numéro {i}" for i in range(15))  # each once
    assert all(e["outcome"] != "failed" for e in rse.json("journal", "--limit", "200"))


def srv_api(srv, token, path):
    import httpx

    r = httpx.get(srv.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    r.raise_for_status()
    return r.json()
