"""The store: migrations once, journal, exactly-once claims across processes."""

from __future__ import annotations

import multiprocessing

from rse_cli.store import Store


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
