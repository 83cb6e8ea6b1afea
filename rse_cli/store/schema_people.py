"""Viva Engage's two ids of one person (Graph's GUID, Yammer's number) and pending community
creations: caches of the engage connector, kept in the store so they survive runs and hosts.
Viva Engage keeps no alias beside a community's name: the alias rse created it with (a manifest's
key, `--alias`) is kept here, so the community answers to it as it does on Matrix."""

MIGRATIONS = [
    (
        "4001_engage_people",
        """
        CREATE TABLE engage_people (
            profile TEXT NOT NULL,
            yammer_id TEXT NOT NULL,
            graph_id TEXT,
            email TEXT,
            name TEXT,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (profile, yammer_id)
        );
        CREATE INDEX engage_people_graph ON engage_people (profile, graph_id);
        CREATE INDEX engage_people_email ON engage_people (profile, email);
        CREATE TABLE engage_pending (
            profile TEXT NOT NULL,
            name TEXT NOT NULL,
            location TEXT NOT NULL,
            started_at TEXT NOT NULL,
            PRIMARY KEY (profile, name)
        )
        """,
    ),
    (
        "4002_engage_aliases",
        """
        CREATE TABLE engage_aliases (
            profile TEXT NOT NULL,
            alias TEXT NOT NULL,
            community_id TEXT NOT NULL,
            PRIMARY KEY (profile, alias)
        );
        CREATE INDEX engage_aliases_community ON engage_aliases (profile, community_id)
        """,
    ),
]
