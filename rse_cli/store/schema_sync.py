"""Network-wide change tracking for `rse sync` (ids 6xxx): the connector's "what changed since"
token, the rooms it reported as changed and not read yet, and rooms known not to be communities."""

MIGRATIONS = [
    (
        "6001_sync_changes",
        """
        CREATE TABLE sync_state (
            key TEXT PRIMARY KEY,
            value TEXT,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE sync_pending (
            room_id TEXT PRIMARY KEY,
            since TEXT NOT NULL
        );
        CREATE TABLE sync_not_community (
            room_id TEXT PRIMARY KEY
        )
        """,
    ),
]
