"""Synced network state: communities, rooms, member snapshots, events and per-room checkpoints.

Column names, in rse's vocabulary whatever the network:
- rooms.is_main: 1 for the community's own room (a Matrix Space; on a one-feed network, the
  feed itself), 0 for the rooms inside it. Named `is_space` until 1002.
- members.level: the network's own level behind the role (Member.power, kept for --json; 0 on a
  network without levels). rse decides with members.role. Named `power` until 1002.
- members.membership and events.membership: rse's vocabulary (domain.Membership).

1001 stays as written (stores exist with it): 1002 renames its two Matrix-flavoured columns
(RENAME COLUMN keeps the data; SQLite >= 3.25 and PostgreSQL both have it, in the migration's
transaction). A shared PostgreSQL store migrated by this version is no longer readable by an
older rse on another host: upgrade every host together.
"""

MIGRATIONS = [
    (
        "1001_sync",
        """
        CREATE TABLE communities (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            alias TEXT,
            synced_at TEXT NOT NULL
        );
        CREATE TABLE rooms (
            id TEXT PRIMARY KEY,
            community_id TEXT NOT NULL,
            name TEXT NOT NULL,
            is_space INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX rooms_community ON rooms (community_id);
        CREATE TABLE members (
            community_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            display_name TEXT,
            membership TEXT NOT NULL,
            role TEXT NOT NULL,
            power INTEGER NOT NULL,
            PRIMARY KEY (community_id, user_id)
        );
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            room_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            ts INTEGER NOT NULL,
            kind TEXT NOT NULL,
            body TEXT,
            parent_id TEXT,
            thread_root TEXT,
            reaction_key TEXT,
            membership TEXT,
            target TEXT
        );
        CREATE INDEX events_room_ts ON events (room_id, ts);
        CREATE INDEX events_parent ON events (parent_id);
        CREATE TABLE checkpoints (
            room_id TEXT PRIMARY KEY,
            token TEXT,
            events INTEGER NOT NULL DEFAULT 0,
            synced_at TEXT NOT NULL
        )
        """,
    ),
    (
        "1002_neutral_column_names",
        """
        ALTER TABLE rooms RENAME COLUMN is_space TO is_main;
        ALTER TABLE members RENAME COLUMN power TO level
        """,
    ),
]
