"""Every connector: refusals are typed errors (forbidden, rate limited), and its offline syntax
round-trips (what it links to, which person references it accepts)."""

from __future__ import annotations

import pytest

from rse_cli.domain import Message
from rse_cli.errors import ForbiddenError, RateLimitedError
from rse_cli.network import base
from tests.network.conformance.drivers import unique


def test_what_the_champion_may_not_touch_is_forbidden(net):
    foreign = net.driver.foreign_community()
    if net.driver.private_visible:  # its name and description are public (Viva Engage); its conversation is not
        assert net.network.get_community(foreign).id == foreign
    else:
        with pytest.raises(ForbiddenError):
            net.network.get_community(foreign)
    with pytest.raises(ForbiddenError):
        net.network.send(foreign, Message("je n'y suis pas"), unique("txn"))


def test_429s_beyond_patience_are_a_typed_error(net):
    throttled = net.driver.throttled()
    if throttled is None:
        pytest.skip(f"{net.driver.id}: cannot be made to answer 429 in this session")
    network, arm = throttled
    try:
        community = network.create_community(unique("Lent"), alias=None, topic=None)
        room = community.id if net.caps.structure is base.Structure.feed else network.add_room(community, "Général").id
        assert network.rate_limited() is False
        arm()
        with pytest.raises(RateLimitedError) as caught:
            for i in range(20):  # a burst: the limit is reached within a few writes
                network.send(room, Message(f"vite {i}"), unique("txn"))
        assert caught.value.status == 429
        assert network.rate_limited() is True  # bulk jobs are told to slow down
    finally:
        network.close()


def test_links_and_person_references_round_trip_offline(net):
    online = net.network.addressing
    offline = base.addressing(net.driver.settings)  # reports built from the store, no connection
    community = net.network.create_community(unique("Liens"), alias=unique("liens"), topic=None)
    event = net.network.send(
        community.id if net.caps.structure is base.Structure.feed else net.network.add_room(community, "Général").id,
        Message("lien"),
        unique("txn"),
    )
    for link in (online.link(community.id), online.link(event.room_id, event.event_id), online.link(net.driver.champion)):
        assert link.startswith("https://"), link
    assert online.link(event.room_id, event.event_id) != online.link(event.room_id)
    assert offline.link(event.room_id, event.event_id) == net.network.link(event.room_id, event.event_id)
    assert offline.link(net.driver.champion) == online.link(net.driver.champion)

    alice = net.driver.people["alice"]
    for good in (alice, net.driver.emails["alice"], "Alice Martin"):
        assert offline.person_problem(good) is None, good
    for garbage in ("", "   ", "alice@", "a@@b.org", "x@y"):
        problem = offline.person_problem(garbage)
        assert isinstance(problem, str) and problem, garbage
    assert offline.is_person_id(alice) and not offline.is_person_id("Alice Martin")
    assert not offline.is_person_id(net.driver.emails["alice"])
    assert offline.short_name(alice)
    assert not offline.is_picture_ref("logos/ventes.png")
    assert offline.picture_problem("logos/ventes.png")
