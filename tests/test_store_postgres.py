"""The store on a real PostgreSQL server: same migrations, journal, claims exactly-once across
processes, and the portable SQL other features write (`?`, ON CONFLICT, rows by name)."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest

from rse_cli.domain import Community, Event, EventKind, Member, Room
from rse_cli.errors import ConfigError
from rse_cli.network.matrix.ids import MatrixAddressing
from rse_cli.store import Store
from rse_cli.store import events as ev
from rse_cli.store.migrations import MIGRATIONS
from rse_cli.store.postgres import translate
from tests.postgres import pg_url  # noqa: F401  (fixture)
from tests.test_store import read_back_after_the_rename, synced_before_the_rename


def test_placeholders_are_translated_outside_and_inside_quotes():
    assert (
        translate("SELECT * FROM t WHERE a = ? AND b LIKE 'x%' AND c = '?'")
        == "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%' AND c = '?'"
    )


def test_migrations_apply_once(pg_url):
    first = Store(pg_url).applied
    assert first == sorted(m for m, _ in MIGRATIONS) and "0002_claims" in first
    assert Store(pg_url).applied == first
    assert Store(pg_url).dialect == "postgresql"


def test_journal_and_sent(pg_url):
    s = Store(pg_url, profile="p")
    s.journal("post", "a/b", "ok", "$e1")
    s.journal("dm", "@x:y", "failed", "M_FORBIDDEN")
    entries = s.journal_entries()
    assert [(e.action, e.outcome) for e in entries] == [("dm", "failed"), ("post", "ok")]
    assert entries[0].id > entries[1].id
    assert [e.action for e in s.journal_entries(action="p*")] == ["post"]
    s.record_sent("k", "!r", "txn", "$1")
    s.record_sent("k", "!r", "txn", "$2")  # ON CONFLICT ... DO UPDATE
    row = s.sent("k")
    assert row["event_id"] == "$2" and row[1] == "k" and dict(zip(row.keys(), row, strict=True))["room_id"] == "!r"


def test_synced_events_round_trip_with_millisecond_timestamps(pg_url):
    s = Store(pg_url)
    community = Community(id="!space", name="Ventes", alias="#ventes:x", rooms=[Room(id="!gen", name="Général")])
    ev.save_community(s, community, [Member(id="@a:x", display_name="Alice", membership="join")])
    ts = datetime(2026, 11, 20, 9, 30, 1, 123000, tzinfo=UTC)
    page = [Event(id="$1", room_id="!gen", sender="@a:x", ts=ts, kind=EventKind.post, body="100% sûr ?")]
    assert ev.save_page(s, "!gen", page, "t1") == 1
    assert ev.save_page(s, "!gen", page, "t2") == 0  # ON CONFLICT DO NOTHING
    [c] = ev.communities(s, ["ventes"], addressing=MatrixAddressing())
    [e] = list(ev.iter_events(s, c.room_ids, since=datetime(2026, 11, 1, tzinfo=UTC)))
    assert e.ts == ts and e.body == "100% sûr ?"
    assert ev.checkpoint(s, "!gen") == "t2"
    assert [m.display_name for m in ev.members(s, "!space")] == ["Alice"]


def test_a_store_synced_before_the_column_rename_reads_back_after_it(pg_url):
    synced_before_the_rename(pg_url)
    read_back_after_the_rename(pg_url)


def test_claims_lease_and_final_states(pg_url):
    s = Store(pg_url)
    assert s.claim("a", now=1_700_000_000)
    assert not s.claim("a", now=1_700_000_100)  # still leased (epoch seconds keep their precision)
    assert s.claim("a", now=1_700_000_000 + 901)
    s.finish("a", "failed", "boom")
    assert s.claim("a", now=1_800_000_000)
    s.finish("a")
    assert not s.claim("a", now=1_900_000_000)
    s.finish("b", "skipped", "too late")
    assert not s.claim("b") and s.claim_state("b")["detail"] == "too late"


def test_a_failed_transaction_leaves_nothing(pg_url):
    s = Store(pg_url)
    with pytest.raises(RuntimeError):
        with s.tx() as db:
            db.execute(
                "INSERT INTO claims (key, owner, state, claimed_at, lease_until) VALUES (?, ?, 'running', 1, 2)", ("z", "me")
            )
            raise RuntimeError
    assert s.claim_state("z") is None
    assert s.claim("z")  # and the connection is still usable


def _race(url: str, keys: list[str], q) -> None:
    s = Store(url)
    q.put([k for k in keys if s.claim(k)])


def test_concurrent_processes_never_claim_the_same_key(pg_url):
    Store(pg_url)
    keys = [f"k{i}" for i in range(150)]
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_race, args=(pg_url, keys, q)) for _ in range(4)]
    for p in procs:
        p.start()
    won = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join()
    flat = [k for w in won for k in w]
    assert sorted(flat) == sorted(keys)


def test_failed_claims_are_retried_by_exactly_one_process(pg_url):
    s = Store(pg_url)
    keys = [f"f{i}" for i in range(60)]
    for k in keys:
        s.claim(k)
        s.finish(k, "failed", "network down")
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_race, args=(pg_url, keys, q)) for _ in range(3)]
    for p in procs:
        p.start()
    flat = [k for _ in procs for k in q.get(timeout=120)]
    for p in procs:
        p.join()
    assert sorted(flat) == sorted(keys)


def test_unreachable_server_is_a_config_error_without_the_password():
    with pytest.raises(ConfigError) as err:
        Store("postgresql://rse:s3cret@127.0.0.1:1/rse")
    assert "s3cret" not in str(err.value) and "127.0.0.1:1" in str(err.value)
