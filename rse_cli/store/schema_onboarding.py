"""Onboarding: what `onboard apply` did per person, and campaigns with their enrolled people.

Campaign steps are not stored here: each step is a claim (`store.claim`) keyed
`campaign:<profile>:<name>:<person>:<step>`, whose state and detail say what happened.
"""

MIGRATIONS = [
    (
        "2001_onboarding",
        """
        CREATE TABLE onboard_rows (
            profile TEXT NOT NULL,
            manifest TEXT NOT NULL,
            community TEXT NOT NULL,
            person TEXT NOT NULL,
            ref TEXT NOT NULL,
            state TEXT NOT NULL,
            error TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (profile, manifest, community, person)
        );
        CREATE TABLE campaigns (
            profile TEXT NOT NULL,
            name TEXT NOT NULL,
            communities TEXT NOT NULL,
            steps TEXT NOT NULL,
            lang TEXT NOT NULL,
            people_file TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (profile, name)
        );
        CREATE TABLE campaign_people (
            profile TEXT NOT NULL,
            campaign TEXT NOT NULL,
            person TEXT NOT NULL,
            ref TEXT NOT NULL,
            fields TEXT NOT NULL,
            enrolled_at TEXT NOT NULL,
            PRIMARY KEY (profile, campaign, person)
        );
        CREATE INDEX journal_action_target ON journal (action, target)
        """,
    ),
]
