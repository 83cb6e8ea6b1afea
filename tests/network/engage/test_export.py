"""The Data Export API path (verified admins): daily ranges from a checkpoint, resumable, nothing twice;
and @mentions, the welcome when private messages are off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rse_cli.domain import EventKind, Message
from rse_cli.errors import ForbiddenError
from tests.network.engage.conftest import connect


def test_export_reads_every_community_a_day_at_a_time_and_resumes(engage_tenant, tmp_path):
    from tests.network.engage.conftest import engage_settings

    fake = engage_tenant.fake
    fake.add_community("Ventes", owners=["camille@contoso.com"], members=["alice@contoso.com"])
    day = 86400.0
    t0 = fake.clock.now()
    root = fake.add_message("camille@contoso.com", "Lundi", community="Ventes", at=t0 - 2.5 * day)
    fake.add_message("alice@contoso.com", "Merci", reply_to=root, at=t0 - 1.5 * day)
    fake.add_message("alice@contoso.com", "Privé", direct_to=["camille@contoso.com"], at=t0 - 1.4 * day)
    fake.add_message("camille@contoso.com", "Mardi", community="Ventes", at=t0 - 0.5 * day)
    settings = engage_settings(fake, tmp_path)
    admin = connect(fake, settings, engage_tenant.admin)
    now = datetime.fromtimestamp(t0, tz=UTC)
    start = now - timedelta(days=3)
    pages = admin.export_events(None, now, start=start)
    first = next(pages)
    assert [e.body for e in first.events] == ["Lundi"]
    assert not first.done
    # killed here: the next run starts from the checkpoint, nothing is read twice
    rest = list(admin.export_events(first.checkpoint, now, start=start))
    bodies = [e.body for p in rest for e in p.events]
    assert bodies == ["Merci", "Mardi"]  # the private message is not a community's
    reply = next(e for p in rest for e in p.events if e.body == "Merci")
    assert reply.kind is EventKind.reply and reply.parent_id == str(root.id)
    assert reply.room_id == fake.community("Ventes").community_id
    assert rest[-1].done and len(rest) == 2
    assert len(fake.requests("yammer", path="export")) == 3  # one a day
    with pytest.raises(ForbiddenError, match="verified admins"):
        next(connect(fake, settings, "camille@contoso.com").export_events(None, now, start=start))


def test_a_mention_notifies_the_person(engage):
    fake, net = engage.fake, engage.net
    fake.add_community("Ventes", owners=["camille@contoso.com"])
    alice = net.resolve_person("alice@contoso.com")
    c = net.get_community("Ventes")
    net.send(c.id, Message("Bienvenue dans la communauté !", mentions=(alice.id,)), "t")
    [m] = fake.sent(community="Ventes")
    assert [u.mail for u in m.notified] == ["alice@contoso.com"]
