"""The Matrix connector against a real Synapse: people, events, idempotent sends."""

from __future__ import annotations

import httpx
import pytest

from rse_cli.config import Settings
from rse_cli.domain import EventKind
from rse_cli.errors import AmbiguousError, NotFoundError
from rse_cli.network.base import Message, Network
from rse_cli.network.matrix import MatrixNetwork, slug
from tests.conftest import unique


def connector(homeserver, token=None, user=None) -> MatrixNetwork:
    settings = Settings(homeserver=homeserver.url, user=user or homeserver.admin)
    return MatrixNetwork.from_settings(settings, token=token or homeserver.admin_token)


def test_it_is_a_network():
    assert isinstance(MatrixNetwork.__new__(MatrixNetwork), Network)


def test_slug_ignores_case_accents_and_punctuation():
    assert slug("Général & Co !") == "general-co"
    assert slug("Ventes  Ouest") == "ventes-ouest"


def test_resolve_people_by_id_email_and_name(homeserver):
    net = connector(homeserver)
    assert net.resolve_person(homeserver.users["bob"]).display_name == "Bob Durand"
    assert net.resolve_person("@bob").id == homeserver.users["bob"]
    assert net.resolve_person("alice@example.org").id == homeserver.users["alice"]
    assert net.resolve_person("carol petit").id == homeserver.users["carol"]
    with pytest.raises(AmbiguousError, match="@erin1:rse.test, @erin2:rse.test"):
        net.resolve_person("Erin Moreau")
    with pytest.raises(NotFoundError, match="@zed:rse.test"):
        net.resolve_person("@zed:rse.test")
    with pytest.raises(NotFoundError, match="nobody"):
        net.resolve_person("Nobody Here")


def test_email_lookup_needs_an_admin(homeserver):
    net = connector(homeserver, token=homeserver.token("bob"), user=homeserver.users["bob"])
    with pytest.raises(NotFoundError, match="needs a Synapse admin"):
        net.resolve_person("alice@example.org")


def test_same_txn_id_never_posts_twice(homeserver):
    net = connector(homeserver)
    community = net.create_community("Txn", alias=unique("txn"), topic=None)
    room = net.add_room(community, "Général")
    a = net.send(room.id, Message("une fois"), "rse.test.same")
    b = net.send(room.id, Message("une fois"), "rse.test.same")
    assert a.event_id == b.event_id


def test_events_are_mapped_and_resumable(homeserver):
    net = connector(homeserver)
    community = net.create_community("Events", alias=unique("ev"), topic=None)
    room = net.add_room(community, "Général")
    root = net.send(room.id, Message("Qui connaît l'outil X ?"), "t1").event_id
    base = f"/_matrix/client/v3/rooms/{room.id}/send"
    homeserver.api(
        "PUT",
        f"{base}/m.room.message/t2",
        json={"msgtype": "m.text", "body": "Moi !", "m.relates_to": {"m.in_reply_to": {"event_id": root}}},
    )
    homeserver.api(
        "PUT",
        f"{base}/m.room.message/t3",
        json={"msgtype": "m.text", "body": "dans le fil", "m.relates_to": {"rel_type": "m.thread", "event_id": root}},
    )
    homeserver.api(
        "PUT", f"{base}/m.reaction/t4", json={"m.relates_to": {"rel_type": "m.annotation", "event_id": root, "key": "👍"}}
    )

    pages = list(net.iter_events(room.id, page_size=3))
    assert len(pages) > 1 and pages[-1].done
    events = [e for p in pages for e in p.events]
    kinds = [e.kind for e in events if e.kind is not EventKind.membership]
    assert kinds == [EventKind.post, EventKind.reply, EventKind.thread, EventKind.reaction]
    by_kind = {e.kind: e for e in events}
    assert by_kind[EventKind.reply].parent_id == root
    assert by_kind[EventKind.thread].thread_root == root
    assert by_kind[EventKind.reaction].key == "👍" and by_kind[EventKind.reaction].parent_id == root
    assert any(e.kind is EventKind.membership and e.target == homeserver.admin for e in events)

    # resuming from the last checkpoint yields only what is new
    checkpoint = pages[-1].checkpoint
    net.send(room.id, Message("nouveau"), "t5")
    new = [e for p in net.iter_events(room.id, since=checkpoint) for e in p.events]
    ids = {e.id for e in events}
    assert [e.body for e in new if e.id not in ids] == ["nouveau"]


def test_links_open_in_a_matrix_client(homeserver):
    net = connector(homeserver)
    net.whoami()
    assert net.link("!abc", "$ev") == "https://matrix.to/#/!abc/$ev?via=rse.test"
    assert net.link("@bob:rse.test") == "https://matrix.to/#/@bob:rse.test"  # people need no via


def test_offline_links_match_the_connector(homeserver):
    from rse_cli.network.base import link_builder

    build = link_builder(Settings(homeserver=homeserver.url, user=homeserver.admin))
    net = connector(homeserver)
    net.whoami()
    for args in (("!abc",), ("!abc", "$ev"), ("@bob:rse.test",)):
        assert build(*args) == net.link(*args)


# -- what moved into the connector: its settings table, sign-in, addressing -------------------


def test_levels_and_links_come_from_the_matrix_table(homeserver):
    from rse_cli.domain import Role

    settings = Settings(
        homeserver=homeserver.url,
        user=homeserver.admin,
        matrix={"animator_level": 40, "moderator_level": 60, "client_url": "https://chat.example.org/#/room/"},
    )
    net = MatrixNetwork.from_settings(settings, token=homeserver.admin_token)
    community = net.create_community("Niveaux", alias=unique("lvl"), topic=None)
    bob, carol = homeserver.users["bob"], homeserver.users["carol"]
    for person, role in ((bob, Role.animator), (carol, Role.moderator)):
        net.invite(community, person)
        assert net.set_role(community, person, role)
    levels = homeserver.api("GET", f"/_matrix/client/v3/rooms/{community.id}/state/m.room.power_levels/")["users"]
    assert (levels[bob], levels[carol]) == (40, 60)  # read back from the server, not from rse
    roles = {m.id: (m.role, m.power) for m in net.list_members(community)}
    assert roles[bob] == (Role.animator, 40) and roles[carol] == (Role.moderator, 60)
    net.whoami()
    assert net.link(community.id).startswith(f"https://chat.example.org/#/room/{community.id}")


def test_login_takes_a_bare_name_and_reuses_only_its_own_device(homeserver):
    from tests.conftest import PASSWORD

    settings = Settings(homeserver=homeserver.url, user=homeserver.users["dave"])
    first = MatrixNetwork.from_settings(settings).login("dave", PASSWORD)
    assert first.user_id == homeserver.users["dave"] and first.settings == {"device_id": first.device_id}
    kept = Settings(homeserver=homeserver.url, user=homeserver.users["dave"], matrix={"device_id": first.device_id})
    again = MatrixNetwork.from_settings(kept).login(homeserver.users["dave"], PASSWORD)
    assert again.device_id == first.device_id  # same device: the server keeps deduplicating txn ids
    other = MatrixNetwork.from_settings(kept).login("carol", PASSWORD)
    assert other.user_id == homeserver.users["carol"] and other.device_id != first.device_id  # never another's device
    devices = homeserver.api("GET", "/_matrix/client/v3/devices", token=again.token)["devices"]
    assert first.device_id in {d["device_id"] for d in devices}


def test_the_connector_declares_synapse_limits_and_the_addressing():
    from rse_cli.network.base import Structure, capabilities

    settings = Settings(user="@champion:example.org")
    caps = capabilities(settings)
    assert caps.structure is Structure.rooms and caps.server_idempotency and caps.rate_limits.dm_creates_room
    # 200 welcome DMs at Synapse's defaults: bound by room creation (MATRIX-NOTES)
    assert 3.2 * 3600 < caps.rate_limits.seconds(invitations=200, messages=200, room_creations=200) < 3.4 * 3600
    from rse_cli.network.base import addressing

    a = addressing(settings)
    assert a.alias_ref("ventes-ouest") == "#ventes-ouest" and a.short_name("@marc:example.org") == "marc"
    assert a.community_key("#Ventes-Ouest:example.org") == a.community_key("ventes-ouest") == "ventes-ouest"
    # a manifest's alias as Matrix clients show it, with or without the server, is the bare one rse creates
    assert (
        a.bare_alias("#ventes-ouest:example.org")
        == a.bare_alias("#ventes-ouest")
        == a.bare_alias("ventes-ouest")
        == "ventes-ouest"
    )
    assert a.bare_alias("ventes:other.org") == "ventes" and a.bare_alias("Ventes") == "Ventes"  # the manifest checks the case


# -- no orphan rooms: what rse created is recognised from the server alone -----------------------


class LosesAnswers(httpx.BaseTransport):
    """A real connection to Synapse that drops the answer to the first `times` createRoom requests
    after the server processed them (as a proxy timing out or a dropped connection would)."""

    def __init__(self, times: int = 1, *, gateway: bool = False) -> None:
        self.inner = httpx.HTTPTransport()
        self.times = times
        self.gateway = gateway  # answer 504 as a reverse proxy would, instead of dropping the connection
        self.lost: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/createRoom") and len(self.lost) < self.times:
            response.read()
            self.lost.append(response.json().get("room_id", ""))
            response.close()
            if self.gateway:
                return httpx.Response(504, text="<html>Gateway Time-out</html>", request=request)
            raise httpx.ReadTimeout("the answer never arrived", request=request)
        return response


def lossy(homeserver, times: int = 1, *, gateway: bool = False) -> tuple[MatrixNetwork, LosesAnswers]:
    transport = LosesAnswers(times, gateway=gateway)
    settings = Settings(homeserver=homeserver.url, user=homeserver.admin)
    return MatrixNetwork.from_settings(settings, token=homeserver.admin_token, transport=transport), transport


def rooms_with(homeserver, person: str) -> list[str]:
    """The admin's joined rooms where `person` is invited or joined, read from the server."""
    from urllib.parse import quote

    joined = homeserver.api("GET", "/_matrix/client/v3/joined_rooms")["joined_rooms"]
    out = []
    for room in joined:
        try:
            member = homeserver.api("GET", f"/_matrix/client/v3/rooms/{quote(room)}/state/m.room.member/{quote(person)}")
        except httpx.HTTPStatusError:
            continue
        if member.get("membership") in {"invite", "join"}:
            out.append(room)
    return out


def room_name(homeserver, room_id: str) -> str | None:
    try:
        return homeserver.api("GET", f"/_matrix/client/v3/rooms/{room_id}/state/m.room.name/").get("name")
    except httpx.HTTPStatusError:
        return None


def fresh_person(homeserver, tag: str) -> str:
    return homeserver.server.register_user(unique(tag).replace("-", ""), "pw-x", displayname="Personne Test")


@pytest.mark.parametrize("gateway", [False, True], ids=["dropped", "proxy-504"])
def test_a_direct_room_whose_create_answer_was_lost_is_adopted(homeserver, gateway):
    person = fresh_person(homeserver, "lostdm")
    net, transport = lossy(homeserver, gateway=gateway)
    room = net.direct_room(person)
    net.close()  # as a run ends: every conversation it opened is listed in m.direct
    assert transport.lost == [room]  # the server did create it; rse adopted that very room
    assert rooms_with(homeserver, person) == [room]
    direct = homeserver.api("GET", f"/_matrix/client/v3/user/{homeserver.admin}/account_data/m.direct")
    assert direct[person] == [room]
    assert connector(homeserver).direct_room(person) == room  # and a later run uses it


def test_a_direct_room_missing_from_m_direct_is_adopted(homeserver):
    """A run killed between createRoom and its m.direct record: the next one finds the room by its mark."""
    person = fresh_person(homeserver, "orphan")
    first = connector(homeserver)
    room = first.direct_room(person)
    first.close()
    path = f"/_matrix/client/v3/user/{homeserver.admin}/account_data/m.direct"
    direct = homeserver.api("GET", path)
    direct.pop(person)
    homeserver.api("PUT", path, json=direct)  # as if the run had died before writing it
    second = connector(homeserver)
    assert second.direct_room(person) == room
    second.close()
    assert rooms_with(homeserver, person) == [room]
    assert homeserver.api("GET", path)[person] == [room]


def test_communities_and_rooms_whose_create_answer_was_lost_are_adopted(homeserver):
    net, transport = lossy(homeserver, times=3)
    name = unique("Perdue")
    community = net.create_community(name, alias=unique("lost"), topic=None)
    anonymous = net.create_community(name + " sans alias", topic=None)  # found by its mark alone
    room = net.add_room(community, "Général")
    assert transport.lost == [community.id, anonymous.id, room.id]
    joined = homeserver.api("GET", "/_matrix/client/v3/joined_rooms")["joined_rooms"]
    names = [room_name(homeserver, r) for r in joined]
    assert names.count(name) == names.count(name + " sans alias") == 1
    assert [r.id for r in net.get_community(community.id).rooms] == [room.id]


class Counting(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        return self.inner.handle_request(request)


def test_the_look_for_unrecorded_rooms_is_done_once_per_run(homeserver):
    """Bulk onboarding stays fast: the joined rooms are read once, each room's creation at most once."""
    transport = Counting()
    net = MatrixNetwork.from_settings(
        Settings(homeserver=homeserver.url, user=homeserver.admin), token=homeserver.admin_token, transport=transport
    )
    people = [fresh_person(homeserver, "once") for _ in range(4)]
    rooms = [net.direct_room(p) for p in people]
    assert len(set(rooms)) == 4 and [net.direct_room(p) for p in people] == rooms
    assert transport.paths.count("GET /_matrix/client/v3/joined_rooms") == 1
    creates = [p for p in transport.paths if p.endswith("/state/m.room.create/")]
    assert len(creates) == len(set(creates))  # no room's creation read twice
    direct_reads = [p for p in transport.paths if p.startswith("GET") and p.endswith("/account_data/m.direct")]
    assert len(direct_reads) <= 1 + len(people)  # once to look, then once per merge before a write


def test_a_conversation_is_listed_in_m_direct_before_anything_is_sent_in_it(homeserver):
    """m.direct is written in the background, but a message never reaches a room it does not list
    yet: a run killed right after the send leaves a conversation the next run finds."""
    net = connector(homeserver)
    path = f"/_matrix/client/v3/user/{homeserver.admin}/account_data/m.direct"
    people = [fresh_person(homeserver, "listed") for _ in range(3)]
    for i, person in enumerate(people):
        room = net.direct_room(person)
        net.send(room, Message(f"Bienvenue {i}"), f"txn-listed-{i}")
        assert homeserver.api("GET", path)[person] == [room]  # read before close(): already there
    net.close()


def test_m_direct_writes_gather_the_conversations_being_opened_and_no_more(homeserver, monkeypatch):
    """The m.direct writer gathers the conversations opened side by side into one write, but stops
    gathering as soon as nobody is opening one: a lone welcome (or the last ones of a bulk run) is
    not held back for the gathering time, which here is made a minute long."""
    from concurrent.futures import ThreadPoolExecutor

    from rse_cli.network.matrix import messages

    monkeypatch.setattr(messages, "COALESCE_SECONDS", 60)
    transport = Counting()
    net = MatrixNetwork.from_settings(
        Settings(homeserver=homeserver.url, user=homeserver.admin, concurrency=8),
        token=homeserver.admin_token,
        transport=transport,
    )
    path = f"/_matrix/client/v3/user/{homeserver.admin}/account_data/m.direct"
    people = [fresh_person(homeserver, "side") for _ in range(6)]
    net.direct_room(fresh_person(homeserver, "warm"))  # the once-a-run reads, out of the way

    def welcome(i: int) -> str:
        room = net.direct_room(people[i])
        net.send(room, Message(f"Bienvenue {i}"), f"txn-side-{i}")
        return room

    with ThreadPoolExecutor(6) as pool:
        done = pool.map(welcome, range(6), timeout=20)  # each send waits for the write listing its room
        rooms = list(done)
    writes = transport.paths.count(f"PUT {path}")
    assert 1 <= writes <= 3  # 7 conversations (the first one's write had nobody to wait for)
    direct = homeserver.api("GET", path)
    assert [direct[p] for p in people] == [[r] for r in rooms]

    with ThreadPoolExecutor(1) as pool:  # alone: listed and sent without waiting out the 60 s
        assert pool.submit(welcome, 0).result(timeout=20) == rooms[0]
        lone = fresh_person(homeserver, "lone")
        room = pool.submit(net.direct_room, lone).result(timeout=20)
        pool.submit(net.send, room, Message("Bienvenue"), "txn-lone").result(timeout=20)
    assert homeserver.api("GET", path)[lone] == [room]
    net.close()


def test_the_look_for_unrecorded_rooms_skips_the_conversations_m_direct_lists(homeserver):
    """A champion's past welcomes are listed in m.direct: the next run's look for an unlisted room
    of rse's (a run killed before recording it) reads none of them, so its cost does not grow with
    every person ever welcomed."""
    earlier = [fresh_person(homeserver, "past") for _ in range(3)]
    first = connector(homeserver)
    past_rooms = [first.direct_room(p) for p in earlier]
    first.close()
    other = connector(homeserver).create_community(unique("Pas une conversation"), topic=None)  # unlisted: looked at
    transport = Counting()
    net = MatrixNetwork.from_settings(
        Settings(homeserver=homeserver.url, user=homeserver.admin), token=homeserver.admin_token, transport=transport
    )
    newcomer = fresh_person(homeserver, "new")
    room = net.direct_room(newcomer)
    net.close()
    read = {p.split("/rooms/")[1].split("/state/")[0] for p in transport.paths if p.endswith("/state/m.room.create/")}
    assert other.id in read and not read & set(past_rooms)
    assert room not in past_rooms and connector(homeserver).direct_room(newcomer) == room


def test_many_people_are_found_in_the_accounts_list_and_the_rest_one_by_one(homeserver):
    """Issue 15: onboarding 40 people, 4 in flight, is 10 rounds of profile reads; a Synapse admin
    reads the accounts' list instead (one request here). What it answers is what a lookup says;
    a deactivated account and an unknown id still get their own lookup and its "not found"."""
    from urllib.parse import quote

    from rse_cli.services.resolve import resolve_people

    tag = unique("annuaire").replace("-", "")
    ids = [f"@{tag}{i}:{homeserver.server.server_name}" for i in range(40)]
    for i, uid in enumerate(ids):
        homeserver.api("PUT", f"/_synapse/admin/v2/users/{quote(uid)}", json={"displayname": f"Personne {i}"})
    gone = ids[7]
    homeserver.api("POST", f"/_synapse/admin/v1/deactivate/{quote(gone)}", json={"erase": False})
    unknown = f"@{tag}personne:{homeserver.server.server_name}"
    transport = Counting()
    net = MatrixNetwork.from_settings(
        Settings(homeserver=homeserver.url, user=homeserver.admin, concurrency=4),
        token=homeserver.admin_token,
        transport=transport,
    )
    refs = [*ids[:20], ids[20].split(":")[0], *ids[21:], unknown]  # one written without its server
    found = resolve_people(net, refs)
    assert transport.paths.count("GET /_synapse/admin/v2/users") == 1
    looked_up = sorted(p.split("/profile/")[1] for p in transport.paths if "/profile/" in p)
    assert looked_up == sorted([gone, unknown])
    assert isinstance(found[unknown], str) and "no such person" in found[unknown]
    alone = connector(homeserver)  # the same refs, one lookup each: the same answers
    for ref in refs:
        try:
            expected = alone.resolve_person(ref)
        except NotFoundError as exc:
            expected = exc.message
        assert found[ref] == expected, ref
    assert found[ids[20].split(":")[0]].id == ids[20] and found[ids[3]].display_name == "Personne 3"
    few = MatrixNetwork.from_settings(Settings(homeserver=homeserver.url, user=homeserver.admin), token=homeserver.admin_token)
    assert few.find_people(ids[:8]) == {}  # one round of lookups: the list would not be cheaper


def test_people_are_looked_up_one_by_one_when_the_admin_list_is_closed(homeserver):
    """A reverse proxy that does not pass /_synapse/admin/v2/users (404): rse looks each person up."""

    class ClosedList(Counting):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.path == "/_synapse/admin/v2/users":
                self.paths.append("closed")
                return httpx.Response(404, json={"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
            return super().handle_request(request)

    from rse_cli.services.resolve import resolve_people

    people = [fresh_person(homeserver, "ferme") for _ in range(5)]
    transport = ClosedList()
    net = MatrixNetwork.from_settings(
        Settings(homeserver=homeserver.url, user=homeserver.admin, concurrency=1),
        token=homeserver.admin_token,
        transport=transport,
    )
    found = resolve_people(net, people)
    assert transport.paths.count("closed") == 1
    assert sum("/profile/" in p for p in transport.paths) == 5
    assert [found[p].id for p in people] == people
