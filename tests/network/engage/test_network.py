"""The engage connector against the fake tenant: what a champion's commands do on Viva Engage."""

from __future__ import annotations

import pytest

from rse_cli.domain import EventKind, Message, Role
from rse_cli.errors import AmbiguousError, ConflictError, ForbiddenError, NotFoundError, UsageError
from rse_cli.network.engage import DirectMessagesDisabled
from tests.network.engage.conftest import connect, engage_settings


def test_whoami_is_the_signed_in_champion(engage):
    me = engage.net.whoami()
    assert me.user_id == str(engage.fake.user("camille@contoso.com").yammer_id)
    assert me.display_name == "Camille Martin" and not me.admin
    assert "contoso.onmicrosoft.com" in me.homeserver


def test_people_are_found_by_email_id_and_exact_name_and_mapped_once(engage):
    alice = engage.fake.user("alice@contoso.com")
    by_mail = engage.net.resolve_person("Alice@Contoso.com")
    assert by_mail.id == str(alice.yammer_id) and by_mail.display_name == "Alice Martin"
    assert engage.net.resolve_person(str(alice.yammer_id)).display_name == "Alice Martin"
    with pytest.raises(NotFoundError, match="outside the tenant"):
        engage.net.resolve_person("zoe@fabrikam.com")
    # the e-mail <-> ids mapping is cached in the store: a second look-up spends no request
    before = len(engage.fake.requests("yammer"))
    assert engage.net.resolve_person("alice@contoso.com").id == by_mail.id
    assert len(engage.fake.requests("yammer")) == before


def test_names_resolve_through_graph_and_twins_are_ambiguous(engage):
    assert engage.net.resolve_person("Bob Durand").id == str(engage.fake.user("bob@contoso.com").yammer_id)
    with pytest.raises(NotFoundError, match="Personne Inconnue"):
        engage.net.resolve_person("Personne Inconnue")
    with pytest.raises(AmbiguousError, match="erin1@contoso.com"):
        engage.net.resolve_person("Erin Moreau")


def test_create_community_waits_for_the_async_operation_then_lists_it(engage):
    fake = engage.fake
    started = fake.clock.now()
    c = engage.net.create_community("Logistique Lyon", alias="logistique-lyon", topic="Entrepôts et transport")
    assert c.name == "Logistique Lyon" and c.topic == "Entrepôts et transport"
    assert fake.clock.now() - started >= fake.community_creation_seconds  # it polled, > 30 s apart
    polls = fake.requests("graph", method="GET", path="engagementAsyncOperations")
    assert all(b.at - a.at > 30 for a, b in zip(polls, polls[1:], strict=False))
    assert fake.owners("Logistique Lyon") == ["camille@contoso.com"]
    assert engage.net.get_community("logistique-lyon").id == c.id
    assert engage.net.get_community(c.id).name == "Logistique Lyon"
    assert [x.name for x in engage.net.list_communities()] == ["All Company", "Logistique Lyon"]


def test_a_creation_killed_while_waiting_is_resumed_not_repeated(engage, tmp_path):
    fake = engage.fake
    net = engage.net
    net.settings = net.settings.model_copy(update={"creation_timeout_seconds": 1.0})
    with pytest.raises(ConflictError, match="still being created"):
        net.create_community("Ventes Ouest", alias="ventes-ouest", topic=None)
    with pytest.raises(ConflictError, match="still being created"):
        net.get_community("ventes-ouest")
    again = connect(fake, engage.settings, "camille@contoso.com")  # the next run
    c = again.create_community("Ventes Ouest", alias="ventes-ouest", topic=None)
    assert c.name == "Ventes Ouest"
    assert len(fake.requests("graph", method="POST", path="communities$")) == 1
    again.close()


def test_a_failed_creation_says_why(engage):
    engage.fake.fail_next_creation("The name is reserved.")
    with pytest.raises(Exception, match="The name is reserved"):
        engage.net.create_community("Réservé", alias=None, topic=None)


def test_a_skipped_creation_ends_the_wait_at_once(engage):
    """The "skipped" state is an end state of an engagementAsyncOperation, as "failed" is: no waiting it out."""
    fake = engage.fake
    fake.fail_next_creation("Skipped by the service.", status="skipped")
    started = fake.clock.now()
    with pytest.raises(Exception, match="Skipped by the service"):
        engage.net.create_community("Sautée", alias=None, topic=None)
    assert fake.clock.now() - started < engage.net.settings.creation_timeout_seconds / 2
    assert engage.net.people.pending("sautee") is None  # nothing left to resume


def test_members_and_animators_go_through_the_group(engage):
    fake = engage.fake
    fake.add_community("Ventes", owners=["camille@contoso.com"])
    net = engage.net
    c = net.get_community("Ventes")
    alice = net.resolve_person("alice@contoso.com").id
    bob = net.resolve_person("bob@contoso.com").id
    assert net.invite(c, alice) is True
    assert net.invite(c, alice) is False  # re-run: nothing to do
    assert net.set_role(c, bob, Role.animator) is True
    assert net.set_role(c, bob, Role.animator) is False
    assert fake.members("Ventes") == ["alice@contoso.com", "bob@contoso.com", "camille@contoso.com"]
    assert fake.owners("Ventes") == ["bob@contoso.com", "camille@contoso.com"]
    roles = {m.id: m.role for m in net.list_members(c)}
    assert roles == {alice: Role.member, bob: Role.animator, net.user_id: Role.animator}
    with pytest.raises(UsageError, match="moderators"):
        net.set_role(c, alice, Role.moderator)
    with pytest.raises(UsageError, match="rooms"):
        net.add_room(c, "Annonces")


def test_a_person_whose_sign_in_name_is_not_their_mail_is_added_by_mail(engage):
    """Graph's GET /users/{key} takes an id or a userPrincipalName, not a mail address (user-get):
    in a tenant where people sign in as j.doe@contoso.onmicrosoft.com, their mail still finds them."""
    fake = engage.fake
    fake.add_user("jeanne.dupont@contoso.com", "Jeanne Dupont", upn="jdupont@contoso.onmicrosoft.com")
    fake.add_community("Ventes", owners=["camille@contoso.com"])
    c = engage.net.get_community("Ventes")
    jeanne = engage.net.resolve_person("jeanne.dupont@contoso.com").id
    assert engage.net.invite(c, jeanne) is True
    assert "jeanne.dupont@contoso.com" in fake.members("Ventes")


def test_someone_elses_community_is_forbidden_with_a_hint(engage):
    engage.fake.add_community("RH", owners=["ada.admin@contoso.com"])
    c = engage.net.get_community("RH")
    with pytest.raises(ForbiddenError) as err:
        engage.net.invite(c, engage.net.resolve_person("alice@contoso.com").id)
    assert err.value.hint


def test_posts_replies_likes_read_back_as_events_from_a_checkpoint(engage):
    fake = engage.fake
    fake.add_community("Ventes", owners=["camille@contoso.com"], members=["alice@contoso.com"])
    net = engage.net
    c = net.get_community("Ventes")
    sent = net.send(c.id, Message("Bienvenue à toutes et à tous !"), "txn-1")
    root = fake.message_by_id(int(sent.event_id))
    reply = fake.add_message("alice@contoso.com", "Merci !", reply_to=root)
    fake.like(root, "alice@contoso.com")
    [page] = list(net.iter_events(c.id))
    kinds = [(e.kind, e.sender) for e in page.events]
    alice = str(fake.user("alice@contoso.com").yammer_id)
    assert kinds == [(EventKind.post, net.user_id), (EventKind.reaction, alice), (EventKind.reply, alice)]
    assert page.events[2].parent_id == sent.event_id and page.events[2].thread_root == sent.event_id
    assert page.checkpoint == str(reply.id)
    fake.add_message("alice@contoso.com", "Une question", community="Ventes")
    [later] = list(net.iter_events(c.id, page.checkpoint))
    assert [e.body for e in later.events] == ["Une question"]


def test_changed_since_names_only_the_feeds_that_moved(engage):
    fake = engage.fake
    fake.add_community("Ventes", owners=["camille@contoso.com"])
    fake.add_community("Achats", owners=["camille@contoso.com"])
    net = engage.net
    changed, token = net.changed_since(None)
    assert changed is None
    fake.add_message("camille@contoso.com", "Du neuf", community="Ventes")
    changed, token2 = net.changed_since(token)
    assert net.get_community("Ventes").id in changed and net.get_community("Achats").id not in changed
    assert net.changed_since(token2)[0] == set()


def test_private_messages_and_a_tenant_that_disabled_them(engage):
    fake = engage.fake
    net = engage.net
    alice = net.resolve_person("alice@contoso.com").id
    room = net.direct_room("alice@contoso.com")
    sent = net.send(room, Message("Bonjour Alice"), "txn-dm")
    assert [m.body for m in fake.sent(private=True)] == ["Bonjour Alice"]
    assert net.find_sent(room, Message("Bonjour Alice"), int(fake.clock.now() * 1000) - 10_000).event_id == sent.event_id
    assert net.find_sent(room, Message("Autre chose"), int(fake.clock.now() * 1000) - 10_000) is None
    fake.set_private_messages(False)
    with pytest.raises(DirectMessagesDisabled, match="disabled") as err:
        net.send(net.direct_room(alice), Message("Re-bonjour"), "txn-dm2")
    assert "welcome_by_mention" in err.value.hint
    assert net.dm_available() is False


def test_a_sent_private_message_is_found_whatever_the_private_feed_lists(engage):
    """A run killed after sending a welcome finds it in the champion's sent messages, even if the
    private feed lists received messages only, as its doc page says."""
    net, fake = engage.net, engage.fake
    fake.set_private_feed_received_only()
    since = int(fake.clock.now() * 1000) - 10_000
    room = net.direct_room("alice@contoso.com")
    sent = net.send(room, Message("Bienvenue Alice"), "txn-found")
    assert net.find_sent(room, Message("Bienvenue Alice"), since).event_id == sent.event_id
    assert net.find_sent(room, Message("Bienvenue Bob"), since) is None


def test_a_legacy_network_is_named_with_the_fix(engage):
    engage.fake.set_native_mode(False)
    with pytest.raises(UsageError, match="native mode") as err:
        engage.net.list_communities()
    assert "native-mode" in err.value.hint


def test_a_missing_permission_names_the_permissions_to_grant(engage_tenant, tmp_path):
    fake = engage_tenant.fake
    settings = engage_settings(fake, tmp_path)
    from rse_cli.network.engage import build
    from rse_cli.network.engage.settings import engage_settings as es

    weak = fake.token("camille@contoso.com", "graph", scopes=["User.Read"])
    net = build(
        settings,
        es(settings),
        graph_token=lambda fresh: weak,
        yammer_token=lambda fresh: weak,
        sleep=fake.clock.sleep,
        clock=fake.clock.now,
    )
    with pytest.raises(ForbiddenError) as err:
        net.list_communities()
    assert "Community.ReadWrite.All" in err.value.hint


def test_listing_a_big_community_maps_its_members_fifty_at_a_time(engage):
    fake, net = engage.fake, engage.net
    emails = [f"m{i:03d}@contoso.com" for i in range(120)]
    for email in emails:
        fake.add_user(email, f"Membre {email[1:4]}")
    fake.add_community("Tout le site", owners=["camille@contoso.com"], members=emails)
    members = net.list_members(net.get_community("Tout le site"))
    assert {m.id for m in members} == {str(fake.user(e).yammer_id) for e in [*emails, "camille@contoso.com"]}
    assert len(fake.requests("yammer", path="by_email")) == 0
    assert len(fake.requests("yammer", path="in_group")) == 3  # 121 people, 50 a page
