"""Animations (scheduled rituals), their occurrences, leaders and the briefs sent to them."""

MIGRATIONS = [
    (
        "3001_animations_and_leaders",
        """
        CREATE TABLE animations (
            profile TEXT NOT NULL,
            name TEXT NOT NULL,
            community TEXT NOT NULL,
            room TEXT,
            kind TEXT NOT NULL,
            expr TEXT NOT NULL,
            tz TEXT NOT NULL,
            template TEXT NOT NULL,
            lang TEXT,
            bank TEXT,
            vars TEXT,
            paused INTEGER NOT NULL DEFAULT 0,
            active_since TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (profile, name)
        );
        CREATE TABLE animation_runs (
            profile TEXT NOT NULL,
            name TEXT NOT NULL,
            occurrence TEXT NOT NULL,
            text TEXT,
            question TEXT,
            state TEXT NOT NULL,
            room_id TEXT,
            event_id TEXT,
            detail TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (profile, name, occurrence)
        );
        CREATE TABLE leaders (
            profile TEXT NOT NULL,
            user_id TEXT NOT NULL,
            name TEXT,
            scopes TEXT NOT NULL,
            lang TEXT,
            via TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (profile, user_id)
        );
        CREATE TABLE briefs (
            profile TEXT NOT NULL,
            leader TEXT NOT NULL,
            recipient TEXT NOT NULL,
            ts INTEGER NOT NULL,
            room_id TEXT,
            event_id TEXT,
            txn_id TEXT NOT NULL,
            PRIMARY KEY (profile, txn_id)
        )
        """,
    ),
]
