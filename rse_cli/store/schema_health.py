"""Community health: audit snapshots (for `rse audit history`) and digests sent (sent once per period)."""

MIGRATIONS = [
    (
        "1101_health",
        """
        CREATE TABLE audit_snapshots (
            id AUTO_ID,
            at TEXT NOT NULL,
            profile TEXT NOT NULL,
            community_id TEXT NOT NULL,
            community_name TEXT NOT NULL,
            window_days INTEGER NOT NULL,
            score INTEGER NOT NULL,
            metrics TEXT NOT NULL,
            findings TEXT NOT NULL
        );
        CREATE INDEX audit_snapshots_community ON audit_snapshots (community_id, at);
        CREATE TABLE digests (
            profile TEXT NOT NULL,
            community_id TEXT NOT NULL,
            period TEXT NOT NULL,
            recipient TEXT NOT NULL,
            event_id TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (profile, community_id, period, recipient)
        );
        CREATE INDEX digests_event ON digests (event_id);
        CREATE INDEX events_thread_root ON events (thread_root)
        """,
    ),
]
