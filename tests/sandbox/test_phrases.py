"""The seeded messages are quoted by digests, briefs and audits: they must read as correct French.
Where a template meets a slot's value, "de" + "le syndicat" is "du syndicat", "à" + "le camping" is
"au camping", "de" + "Airflow" is "d'Airflow", and a sentence never starts in lowercase."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest

from rse_cli.sandbox import phrases
from rse_cli.sandbox.company import build_plan
from rse_cli.sandbox.phrases import BANK, QA, SLOTS, compose, fill
from rse_cli.sandbox.plan import Message

# what French never writes (the contracted or elided form is the only correct one)
WRONG = {
    "de le": re.compile(r"(?<![\w'])de le ", re.IGNORECASE),
    "de les": re.compile(r"(?<![\w'])de les ", re.IGNORECASE),
    "à le": re.compile(r"(?<![\w'])à le ", re.IGNORECASE),
    "à les": re.compile(r"(?<![\w'])à les ", re.IGNORECASE),
    "de + vowel": re.compile(r"(?<![\w'])de [aeiouàâéèêîôû]", re.IGNORECASE),
    "que + vowel": re.compile(r"(?<![\w'])que [aeiouàâéèêîôû]", re.IGNORECASE),
    "lowercase sentence start": re.compile(r"(?:^|[.!?] )[a-zàâéèêîôûç]"),
    ". !": re.compile(r"\. !"),
}


def _problems(text: str, template: str = "") -> list[str]:
    # a hand-written template may use the same words on purpose ("pensez à le lire": "le" is a pronoun)
    return [name for name, rx in WRONG.items() if len(rx.findall(text)) > len(rx.findall(template))]


def _templates() -> list[str]:
    out = [t for bank in BANK.values() for t in bank]
    for pairs in QA.values():
        for question, answers in pairs:
            out += [question, *answers]
    return out


def test_the_reported_phrases_read_correctly():
    rng = random.Random(0)
    kudos = fill(BANK["ventes.kudos"][0], rng, {"collegue": "Lina", "client": "le syndicat des eaux du Marais", "emoji_fin": ""})
    assert kudos == "Kudos du vendredi : bravo à Lina pour le dossier du syndicat des eaux du Marais, bouclé en un temps record"
    question = "Qui peut m'aider à chiffrer une extension de {produit} pour {client} ?"
    assert fill(question, rng, {"produit": "le contrat Sérénité", "client": "la clinique Saint-Roch"}) == (
        "Qui peut m'aider à chiffrer une extension du contrat Sérénité pour la clinique Saint-Roch ?"
    )
    renewal = "{client} renouvelle son contrat Sérénité pour 3 ans, merci à toute l'équipe{emoji_fin}"
    assert fill(renewal, rng, {"client": "la mairie de Saint-Brevin", "emoji_fin": ""}).startswith(
        "La mairie de Saint-Brevin renouvelle"
    )
    assert fill(
        "{concurrent} propose 15 % de remise à {client} ?", rng, {"concurrent": "Aquatis", "client": "le golf de l'Estuaire"}
    ) == ("Aquatis propose 15 % de remise au golf de l'Estuaire ?")
    assert fill("Prise en main de {outil}.", rng, {"outil": "Airflow"}) == "Prise en main d'Airflow."
    assert fill("Le tarif de {x}.", rng, {"x": "les pompes"}) == "Le tarif des pompes."
    # a city keeps its capitalised article, and a sentence after a full stop starts with a capital
    assert fill("Tournée à {ville}. {client} rappelle.", rng, {"ville": "La Rochelle", "client": "l'hôtel Le Phare"}) == (
        "Tournée à La Rochelle. L'hôtel Le Phare rappelle."
    )


def test_every_template_with_every_value_of_every_slot():
    """Each template, each of its slots taking each of its values in turn (the others at random)."""
    checked = 0
    for template in _templates():
        slots = [s for s in re.findall(r"\{(\w+)\}", template) if s in SLOTS]
        for slot in slots or [None]:
            for value in SLOTS[slot] if slot else [None]:
                rng = random.Random(checked)
                ctx = phrases.context(rng, {"collegue": "Lina", "prenom": "Théo", "prenoms": "Théo et Lina", "site": "Nantes"})
                ctx |= {"poste": "acheteuse", "departement": "Achats"}
                if slot:
                    ctx[slot] = value
                text = fill(template, rng, ctx)
                assert not _problems(text, template), f"{_problems(text, template)}: {text!r} (from {template!r})"
                checked += 1
    assert checked > 500


@pytest.mark.parametrize("seed", [1, 42])
def test_a_whole_seeded_history_reads_as_correct_french(seed):
    """Every message of a generated company, variants included (phrases.LEADS / TAILS)."""
    plan = build_plan(seed, 300, 90, datetime(2026, 11, 23, 10, 30, tzinfo=UTC))
    bodies = [e.body for e in plan.events() if isinstance(e, Message)]
    bad = [(b, p) for b in bodies if (p := _problems(b, _template_of(b)))]
    assert not bad, bad[:10]
    assert len(bodies) > 1000


def _template_of(body: str) -> str:
    """The hand-written words a body comes from, for the few templates that say "à le" on purpose."""
    return next((t for t in _templates() if "{" not in t and t.rstrip(".") in body), "")


def test_compose_keeps_the_natural_case_for_a_lead():
    """A question varied with a lead goes on in lowercase, except for a name ("HydroNova")."""
    rng = random.Random(0)
    assert compose("Quelqu'un a déjà travaillé avec {client} ?", rng, {"client": "la Brasserie du Pertuis"}).startswith(
        "quelqu'un"
    )
    assert compose("{concurrent} propose 15 % ?", rng, {"concurrent": "HydroNova"}).startswith("HydroNova")
