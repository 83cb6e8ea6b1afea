"""`rse sync` on Viva Engage: a verified admin's sync reads the Data Export API from one network-wide
checkpoint (no feed paged, nothing read or stored twice); anyone else pages the feeds."""

from __future__ import annotations

from rse_cli.services.sync import sync
from rse_cli.store import Store
from rse_cli.store import events as ev
from tests.network.engage.conftest import connect, engage_settings

DAY = 86400.0


def _tenant(fake):
    fake.add_community("Ventes", owners=["camille@contoso.com", "ada.admin@contoso.com"], members=["alice@contoso.com"])
    t0 = fake.clock.now()
    root = fake.add_message("camille@contoso.com", "Lundi", community="Ventes", at=t0 - 2.5 * DAY)
    fake.add_message("alice@contoso.com", "Merci", reply_to=root, at=t0 - 1.5 * DAY)
    return root


def _bodies(store: Store, room_id: str) -> list[str]:
    return sorted(r[0] for r in store.query("SELECT body FROM events WHERE room_id = ? AND body IS NOT NULL", (room_id,)))


def test_an_admin_syncs_through_the_export_and_a_resync_reads_nothing_twice(engage_tenant, tmp_path):
    fake = engage_tenant.fake
    _tenant(fake)
    settings = engage_settings(fake, tmp_path)
    net = connect(fake, settings, engage_tenant.admin)
    store = Store(str(tmp_path / "admin.db"), clock=fake.clock.datetime)
    ventes = fake.community("Ventes").community_id
    try:
        results = sync(net, store)
        assert fake.requests("yammer", path="export")
        assert not fake.requests("yammer", path="messages/in_group")  # no feed paged
        assert _bodies(store, ventes) == ["Lundi", "Merci"]
        assert {r.room_id: r.new_events for r in results}[ventes] == 2
        assert ev.checkpoint(store, ev.BULK_KEY) is not None
        assert "Ventes" in {c.name for c in ev.communities(store)}  # communities and members still listed

        exports = len(fake.requests("yammer", path="export"))
        fake.clock.sleep(600)
        fake.add_message("alice@contoso.com", "Mardi", community="Ventes", at=fake.clock.now() - 60)
        again = sync(net, store)
        later = fake.requests("yammer", path="export")[exports:]
        assert len(later) == 1  # only the minutes since the checkpoint
        assert not fake.requests("yammer", path="messages/in_group")
        assert _bodies(store, ventes) == ["Lundi", "Mardi", "Merci"]  # nothing stored twice
        assert {r.room_id: r.new_events for r in again}[ventes] == 1
    finally:
        net.close()


def test_a_killed_export_resumes_from_its_checkpoint(engage_tenant, tmp_path):
    fake = engage_tenant.fake
    _tenant(fake)
    settings = engage_settings(fake, tmp_path)
    net = connect(fake, settings, engage_tenant.admin)
    store = Store(str(tmp_path / "admin.db"), clock=fake.clock.datetime)
    ventes = fake.community("Ventes").community_id

    class Killed(Exception):
        pass

    pages = 0

    def kill_after_300_pages(label: str, n: int) -> None:
        nonlocal pages
        pages += 1
        if pages == 300:
            raise Killed

    try:
        try:
            sync(net, store, progress=kill_after_300_pages)
        except Killed:
            pass
        stopped = ev.checkpoint(store, ev.BULK_KEY)
        assert stopped is not None
        exports = len(fake.requests("yammer", path="export"))
        sync(net, store)
        resumed = len(fake.requests("yammer", path="export")) - exports
        assert 0 < resumed < exports  # the rest only
        assert _bodies(store, ventes) == ["Lundi", "Merci"]
    finally:
        net.close()


def test_a_champion_who_is_not_an_admin_pages_the_feeds(engage_tenant, tmp_path):
    fake = engage_tenant.fake
    _tenant(fake)
    settings = engage_settings(fake, tmp_path)
    net = connect(fake, settings, engage_tenant.champion)
    store = Store(str(tmp_path / "champion.db"), clock=fake.clock.datetime)
    ventes = fake.community("Ventes").community_id
    try:
        sync(net, store)
        assert not fake.requests("yammer", path="export")
        assert fake.requests("yammer", path="messages/in_group")
        assert _bodies(store, ventes) == ["Lundi", "Merci"]
        assert ev.checkpoint(store, ev.BULK_KEY) is None
    finally:
        net.close()
