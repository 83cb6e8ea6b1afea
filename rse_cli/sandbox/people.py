"""The staff of the sandbox company: names, departments, sites, jobs, managers, start dates.

Pure and deterministic: everything is drawn from the `random.Random` it is given, and
dates are relative to the `today` it is given, so one seed always gives the same people.
A few key people (the leaders, the animators of the communities) are always created first,
so every planted situation has its cast whatever the size.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

EMAIL_DOMAIN = "rivage.example.org"

FEMALE_NAMES = (
    "Camille Léa Manon Chloé Emma Inès Jade Louise Alice Lina Sarah Juliette Zoé Anaïs Clara Mathilde Pauline "
    "Marion Élodie Aurélie Céline Sophie Nathalie Isabelle Sandrine Valérie Christine Agathe Margaux Lucie Noémie "
    "Héloïse Solène Maëlle Gaëlle Nadia Yasmine Fatou Amélie Hélène Laure Claire Morgane Charlotte Océane Mélanie"
).split()
MALE_NAMES = (
    "Lucas Hugo Louis Gabriel Arthur Jules Adam Raphaël Léo Paul Thomas Nicolas Julien Maxime Antoine Alexandre "
    "Romain Guillaume Pierre Mathieu Sébastien Laurent Olivier Christophe Stéphane Frédéric Éric Philippe Yann "
    "Erwan Gwenaël Loïc Bastien Quentin Benoît Mehdi Karim Samir Youssef Malik Théo Victor Baptiste Damien "
    "Cédric Fabien Jérôme Vincent Franck Grégoire Hervé Tristan Ronan Kevin"
).split()

LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet François "
    "Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu "
    "Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire "
    "Duval Joly Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Perez Marchand Dufour Blanchard Marie "
    "Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud Rolland Caron Aubert Giraud "
    "Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard Philippe Leclercq Lacroix Fabre Dupuis Olivier "
    "Rodriguez Da_Silva Hamon Le_Gall Le_Goff Guillou Tanguy Kerbrat Le_Roux Benali Haddad Diallo Traoré"
).split()
LAST_NAMES = [name.replace("_", " ") for name in LAST_NAMES]

SITES = ("Nantes", "Lyon", "Paris", "Lille", "Bordeaux")

# department -> (weight in the staff, site weights in SITES order, ordinary job titles).
# A title "masculine|feminine" is given in the person's gender.
DEPARTMENTS: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]] = {
    "Direction": (
        2,
        (8, 0, 2, 0, 0),
        (
            "Assistant de direction|Assistante de direction",
            "Chargé de communication interne|Chargée de communication interne",
            "Juriste",
        ),
    ),
    "Ventes": (
        20,
        (6, 3, 3, 2, 4),
        (
            "Chargé d'affaires|Chargée d'affaires",
            "Ingénieur commercial|Ingénieure commerciale",
            "Assistant commercial|Assistante commerciale",
            "Technico-commercial|Technico-commerciale",
            "Key account manager",
        ),
    ),
    "Marketing": (
        7,
        (4, 0, 4, 0, 1),
        (
            "Chef de produit|Cheffe de produit",
            "Chargé de veille|Chargée de veille",
            "Chargé de communication|Chargée de communication",
            "Graphiste",
            "Chargé d'événementiel|Chargée d'événementiel",
        ),
    ),
    "RH": (
        5,
        (5, 2, 2, 1, 1),
        (
            "Chargé de recrutement|Chargée de recrutement",
            "Gestionnaire paie",
            "Chargé de formation|Chargée de formation",
            "Assistant RH|Assistante RH",
        ),
    ),
    "Finance": (
        6,
        (6, 1, 2, 0, 0),
        (
            "Contrôleur de gestion|Contrôleuse de gestion",
            "Comptable",
            "Acheteur|Acheteuse",
            "Trésorier|Trésorière",
            "Gestionnaire crédit client",
        ),
    ),
    "IT/Data": (
        11,
        (6, 2, 3, 0, 0),
        (
            "Data scientist",
            "Data engineer",
            "Développeur|Développeuse",
            "Administrateur systèmes|Administratrice systèmes",
            "Technicien support|Technicienne support",
            "Chef de projet IT|Cheffe de projet IT",
        ),
    ),
    "Production": (
        33,
        (5, 4, 0, 4, 0),
        (
            "Opérateur de production|Opératrice de production",
            "Technicien de maintenance|Technicienne de maintenance",
            "Chef d'équipe|Cheffe d'équipe",
            "Ingénieur méthodes|Ingénieure méthodes",
            "Technicien qualité|Technicienne qualité",
            "Soudeur|Soudeuse",
        ),
    ),
    "Logistique": (
        16,
        (4, 3, 0, 2, 2),
        (
            "Cariste",
            "Gestionnaire des stocks",
            "Approvisionneur|Approvisionneuse",
            "Préparateur de commandes|Préparatrice de commandes",
            "Affréteur|Affréteuse",
        ),
    ),
}

# The cast every plan needs: (role key, department, site, job title, female). Created first, in this order.
KEY_PEOPLE: tuple[tuple[str, str, str, str, bool], ...] = (
    ("dg", "Direction", "Nantes", "Directeur général", False),
    ("dir_ventes", "Ventes", "Nantes", "Directrice commerciale", True),
    ("drh", "RH", "Paris", "Directrice des ressources humaines", True),
    ("daf", "Finance", "Nantes", "Directeur administratif et financier", False),
    ("dir_industriel", "Production", "Lyon", "Directeur industriel", False),
    ("dsi", "IT/Data", "Nantes", "Directeur des systèmes d'information", False),
    ("resp_marketing", "Marketing", "Paris", "Responsable marketing", True),
    ("resp_logistique", "Logistique", "Nantes", "Responsable logistique", False),
    ("resp_ventes_ouest", "Ventes", "Nantes", "Responsable des ventes Ouest", False),
    ("resp_data", "IT/Data", "Nantes", "Responsable Data & IA", False),
    ("veilleuse", "Marketing", "Paris", "Chargée de veille", True),
    ("integration", "RH", "Nantes", "Chargée d'intégration", True),
    ("club_president", "Production", "Nantes", "Technicien de maintenance", False),
)
# who heads each department (everyone without a closer manager reports to them)
HEADS = {
    "Direction": "dg",
    "Ventes": "dir_ventes",
    "RH": "drh",
    "Finance": "daf",
    "Production": "dir_industriel",
    "IT/Data": "dsi",
    "Marketing": "resp_marketing",
    "Logistique": "resp_logistique",
}
LEADER_ROLES = ("dg", "dir_ventes", "drh", "daf", "dir_industriel")
# recent arrivals, as shares of the staff: newcomers already welcomed, and the very latest ones
NEWCOMER_SHARE, NOT_ONBOARDED_SHARE = 0.07, 0.025


@dataclass(frozen=True)
class Person:
    localpart: str
    first_name: str
    last_name: str
    department: str
    site: str
    job_title: str
    start_date: date
    manager: str | None = None  # the manager's localpart
    role: str | None = None  # a KEY_PEOPLE role key, for the cast of the story

    @property
    def email(self) -> str:
        return f"{self.localpart}@{EMAIL_DOMAIN}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch if ch.isalnum() else "-" for ch in plain).strip("-")


def _weighted(rng: random.Random, options: tuple[str, ...], weights: tuple[int, ...]) -> str:
    return rng.choices(options, weights=weights, k=1)[0]


def _start_date(rng: random.Random, today: date, kind: str) -> date:
    if kind == "veteran":
        return today - timedelta(days=rng.randint(5 * 365, 22 * 365))
    if kind == "newcomer":  # welcomed in the last weeks: joined the newcomers' space
        return today - timedelta(days=rng.randint(8, 28))
    if kind == "not_onboarded":  # arrived this week: not in any community yet
        return today - timedelta(days=rng.randint(0, 5))
    # most staff: a long tail of seniorities, a few arrived this year
    years = rng.choices((0.4, 1, 3, 7, 15), weights=(8, 14, 30, 30, 18), k=1)[0]
    return today - timedelta(days=int(rng.uniform(0.5, 1.5) * years * 365) + 60)


def make_people(rng: random.Random, count: int, today: date) -> list[Person]:
    """`count` people, the KEY_PEOPLE first, with unique names, e-mails and localparts."""
    used_names: set[tuple[str, str]] = set()
    used_locals: set[str] = set()

    def new_name(female: bool) -> tuple[str, str, str]:
        while True:
            first, last = rng.choice(FEMALE_NAMES if female else MALE_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used_names:
                break
        used_names.add((first, last))
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        local, n = base, 2
        while local in used_locals:
            local, n = f"{base}{n}", n + 1
        used_locals.add(local)
        return local, first, last

    # newcomers: those welcomed, plus those invited who never came (see pending_count)
    newcomers = max(4, round(count * NEWCOMER_SHARE)) + pending_count(count)
    recent = ["newcomer"] * newcomers + ["not_onboarded"] * max(2, round(count * NOT_ONBOARDED_SHARE))
    ordinary = count - len(KEY_PEOPLE) - len(recent)
    if ordinary < 10:
        raise ValueError(f"a company needs at least {len(KEY_PEOPLE) + len(recent) + 10} people")
    kinds = ["staff"] * ordinary + recent
    rng.shuffle(kinds)

    people: list[Person] = []
    for role, dept, site, title, female in KEY_PEOPLE:
        local, first, last = new_name(female)
        kind = "veteran" if role in LEADER_ROLES or role in HEADS.values() else "staff"
        people.append(Person(local, first, last, dept, site, title, _start_date(rng, today, kind), role=role))
    departments = tuple(DEPARTMENTS)
    for kind in kinds:
        dept = _weighted(rng, departments, tuple(d[0] for d in DEPARTMENTS.values()))
        weight, site_weights, titles = DEPARTMENTS[dept]
        female = rng.random() < 0.5
        local, first, last = new_name(female)
        title = rng.choice(titles).split("|")[-1 if female else 0]
        people.append(Person(local, first, last, dept, _weighted(rng, SITES, site_weights), title, _start_date(rng, today, kind)))
    return _with_managers(people, today)


def _with_managers(people: list[Person], today: date) -> list[Person]:
    """Heads report to the DG; each (department, site) gets a team lead; others report to it.

    A team lead is the first person of the (department, site) with more than a year in
    the company; a site without one reports to the department's head.
    """
    by_role = {p.role: p for p in people if p.role}
    dg = by_role["dg"].localpart
    leads: dict[tuple[str, str], str] = {
        ("Ventes", "Nantes"): by_role["resp_ventes_ouest"].localpart,
        ("IT/Data", "Nantes"): by_role["resp_data"].localpart,
    }
    for p in people:
        if not p.role and p.department != "Direction" and (today - p.start_date).days > 365:
            leads.setdefault((p.department, p.site), p.localpart)
    lead_ids = set(leads.values())
    out: list[Person] = []
    for p in people:
        head = by_role[HEADS[p.department]].localpart
        fields = dict(p.__dict__)
        if p.role == "dg":
            fields["manager"] = None
        elif p.role in HEADS.values():
            fields["manager"] = by_role["dir_industriel"].localpart if p.role == "resp_logistique" else dg
        elif p.role or p.localpart in lead_ids:
            fields["manager"] = head
            if not p.role:
                fields["job_title"] = _lead_title(p.department, p.site)
        else:
            fields["manager"] = leads.get((p.department, p.site), head)
        out.append(Person(**fields))
    return out


def _lead_title(department: str, site: str) -> str:
    return {
        "Ventes": f"Responsable des ventes {site}",
        "Production": f"Responsable de production {site}",
        "Logistique": f"Chef d'entrepôt {site}",
        "IT/Data": f"Responsable informatique {site}",
        "Marketing": f"Responsable communication {site}",
        "RH": f"Responsable RH {site}",
        "Finance": f"Responsable comptable {site}",
    }.get(department, f"Responsable {department} {site}")


def pending_count(count: int) -> int:
    """How many newcomers were invited to the newcomers' space and never joined."""
    return max(2, round(count / 120))


def arrival(person: Person, today: date) -> str:
    """ "not_onboarded" (this week), "newcomer" (welcomed in the last weeks) or "staff"."""
    age = (today - person.start_date).days
    if age <= 5:
        return "not_onboarded"
    return "newcomer" if age <= 45 else "staff"
