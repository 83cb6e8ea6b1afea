"""Schema migrations, in order. Never edit a released one: append a new one."""

MIGRATIONS: list[str] = [
    # 1: journal of network writes, and the record of what was sent (idempotency across devices and days)
    """
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        profile TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX journal_profile ON journal (profile, id);
    CREATE TABLE sent (
        profile TEXT NOT NULL,
        key TEXT NOT NULL,
        room_id TEXT NOT NULL,
        txn_id TEXT NOT NULL,
        event_id TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (profile, key)
    )
    """,
]
