"""Every connector: sends once per transaction id (or finds what it sent, where the server does not
deduplicate), reuses direct conversations, and reads events page by page from a checkpoint,
mapped onto rse's EventKind."""

from __future__ import annotations

import time

import pytest

from rse_cli.domain import EventKind, Message
from rse_cli.network import base
from tests.network.conformance.drivers import talk_room, unique


def community_with_room(net):
    community = net.network.create_community(unique("Fil"), alias=unique("fil"), topic=None)
    if net.caps.structure is base.Structure.rooms:
        net.network.add_room(community, "Général")
    community = net.network.get_community(community.id)
    return community, talk_room(community, net.caps)


def test_sends_once_under_a_repeated_transaction_id(net):
    _, room = community_with_room(net)
    since_ms = int(time.time() * 1000) - 1000
    message = Message(f"Bonjour à tous {unique('m')}")
    txn = unique("txn")
    first = net.network.send(room, message, txn)
    assert first.event_id and first.room_id == room and first.txn_id == txn
    if net.caps.server_idempotency:
        # the retry of a request whose answer was lost: same event, nothing posted twice
        again = net.driver.connect()
        try:
            second = again.send(room, message, txn)
        finally:
            again.close()
        assert second.event_id == first.event_id
    else:
        # no server deduplication: a run that died before recording the send finds it instead
        found = net.network.find_sent(room, message, since_ms)
        assert found is not None and found.event_id == first.event_id
        assert net.network.find_sent(room, Message("jamais envoyé"), since_ms) is None
        assert net.network.find_sent(room, message, int(time.time() * 1000) + 60_000) is None  # not since then
    assert net.driver.bodies(room).count(message.text) == 1


def test_reuses_the_direct_conversation(net):
    if not net.caps.direct_messages:
        pytest.skip("no direct messages on this network")
    dave = net.driver.people["dave"]
    room = net.network.direct_room(dave)
    assert net.network.direct_room(dave) == room
    again = net.driver.connect()  # the next command finds the same conversation
    try:
        assert again.direct_room(dave) == room
    finally:
        again.close()
    text = f"Un mot pour toi {unique('dm')}"
    net.network.send(room, Message(text), unique("txn"))
    assert text in net.driver.dm_bodies(dave)
    assert net.network.direct_room(net.driver.people["carol"]) != room


def test_iterates_events_from_a_checkpoint_with_every_kind_mapped(net):
    community, room = community_with_room(net)
    bob, carol = net.driver.people["bob"], net.driver.people["carol"]
    root = net.network.send(room, Message("Question du jour : votre outil préféré ?"), unique("txn")).event_id
    net.driver.join(bob, community)
    net.driver.join(carol, community)
    reply = net.driver.post(bob, room, "Le tableur, sans hésiter", reply_to=root)
    reaction = net.driver.react(carol, room, root, "🎉")
    threaded = net.driver.post(carol, room, "Dans un fil", thread_root=root) if net.caps.threads else None

    pages = list(net.network.iter_events(room, page_size=2))
    assert len(pages) >= 2 and pages[-1].done and not any(p.done for p in pages[:-1])
    events = [e for p in pages for e in p.events]
    assert len({e.id for e in events}) == len(events), "no event twice"
    by_id = {e.id: e for e in events}
    assert by_id[root].kind is EventKind.post and by_id[root].sender == net.driver.champion
    assert (
        by_id[reply].kind is EventKind.reply
        and by_id[reply].parent_id == root
        and by_id[reply].body == "Le tableur, sans hésiter"
    )
    # a network with one kind of reaction (a like) reads every reaction back as 👍
    key = "🎉" if net.caps.reaction_keys else "👍"
    assert by_id[reaction].kind is EventKind.reaction and by_id[reaction].parent_id == root and by_id[reaction].key == key
    if threaded:
        assert by_id[threaded].kind is EventKind.thread and by_id[threaded].thread_root == root
    joins = [e for e in events if e.kind is EventKind.membership and e.membership == "join"]
    if net.caps.dated_memberships:
        assert {bob, carol} <= {e.target for e in joins}
    else:
        assert joins == []  # the network does not date joins: it must not make dates up
        assert {bob, carol} <= {m.id for m in net.network.list_members(community) if m.membership == "join"}
    assert all(e.room_id == room for e in events)
    stamps = [e.ts for e in events]
    assert stamps == sorted(stamps), "oldest first"

    # resuming from the last checkpoint gives only what came after, once
    later = net.driver.post(bob, room, "Et un dernier message")
    resumed = [e for p in net.network.iter_events(room, pages[-1].checkpoint, page_size=2) for e in p.events]
    assert [e.id for e in resumed if e.kind is not EventKind.membership] == [later]
    # resuming from a middle page (a sync killed there) loses nothing and repeats nothing
    middle = [e for p in net.network.iter_events(room, pages[0].checkpoint, page_size=2) for e in p.events]
    assert [e.id for e in pages[0].events] + [e.id for e in middle] == [e.id for e in events] + [e.id for e in resumed]


def test_changed_since_names_the_feeds_that_changed_or_says_it_cannot(net):
    _, room = community_with_room(net)
    changed, token = net.network.changed_since(None)
    assert changed is None  # the first call cannot tell: read everything
    if not net.caps.changes_since:
        return
    assert token is not None
    net.network.send(room, Message("du nouveau"), unique("txn"))
    changed, token2 = net.network.changed_since(token)
    assert changed is not None and room in changed
    changed, _ = net.network.changed_since(token2)
    assert changed is not None and room not in changed


def test_parallel_first_messages_open_one_conversation(net):
    """Campaigns welcome people from several threads: one person never gets two conversations."""
    if not net.caps.direct_messages:
        pytest.skip("no direct messages on this network")
    from concurrent.futures import ThreadPoolExecutor

    newcomer = net.driver.new_person("Nina Parallèle", f"{unique('nina')}@corp.example")
    with ThreadPoolExecutor(max_workers=6) as pool:
        rooms = set(pool.map(lambda _: net.network.direct_room(newcomer), range(6)))
    assert len(rooms) == 1
