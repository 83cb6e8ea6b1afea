"""Every connector: resolves people by each identifier it declares, adds them to a community
(invitation or direct membership), gives the roles it can express, and a re-run changes nothing."""

from __future__ import annotations

import pytest

from rse_cli.domain import Role
from rse_cli.errors import UsageError
from rse_cli.network import base
from tests.network.conformance.drivers import unique


def test_resolves_a_person_by_each_identifier(net):
    alice = net.driver.people["alice"]
    refs = {"id": alice, "email": net.driver.emails["alice"], "name": net.driver.names["alice"]}
    for kind in net.caps.identifiers:
        person = net.network.resolve_person(refs[kind])
        assert person.id == alice and person.display_name == "Alice Martin", kind
    assert net.network.addressing.is_person_id(alice)


def members(net, community) -> dict[str, tuple[str, Role]]:
    return {m.id: (m.membership, m.role) for m in net.network.list_members(community)}


def test_adds_people_and_roles_and_a_rerun_changes_nothing(net):
    community = net.network.create_community(unique("Membres"), alias=unique("membres"), topic=None)
    if net.caps.structure is base.Structure.rooms:
        net.network.add_room(community, "Général")
        community = net.network.get_community(community.id)
    alice, bob, carol = (net.driver.people[k] for k in ("alice", "bob", "carol"))
    added = "invite" if net.caps.membership is base.Membership.invite else "join"

    assert net.network.invite(community, alice) is True
    assert net.network.invite(community, alice) is False  # re-run: already done
    assert net.network.invite(community, alice, checked=False) is False
    assert members(net, community)[alice][0] == added
    # the creator holds the community (Matrix: its creator's power; Engage: a group owner)
    assert members(net, community)[net.driver.champion] in {("join", Role.owner), ("join", Role.animator)}
    assert {m.id: m.display_name for m in net.network.list_members(community)}[alice] == "Alice Martin"

    assert net.network.set_role(community, alice, Role.animator) is True
    assert net.network.set_role(community, alice, Role.animator) is False
    assert members(net, community)[alice][1] is Role.animator
    if Role.moderator in net.caps.roles:
        assert net.network.invite(community, carol) is True
        assert net.network.set_role(community, carol, Role.moderator) is True
        assert net.network.set_role(community, carol, Role.moderator) is False
        assert members(net, community)[carol][1] is Role.moderator
    else:
        # a role the network cannot express is refused, not silently dropped
        with pytest.raises(UsageError):
            net.network.set_role(community, carol, Role.moderator)
    with pytest.raises(UsageError):
        net.network.set_role(community, alice, Role.owner)  # the creator's, never given

    if net.caps.force_join:
        assert net.network.force_join(community, bob) is True
        assert net.network.force_join(community, bob) is False
        assert members(net, community)[bob][0] == "join"

    # a new connection (the next command) sees the same state and still changes nothing
    again = net.driver.connect()
    try:
        assert again.invite(community, alice) is False
        assert again.set_role(community, alice, Role.animator) is False
    finally:
        again.close()
