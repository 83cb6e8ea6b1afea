"""Every connector: declares what it can do, creates communities (and rooms where it has them),
finds them by every reference form a user types, and re-runs change nothing."""

from __future__ import annotations

import hashlib

import pytest

from rse_cli.domain import Community, Picture
from rse_cli.errors import AmbiguousError, ConflictError, NotFoundError, UsageError
from rse_cli.network import base
from tests.network.conformance.drivers import unique


def test_declares_its_capabilities_and_the_protocol(net):
    assert isinstance(net.network, base.Network)
    assert isinstance(net.network.addressing, base.Addressing)
    plugin = base.connector(net.driver.settings.network)
    assert isinstance(plugin, base.Connector)
    # what services read offline (base.capabilities) is what the live connection shows
    assert base.capabilities(net.driver.settings) == net.caps
    assert net.caps.identifiers and set(net.caps.identifiers) <= {"id", "email", "name"}
    assert net.network.concurrency >= 1
    me = net.network.whoami()
    assert me.user_id == net.driver.champion and me.admin is True


def make(net, *, rooms=("Général", "Questions")) -> Community:
    alias = unique("conf")
    community = net.network.create_community(f"Conformité {alias}", alias=alias, topic="Pour tester")
    if net.caps.structure is base.Structure.rooms:
        for name in rooms:
            net.network.add_room(community, name, topic=f"Salon {name}")
    return net.network.get_community(community.id)


def test_creates_a_community_with_its_rooms_where_it_has_rooms(net):
    community = make(net)
    assert community.name.startswith("Conformité") and community.topic == "Pour tester"
    assert community.id in {c.id for c in net.network.list_communities()}
    if net.caps.structure is base.Structure.rooms:
        assert sorted(r.name for r in community.rooms) == ["Général", "Questions"]
        assert net.network.find_room(community, "général").id == net.network.find_room(community, "Général").id
        with pytest.raises(NotFoundError):
            net.network.find_room(community, "Cantine")
    else:
        assert community.rooms == []  # the community is the one feed people talk in
        with pytest.raises(UsageError):
            net.network.add_room(community, "Général")


def test_finds_a_community_by_each_reference_form(net):
    community = make(net, rooms=())
    alias = community.alias
    assert alias, "a community created with an alias keeps it"
    addressing = net.network.addressing
    bare = addressing.community_key(alias)
    refs = [community.id, alias, addressing.alias_ref(bare), bare, community.name, community.name.upper()]
    # a manifest may give the alias bare or as this network writes it: both are the alias rse creates with
    assert addressing.bare_alias(bare) == bare and addressing.bare_alias(addressing.alias_ref(bare)) == bare
    for ref in refs:
        assert net.network.get_community(ref).id == community.id, ref
        # offline, what the user typed reduces to a key the stored community answers to
        assert addressing.community_key(ref) in addressing.community_keys(community.id, community.name, alias), ref


def test_unknown_communities_and_people_are_typed_errors(net):
    addressing = net.network.addressing
    with pytest.raises(NotFoundError):
        net.network.get_community(addressing.alias_ref(unique("absent")))
    with pytest.raises(NotFoundError):
        net.network.get_community(unique("Nulle part"))
    with pytest.raises(NotFoundError):
        net.network.resolve_person(f"{unique('nobody')}@example.org")
    with pytest.raises(NotFoundError):
        net.network.resolve_person(unique("Personne Inconnue"))
    with pytest.raises(AmbiguousError):
        net.network.resolve_person("Erin Moreau")


def test_a_created_community_is_what_reading_it_back_gives(net):
    """create_community's answer is used as is by onboarding (no read-back): it must say what
    get_community says of the new community."""
    alias = unique("neuve")
    made = net.network.create_community(f"Neuve {alias}", alias=alias, topic="Tout juste créée")
    read = net.network.get_community(made.id)
    assert (made.id, made.name, made.alias, made.topic, made.rooms) == (read.id, read.name, read.alias, read.topic, read.rooms)
    assert made.link == read.link and made.member_count == read.member_count


def test_same_names_are_ambiguous_not_a_guess(net):
    name = unique("Jumelle")
    first = net.network.create_community(name, alias=None, topic=None)
    if net.caps.unique_names:  # the network refuses the twin: no name can be ambiguous (Viva Engage)
        with pytest.raises(ConflictError):
            net.network.create_community(name, alias=None, topic=None)
        assert [c.id for c in net.network.list_communities() if c.name == name] == [first.id]
        assert net.network.get_community(name).id == first.id
        return
    second = net.network.create_community(name, alias=None, topic=None)
    assert first.id != second.id
    with pytest.raises(AmbiguousError):
        net.network.get_community(name)
    assert net.network.get_community(first.id).id == first.id


def test_topic_and_picture_rerun_is_a_no_op(net):
    community = make(net, rooms=())
    assert net.network.set_topic(community, "Pour tester") is False
    assert net.network.set_topic(community, "Nouveau sujet") is True
    assert net.network.get_community(community.id).topic == "Nouveau sujet"
    if not net.caps.pictures:
        return
    data = b"\x89PNG\r\n\x1a\n" + unique("image").encode()  # the server stores bytes, it does not decode them
    picture = Picture(source="logo.png", data=data, mimetype="image/png", sha256=hashlib.sha256(data).hexdigest())
    assert net.network.has_picture(community, picture) is False
    assert net.network.set_picture(community, picture) is True
    again = net.driver.connect()  # a later run recognises the picture it set
    try:
        assert again.has_picture(community, picture) is True
        assert again.set_picture(community, picture) is False
    finally:
        again.close()
