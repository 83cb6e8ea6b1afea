"""Sends started but not yet recorded, for networks that do not deduplicate sends themselves
(capabilities.server_idempotency False): a run that died in between looks for its message."""

MIGRATIONS = [
    (
        "4002_send_attempts",
        """
        CREATE TABLE send_attempts (
            profile TEXT NOT NULL,
            key TEXT NOT NULL,
            room_id TEXT NOT NULL,
            started_ms INTEGER NOT NULL,
            PRIMARY KEY (profile, key)
        )
        """,
    ),
]
