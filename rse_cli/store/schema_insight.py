"""Insight (issue 14): a leader's grammatical gender, so briefs agree with them ("fier" / "fière")."""

MIGRATIONS = [
    (
        "5001_leader_pronoun",
        """
        ALTER TABLE leaders ADD COLUMN pronoun TEXT
        """,
    ),
]
