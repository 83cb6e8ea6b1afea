"""What audit findings say, in the content language (French or English) whatever the language of the
run: grammatical for none, one and several, and every sentence comes from the gettext catalogs."""

from __future__ import annotations

import gettext

import pytest

from rse_cli import i18n
from rse_cli.config import Settings
from rse_cli.l10n import L10n
from rse_cli.services import health
from rse_cli.services.health.texts import TEXTS, text
from tests.services.test_health import MATRIX, ME, NOW, World, uid


@pytest.fixture
def world(tmp_path) -> World:
    from rse_cli.store import Store

    return World(Store(str(tmp_path / "rse.db")))


def _plant(w: World) -> None:
    """One and two of each: silent animators, animators invited but not joined; and nobody writing."""
    for key, name, animators in (("un", "Un", 1), ("deux", "Deux", 2)):
        anims = {uid(f"{key}-anim{i}"): 50 for i in range(animators)}
        c = w.community(key, name, members={**anims, uid(f"{key}-p"): 0})
        for day in range(1, 20, 3):
            w.event(c["Général"], uid(f"{key}-p"), day, body=f"Nouvelles {day}")
    for key, name, invited in (("neuve", "Neuve", ["Xavier Roux"]), ("neuves", "Neuves", ["Xavier Roux", "Yasmine Sow"])):
        c = w.community(key, name, members={uid(f"{key}-m"): 0})
        with w.store.tx() as db:
            for person in invited:
                pid = uid(person.split()[0].lower())
                db.execute("INSERT INTO members VALUES (?, ?, ?, 'invite', 'animator', 50)", (c["space"], pid, person))
    w.community("muette", "Muette", members={uid(f"m{i}"): 0 for i in range(3)})


def _messages(w: World, lang: str, leaders: list[str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    s = Settings(user=ME, client_url="https://matrix.to/#/", leaders=leaders, lang=lang)
    report = health.audit(w.store, s, addressing=MATRIX, now=NOW)
    communities = {c.name: {f.code: f"{f.message} | {f.action}" for f in c.findings} for c in report.communities}
    return communities, [f"{f.message} | {f.action}" for f in report.findings]


def test_findings_read_right_in_french_for_one_and_several(world):
    _plant(world)
    i18n.activate("en")  # the run speaks English: findings still speak the content language
    got, network = _messages(world, "fr", [uid("dg"), uid("un-p")])
    assert got["Un"]["silent_animator"] == (
        "1 animateur sans message depuis 30 jours. | "
        "Parlez-lui\u00a0: proposez un message prêt à publier, ou trouvez un co-animateur plus disponible."
    )
    assert got["Deux"]["silent_animator"].startswith("2 animateurs sans message depuis 30 jours. | Parlez-leur\u00a0: ")
    assert got["Neuve"]["animator_not_joined"].startswith(
        "L'animation est confiée à Xavier Roux, qui n'a pas encore rejoint la communauté. | Relancez personnellement"
    )
    assert got["Neuves"]["animator_not_joined"].startswith(
        "L'animation est confiée à Xavier Roux et Yasmine Sow, qui n'ont pas encore rejoint la communauté."
    )
    assert got["Muette"]["low_participation"].startswith("Aucun des 3 membres n'a écrit ces 30 derniers jours. | Posez")
    # the noun agrees with the silent ones, not with all the leaders ("1 dirigeant sur 2", not "1 dirigeants")
    assert network == [
        "1 dirigeant sur 2 n'a rien écrit ces 30 derniers jours. | Proposez à chacun un brief prêt à l'emploi "
        "(trois sujets, dans ses mots) et un créneau de 15\u00a0minutes pour publier."
    ]
    _, network = _messages(world, "fr", [uid("dg"), uid("drh")])
    assert network[0].startswith("2 dirigeants sur 2 n'ont rien écrit ces 30 derniers jours.")
    assert i18n.current() == "en"


def test_findings_read_right_in_english_for_one_and_several(world):
    _plant(world)
    i18n.activate("fr")
    try:
        got, network = _messages(world, "en", [uid("dg"), uid("un-p")])
    finally:
        i18n.activate("en")
    assert got["Un"]["silent_animator"] == (
        "1 animator wrote nothing in the last 30 days. | "
        "Talk with them: offer a ready-made post, or find them a co-animator with more time."
    )
    assert got["Deux"]["silent_animator"].startswith("2 animators wrote nothing in the last 30 days. | ")
    assert got["Neuve"]["animator_not_joined"].startswith("The animator Xavier Roux is invited but has not joined yet. | ")
    assert got["Neuves"]["animator_not_joined"].startswith(
        "The animators Xavier Roux and Yasmine Sow are invited but have not joined yet. | "
    )
    assert got["Muette"]["low_participation"].startswith("None of the 3 members wrote anything in the last 30 days. | ")
    assert network[0].startswith("1 leader out of 2 wrote nothing in the last 30 days. | Offer each one")
    _, network = _messages(world, "en", [uid("dg"), uid("drh")])
    assert network[0].startswith("2 leaders out of 2 wrote nothing in the last 30 days.")


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("fr", 0, "0 membre parmi les plus actifs de la période précédente n'a rien écrit depuis 0 jour."),
        ("fr", 1, "1 membre parmi les plus actifs de la période précédente n'a rien écrit depuis 1 jour."),
        ("fr", 5, "5 membres parmi les plus actifs de la période précédente n'ont rien écrit depuis 5 jours."),
        ("en", 0, "0 members among the most active of the previous period have written nothing for 0 days."),
        ("en", 1, "1 member among the most active of the previous period has written nothing for 1 day."),
        ("en", 5, "5 members among the most active of the previous period have written nothing for 5 days."),
    ],
)
def test_cldr_plurals_zero_is_singular_in_french_only(lang, n, expected):
    message, action = text(lang, "quiet_top_contributors", n=n, days=n)
    assert message == expected
    if lang == "fr":
        assert action == (
            "Un mot personnel\u00a0: prenez de ses nouvelles et demandez ce qui le ferait revenir."
            if n <= 1
            else "Un mot personnel\u00a0: prenez de leurs nouvelles et demandez ce qui les ferait revenir."
        )


def _values(lang: str, n: int) -> dict[str, dict[str, object]]:
    """Plausible values of every finding code, for a count n."""
    t = L10n(lang)
    return {
        "dormant": {"days": n, "last": t.date(NOW)},
        "unanswered_questions": {"n": n, "hours": 48, "share": 0.5},
        "slow_replies": {"median": t.num(n * 12.5), "hours": 24},
        "no_animator": {},
        "animator_not_joined": {"n": n, "names": t.join(["Alice", "Bob", "Chloé", "Denis", "Eva"][:n])},
        "silent_animator": {"n": n, "days": 30},
        "low_participation": {"n": n, "members": 12, "ratio": t.pct(n / 12), "days": 30},
        "concentration": {"n": n, "share": t.pct(0.7)},
        "pending_invites": {"n": n, "days": 7},
        "quiet_top_contributors": {"n": n, "days": 21},
        "newcomers_silent": {"n": n, "cohort": 8},
        "silent_leaders": {"n": n, "total": 5, "days": 30},
        "low_reach": {"share": t.pct(0.6), "people": 40 + n},
    }


class Recording(gettext.NullTranslations):
    """The French catalog, noting every message looked up."""

    def __init__(self, real: gettext.NullTranslations) -> None:
        super().__init__()
        self.real, self.seen = real, set()

    def gettext(self, message):
        self.seen.add((message, None))
        return self.real.gettext(message)

    def ngettext(self, singular, plural, n):
        self.seen.add(((singular, plural), None))
        return self.real.ngettext(singular, plural, n)

    def pgettext(self, context, message):
        self.seen.add((message, context))
        return self.real.pgettext(context, message)

    def npgettext(self, context, singular, plural, n):
        self.seen.add(((singular, plural), context))
        return self.real.npgettext(context, singular, plural, n)


def test_every_text_a_finding_uses_is_seen_by_the_catalog_tools(monkeypatch):
    """The catalog test (tests/test_i18n.py) checks what Babel extracts with i18n.KEYWORDS: every
    message a finding looks up at run time must be among them, or a missing translation would pass."""
    from tests.test_i18n import _source_messages

    recording = Recording(i18n.translations("fr"))
    monkeypatch.setitem(i18n._loaded, "fr", recording)
    for n in (0, 1, 2, 5):
        for code, values in _values("fr", n).items():
            message, action = text("fr", code, **values)
            english = text("en", code, **_values("en", n)[code])
            assert message != english[0] and action != english[1], code  # translated, not the English source
    assert set(TEXTS) == set(_values("fr", 1))
    extracted = set(_source_messages())
    assert recording.seen and recording.seen <= extracted, recording.seen - extracted


# -- French typography, as the templates beside them in the report: a no-break space (U+00A0) before
# ":" and inside « », a narrow one (U+202F) before ; ? !, a no-break space between a number and its unit

NB, NNB = "\u00a0", "\u202f"


def _every_french_text() -> list[str]:
    out = []
    for n in (0, 1, 2, 5):
        for code, values in _values("fr", n).items():
            out.extend(text("fr", code, **values))
    return out


def test_french_findings_use_french_typography_like_the_templates():
    import re

    from rse_cli.services.health.texts import word

    every = [*_every_french_text(), word("fr", "last", last="12 octobre 2026")]
    assert not [s for s in every if re.search(r"[ \u202f]:", s)]  # never an ordinary (or narrow) space before ":"
    assert not [s for s in every if re.search(r"[ \u00a0][;?!]", s)]
    assert not [s for s in every if "« " in s or " »" in s]
    assert not [s for s in every if re.search(r"\d h\b|\} h\b", s)]
    assert word("fr", "last", last="12 octobre 2026") == f"dernier message{NB}: 12 octobre 2026"
    dormant = text("fr", "dormant", days=30, last="12 octobre 2026")
    assert dormant[0] == f"Aucun message depuis 30 jours (dernier{NB}: 12 octobre 2026)."
    # "réaction" is an emoji everywhere else in rse: what the animator answers is a reply
    assert f"à chaque réponse sous 24{NB}h{NNB}; si la communauté" in dormant[1] and "réaction" not in dormant[1]
    action = text("fr", "low_participation", n=1, members=12, ratio="8 %", days=30)[1]
    assert f"«{NB}sur quoi travaillez-vous{NNB}?{NB}»" in action


def test_english_quotes_are_curly():
    action = text("en", "low_participation", n=1, members=12, ratio="8%", days=30)[1]
    assert "“what are you working on?”" in action and "'" not in action


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", f"La première réponse arrive en 66,5{NB}h (médiane{NNB}; seuil 24{NB}h)."),
        ("en", "Median time to a first reply is 66.5 h (threshold 24 h)."),
    ],
)
def test_slow_replies_show_the_median_as_the_report_tile_does(world, lang, expected):
    """Replies after 60 h and 73 h: the median is 66.5 h; Python's round() would say 66 (banker's rounding)."""
    from rse_cli.services.report import render_html
    from tests.services.test_health import settings

    c = world.community("lent", "Lente", members={uid("anim"): 50, uid("a"): 0, uid("b"): 0})
    for i, hours in enumerate((60, 73)):
        root = world.event(c["Général"], uid("a"), 10 + i, body=f"Point d'étape {i}")
        world.event(c["Général"], uid("b"), 10 + i - hours / 24, "reply", body="Vu", parent=root)
    s = settings(lang=lang)
    report = health.audit(world.store, s, addressing=MATRIX, now=NOW)
    [slow] = [f for f in report.communities[0].findings if f.code == "slow_replies"]
    assert slow.message == expected
    html = render_html(report, settings=s)
    assert f"{L10n(lang).num(66.5)}{NB}h</b>" in html  # the tile: the same figure
