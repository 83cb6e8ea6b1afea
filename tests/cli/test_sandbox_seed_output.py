"""What `rse sandbox seed` says: one sentence for what the run did (numbers in the user's language,
plurals that agree), a table of what the sandbox holds that does not repeat it, and on a seeded
sandbox a sentence saying there was nothing to do and how to start over."""

from __future__ import annotations

import pytest

from rse_cli import i18n
from rse_cli.cli.output import label
from rse_cli.cli.sandbox import SEED_LABELS, seed_sentence, seed_table
from rse_cli.services.sandbox import SeedSummary

NNBSP = "\u202f"  # CLDR's French thousands separator


def _summary(**changes) -> SeedSummary:
    values = {
        "seed": 42,
        "people": 300,
        "days": 90,
        "communities": 5,
        "rooms": 12,
        "messages": 1204,
        "replies": 1342,
        "thread_messages": 217,
        "reactions": 2051,
        "memberships": 1763,
        "sent": 2763,
        "skipped": 0,
        "seconds": 70.5,
        "csv_path": "/tmp/sandbox/hr_export.csv",
        "leaders": ["@dg:rse.test", "@drh:rse.test"],
    }
    return SeedSummary(**(values | changes))


@pytest.fixture
def lang():
    def use(code: str) -> None:
        i18n.activate(code)

    yield use
    i18n.activate("en")


def test_a_first_seed_in_french_and_english(lang):
    lang("fr")
    assert seed_sentence(_summary()) == f"bac à sable rempli en 70,5 s : 2{NNBSP}763 événements écrits"
    lang("en")
    assert seed_sentence(_summary()) == "sandbox seeded in 70.5 s: 2,763 events written"
    assert seed_sentence(_summary(sent=1, seconds=2.0)) == "sandbox seeded in 2 s: 1 event written"


def test_a_resumed_seed_says_what_an_interrupted_run_had_written(lang):
    lang("fr")
    assert seed_sentence(_summary(sent=763, skipped=2000)) == (
        f"bac à sable rempli en 70,5 s : 763 événements écrits ; 2{NNBSP}000 événements étaient déjà là, "
        "écrits par une exécution interrompue"
    )
    lang("en")
    assert seed_sentence(_summary(sent=2762, skipped=1)) == (
        "sandbox seeded in 70.5 s: 2,762 events written; 1 event was already there from an interrupted run"
    )


def test_a_seeded_sandbox_says_there_is_nothing_to_do_and_how_to_start_over(lang):
    again = _summary(sent=0, skipped=2763, seconds=0.4, already_complete=True)
    lang("fr")
    assert seed_sentence(again) == (
        "le bac à sable contient déjà cette entreprise (graine 42, 300 personnes, 90 jours d'historique) : "
        "rien à écrire ; `rse sandbox seed --reset` la recrée de zéro"
    )
    lang("en")
    assert seed_sentence(again) == (
        "the sandbox already holds this company (seed 42, 300 people, 90 days of history): "
        "nothing to write; `rse sandbox seed --reset` starts it over"
    )


def test_the_table_holds_the_company_not_the_run(lang):
    lang("fr")
    rows = {label(k, SEED_LABELS): v for k, v in seed_table(_summary(seed=12345)).items()}
    assert rows == {
        "graine": "12345",  # an identifier: no thousands separator
        "personnes": "300",
        "jours d'historique": "90",
        "communautés": "5",
        "salons": "12",
        "messages": f"1{NNBSP}204",
        "réponses": f"1{NNBSP}342",
        "messages en fil": "217",
        "réactions": f"2{NNBSP}051",
        "adhésions": f"1{NNBSP}763",
        "dirigeants": "2",
        "export RH": "/tmp/sandbox/hr_export.csv",
    }
    lang("en")
    table = seed_table(_summary(), verbose=True)
    assert table["messages"] == "1,204" and table["leaders"] == "@dg:rse.test, @drh:rse.test"  # ids on demand
    assert not {"sent", "skipped", "seconds", "already_complete"} & set(table)  # the sentence says those
