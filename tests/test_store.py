"""The store: migrations once, journal, exactly-once claims across processes."""

from __future__ import annotations

import multiprocessing

import pytest

import rse_cli.store
from rse_cli.domain import Role
from rse_cli.network.matrix.ids import MatrixAddressing
from rse_cli.store import Store
from rse_cli.store import events as ev
from rse_cli.store.migrations import MIGRATIONS


def test_migrations_apply_once(tmp_path):
    path = str(tmp_path / "s.db")
    first = Store(path).applied
    assert first == sorted(first) and "0001_journal_and_sent" in first
    assert Store(path).applied == first


def test_claims_lease_and_final_states(tmp_path):
    s = Store(str(tmp_path / "s.db"))
    assert s.claim("a", now=100)
    assert not s.claim("a", now=200)  # still leased
    assert s.claim("a", now=100 + 901)  # a run that died: its lease ran out
    s.finish("a", "failed", "boom")
    assert s.claim("a", now=2000)  # failed: retried
    s.finish("a")
    assert not s.claim("a", now=10**9)  # done is final
    s.finish("b", "skipped", "too late")
    assert not s.claim("b") and s.claim_state("b")["detail"] == "too late"


def _race(path: str, keys: list[str], q) -> None:
    s = Store(path)
    q.put([k for k in keys if s.claim(k)])


def test_concurrent_processes_never_claim_the_same_key(tmp_path):
    path = str(tmp_path / "s.db")
    Store(path)
    keys = [f"k{i}" for i in range(200)]
    q = multiprocessing.get_context("spawn").Queue()
    procs = [multiprocessing.get_context("spawn").Process(target=_race, args=(path, keys, q)) for _ in range(4)]
    for p in procs:
        p.start()
    won = [q.get(timeout=60) for _ in procs]
    for p in procs:
        p.join()
    flat = [k for w in won for k in w]
    assert sorted(flat) == sorted(keys)  # every key taken exactly once


def test_timestamps_follow_the_clock_it_is_given(tmp_path):
    from datetime import UTC, datetime, timedelta, timezone

    paris = timezone(timedelta(hours=1))
    s = Store(str(tmp_path / "s.db"), clock=lambda: datetime(2026, 12, 4, 10, 0, tzinfo=paris))
    assert s.now() == "2026-12-04T09:00:00.000+00:00"  # stored in UTC whatever the clock's zone
    s.journal("post", "ventes-ouest", "ok")
    assert s.journal_entries()[0].at == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_rse_now_replays_a_day_and_a_bad_value_names_the_variable(monkeypatch):
    from datetime import UTC, datetime

    import pytest

    from rse_cli.clock import now
    from rse_cli.errors import ConfigError

    monkeypatch.setenv("RSE_NOW", "2026-12-04T09:00:00")
    assert now() == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    monkeypatch.setenv("RSE_NOW", "tomorrow")
    with pytest.raises(ConfigError, match="RSE_NOW='tomorrow'"):
        now()


RENAME = "1002_neutral_column_names"


def synced_before_the_rename(location: str) -> None:
    """A store at the version before 1002 (rooms.is_space, members.power), holding a synced
    community written with those names, as rse wrote it then."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rse_cli.store, "MIGRATIONS", [m for m in MIGRATIONS if m[0] != RENAME])
        old = Store(location)
        assert RENAME not in old.applied
        with old.tx() as db:
            db.execute(
                "INSERT INTO communities (id, name, alias, synced_at) VALUES (?, ?, ?, ?)",
                ("!s", "Ventes", "#ventes:x", old.now()),
            )
            db.executemany(
                "INSERT INTO rooms (id, community_id, name, is_space) VALUES (?, ?, ?, ?)",
                [("!gen", "!s", "Général", 0), ("!s", "!s", "Ventes", 1), ("!ann", "!s", "Annonces", 0)],
            )
            db.executemany(
                "INSERT INTO members (community_id, user_id, display_name, membership, role, power) VALUES (?, ?, ?, ?, ?, ?)",
                [("!s", "@anne:x", "Anne", "join", "owner", 100), ("!s", "@bob:x", None, "invite", "animator", 50)],
            )
        old.close()


def read_back_after_the_rename(location: str) -> None:
    """Opening it migrates: the same community, its Space first then its rooms by name, and each
    member's level, read through the store's own functions."""
    store = Store(location)
    assert RENAME in store.applied
    [community] = ev.communities(store, ["ventes"], addressing=MatrixAddressing())
    assert community.room_ids == ("!s", "!ann", "!gen")
    assert [(m.id, m.display_name, m.membership, m.role, m.power) for m in ev.members(store, "!s")] == [
        ("@anne:x", "Anne", "join", Role.owner, 100),
        ("@bob:x", None, "invite", Role.animator, 50),
    ]
    assert Store(location).applied == store.applied  # once


def test_a_store_synced_before_the_column_rename_reads_back_after_it(tmp_path):
    path = str(tmp_path / "s.db")
    synced_before_the_rename(path)
    read_back_after_the_rename(path)
