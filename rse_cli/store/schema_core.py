"""Core tables: the journal of network writes and the record of what was sent."""

MIGRATIONS = [
    (
        "0001_journal_and_sent",
        """
        CREATE TABLE journal (
            id AUTO_ID,
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
    ),
    (
        "0002_claims",
        """
        CREATE TABLE claims (
            key TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            state TEXT NOT NULL,
            claimed_at REAL NOT NULL,
            lease_until REAL NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 1,
            detail TEXT
        )
        """,
    ),
]
