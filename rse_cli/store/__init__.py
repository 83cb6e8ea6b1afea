"""Local state: SQLite (WAL) by default, PostgreSQL when `store = "postgresql://…"` (see
postgres.py: same SQL with `?` placeholders, same exactly-once claims across hosts).
Versioned migrations; a journal of every network write.

One `Store` per process; it is safe to share between threads (one connection, one lock):
writes are short and SQLite serialises them anyway.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rse_cli.domain import JournalEntry
from rse_cli.errors import ConfigError
from rse_cli.store.migrations import MIGRATIONS
from rse_cli.store.postgres import PgConnection, migration_sql  # psycopg itself is imported only when used

__all__ = ["Cursor", "Row", "Store", "Transaction"]


class Row(Protocol):
    """What `Store.query` returns: sqlite3.Row, or postgres.py's row, read the same way."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    def __iter__(self) -> Iterator[Any]: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    @property
    def rowcount(self) -> int: ...  # rows the last INSERT/UPDATE/DELETE changed


class Transaction(Protocol):
    """What `Store.tx()` yields: sqlite3's connection, or postgres.py's Tx (same `?` SQL)."""

    def execute(self, sql: str, params: Any = (), /) -> Cursor: ...
    def executemany(self, sql: str, seq: Any, /) -> Cursor: ...


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _now() -> str:
    """Deprecated: use `Store.now()`, which follows the context's clock. Kept while callers move."""
    return _wall_clock().isoformat(timespec="milliseconds")


class Store:
    def __init__(self, location: str, profile: str = "default", *, clock: Callable[[], datetime] = _wall_clock) -> None:
        self.location = location
        self.profile = profile
        self.clock = clock
        self._pg = None
        if location.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
            self._pg = PgConnection(location)
            self.migrate()
            return
        self.dialect = "sqlite"
        path = Path(location)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"store: cannot open {path}: {exc}") from None
        self._lock = threading.RLock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.row_factory = sqlite3.Row
        self.migrate()

    # -- plumbing -----------------------------------------------------------------------
    def now(self) -> str:
        """The clock's time as stored in every `at` column: ISO 8601, UTC, milliseconds."""
        return self.clock().astimezone(UTC).isoformat(timespec="milliseconds")

    @contextmanager
    def tx(self) -> Iterator[Transaction]:
        """A write transaction taken immediately, so concurrent processes queue instead of failing."""
        if self._pg is not None:
            with self._pg.tx() as db:
                yield db
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        if self._pg is not None:
            rows: list[Row] = list(self._pg.query(sql, params))
            return rows
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def migrate(self) -> int:
        """Apply the migrations not applied yet; returns how many are applied in all."""
        with self.tx() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {row[0] for row in db.execute("SELECT id FROM schema_migrations")}
            for mid, script in MIGRATIONS:
                if mid in done:
                    continue
                if self._pg is not None:
                    script = migration_sql(script)
                else:
                    script = script.replace("AUTO_ID", "INTEGER PRIMARY KEY AUTOINCREMENT")
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)", (mid, self.now()))
            return len(done) + len([m for m, _ in MIGRATIONS if m not in done])

    @property
    def applied(self) -> list[str]:
        return [r[0] for r in self.query("SELECT id FROM schema_migrations ORDER BY id")]

    def close(self) -> None:
        (self._pg or self._db).close()

    # -- journal ------------------------------------------------------------------------
    def journal(self, action: str, target: str, outcome: str, detail: str | None = None) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO journal (at, profile, action, target, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (self.now(), self.profile, action, target, outcome, detail),
            )

    def journal_entries(self, *, limit: int = 50, action: str | None = None, all_profiles: bool = False) -> list[JournalEntry]:
        sql = "SELECT * FROM journal WHERE 1=1"
        params: list[Any] = []
        if not all_profiles:
            sql += " AND profile = ?"
            params.append(self.profile)
        if action:
            sql += " AND action LIKE ?"
            params.append(action.replace("*", "%"))
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [
            JournalEntry(
                id=r["id"],
                at=datetime.fromisoformat(r["at"]),
                profile=r["profile"],
                action=r["action"],
                target=r["target"],
                outcome=r["outcome"],
                detail=r["detail"],
            )
            for r in self.query(sql, tuple(params))
        ]

    # -- idempotent writes --------------------------------------------------------------
    def sent(self, key: str) -> Row | None:
        rows = self.query("SELECT * FROM sent WHERE profile = ? AND key = ?", (self.profile, key))
        return rows[0] if rows else None

    def record_sent(self, key: str, room_id: str, txn_id: str, event_id: str | None) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO sent (profile, key, room_id, txn_id, event_id, at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (profile, key) DO UPDATE SET event_id = excluded.event_id, at = excluded.at",
                (self.profile, key, room_id, txn_id, event_id, self.now()),
            )

    # -- exactly-once claims ------------------------------------------------------------
    @property
    def owner(self) -> str:
        return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"

    def claim(self, key: str, *, lease_seconds: float = 900, now: float | None = None) -> bool:
        """Take `key` for this process. True when it is ours to do: never claimed, or claimed
        by a run that failed or died (its lease ran out) and is not done. Concurrent runs,
        on this host or others sharing the store, never both get True."""
        now = time.time() if now is None else now
        with self.tx() as db:
            row = db.execute("SELECT state, lease_until FROM claims WHERE key = ?", (key,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO claims (key, owner, state, claimed_at, lease_until) VALUES (?, ?, 'running', ?, ?)",
                    (key, self.owner, now, now + lease_seconds),
                )
                return True
            if row[0] in ("done", "skipped") or (row[0] == "running" and row[1] > now):
                return False
            db.execute(
                "UPDATE claims SET owner = ?, state = 'running', claimed_at = ?, lease_until = ?, attempts = attempts + 1 WHERE key = ?",
                (self.owner, now, now + lease_seconds, key),
            )
            return True

    def finish(self, key: str, state: str = "done", detail: str | None = None) -> None:
        """Record the outcome of a claim: 'done' and 'skipped' are final, 'failed' is retried."""
        assert state in {"done", "skipped", "failed"}
        with self.tx() as db:
            if db.execute("SELECT 1 FROM claims WHERE key = ?", (key,)).fetchone() is None:
                now = time.time()
                db.execute(
                    "INSERT INTO claims (key, owner, state, claimed_at, lease_until, detail) VALUES (?, ?, ?, ?, ?, ?)",
                    (key, self.owner, state, now, now, detail),
                )
            else:
                db.execute("UPDATE claims SET state = ?, detail = ?, lease_until = 0 WHERE key = ?", (state, detail, key))

    def claim_state(self, key: str) -> Row | None:
        rows = self.query("SELECT * FROM claims WHERE key = ?", (key,))
        return rows[0] if rows else None

    def claim_states(self, keys: list[str]) -> dict[str, tuple[str, float]]:
        """key -> (state, lease_until) of the keys claimed so far (one query per 200 keys)."""
        out: dict[str, tuple[str, float]] = {}
        for i in range(0, len(keys), 200):
            chunk = keys[i : i + 200]
            marks = ", ".join("?" * len(chunk))
            for r in self.query(f"SELECT key, state, lease_until FROM claims WHERE key IN ({marks})", tuple(chunk)):
                out[r[0]] = (r[1], r[2])
        return out
