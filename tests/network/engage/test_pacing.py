"""Yammer's documented limits (10 requests per 30 s per user per app, per bucket) on a 200-person
welcome: no request refused, no message sent twice, and the estimate rse prints before is right."""

from __future__ import annotations

import pytest

from rse_cli.domain import Message
from rse_cli.network.engage import CAPABILITIES
from rse_cli.services.writes import send_once
from rse_cli.store import Store


def test_a_200_person_welcome_runs_at_the_documented_pace(engage, tmp_path):
    fake, net = engage.fake, engage.net
    people = [f"p{i:03d}@contoso.com" for i in range(200)]
    for email in people:
        fake.add_user(email, f"Personne {email[1:4]}")
    store = Store(str(tmp_path / "campaign.db"))
    estimate = CAPABILITIES.rate_limits.seconds(invitations=0, messages=len(people), room_creations=0)
    start = fake.clock.now()
    for email in people:
        person = net.resolve_person(email)
        send_once(
            net,
            store,
            action="campaign.welcome",
            target=f"accueil:{person.id}",
            room_id=None,
            message=Message(f"Bienvenue {person.display_name} !"),
            room_for=lambda p=person.id: net.direct_room(p),
        )
    took = fake.clock.now() - start
    assert fake.throttled() == 0
    bodies = [m.body for m in fake.sent(private=True)]
    assert len(bodies) == len(set(bodies)) == 200
    assert took == pytest.approx(estimate, rel=0.2)
    # a re-run sends nothing and spends no Yammer request on the messages
    before = len(fake.requests("yammer", path="messages"))
    for email in people:
        person = net.resolve_person(email)
        assert not send_once(
            net,
            store,
            action="campaign.welcome",
            target=f"accueil:{person.id}",
            room_id=None,
            message=Message(f"Bienvenue {person.display_name} !"),
            room_for=lambda: "unused",
        ).sent
    assert len(fake.requests("yammer", path="messages")) == before


def test_a_429_from_yammer_is_waited_out_not_failed(engage):
    fake, net = engage.fake, engage.net
    fake.fail_next("/users/current", status=429, service="yammer")
    assert net.whoami().display_name == "Camille Martin"
    assert net.rate_limited()
