"""What the packaged templates say, read as their readers read it: French typography, agreement
with counts, no empty lines left by empty sections, nothing said twice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from rse_cli.l10n import L10n
from rse_cli.templating import Templates

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
NBSP, NNBSP = "\u00a0", "\u202f"
# French puts a no-break space before : and inside « », a narrow one before ; ? ! — an ordinary
# space there lets a line break leave the sign alone at the start of the next line
ORDINARY_SPACE = re.compile(r" [:;?]| !(?!=)|« | »")


def _french_text(path: Path) -> str:
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)  # comments are for authors
    if path.name == "report.html.j2":  # one file, both languages: its French strings and French-only branches
        text = text.split('"en": {', 1)[0] + "".join(re.findall(r'"[^"]*" if lang == "fr"', text))
    return text


@pytest.mark.parametrize("path", [*sorted((TEMPLATES / "fr").glob("*.j2")), TEMPLATES / "report.html.j2"], ids=lambda p: p.name)
def test_french_templates_use_no_break_spaces_before_double_signs_and_inside_guillemets(path):
    bad = [m.group(0) for m in ORDINARY_SPACE.finditer(_french_text(path))]
    assert not bad, f"{path.name}: ordinary spaces in {bad}"


def test_french_brief_prints_the_hour_with_a_no_break_space():
    source = (TEMPLATES / "fr" / "leader-brief.md.j2").read_text(encoding="utf-8")
    assert "{{ best_time.hour }}" + NBSP + "h" in source


AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
POST = {"excerpt": "Qui a un avis ?", "author": "Ann Roy", "replies": 1, "reactions": 0, "link": "https://matrix.to/#/!r:x/$e"}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_digest_with_empty_sections_leaves_no_run_of_blank_lines(lang):
    text = Templates(None, lang).render(
        "digest",
        {
            "community": "Ventes Ouest",
            "period": "week",
            "start": date(2026, 11, 18),
            "end": date(2026, 11, 25),
            "best_posts": [POST],
            "newcomers": [],
            "questions": [],
            "animations": [{"title": "AMA", "at": AT, "where": None, "link": None}] * 2,
            "notes": [],
            "t": L10n(lang),
        },
    )
    assert "\n\n\n" not in text
    upcoming = text.rsplit("**", 1)[1].strip().splitlines()
    assert len(upcoming) == 2 and all(line.startswith("- ") for line in upcoming)  # a tight list, one line each


@pytest.mark.parametrize(("lang", "asked"), [("fr", "cette semaine"), ("en", "this week")])
def test_kudos_without_top_posts_asks_its_question_once(lang, asked):
    text = Templates(None, lang).render("kudos-friday", {"top_posts": [], "t": L10n(lang)})
    assert text.count(asked) == 1, text


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "les communautés **A**, **B** et **C** seraient heureuses de te lire"),
        ("en", "**A**, **B** and **C** would love to hear from you"),
    ],
)
def test_second_nudge_agrees_with_several_communities(lang, expected):
    communities = [{"name": n, "link": f"https://matrix.to/#/#{n}:x"} for n in "ABC"]
    text = Templates(None, lang).render("nudge-second", {"first_name": "Léa", "communities": communities, "animator": None})
    assert expected in text.replace(NBSP, " ")


def test_second_nudge_for_one_community_stays_singular():
    text = Templates(None, "fr").render(
        "nudge-second", {"first_name": "Léa", "communities": [{"name": "A", "link": "l"}], "animator": None}
    )
    assert "la communauté **A** serait heureuse de te lire" in text


@pytest.mark.parametrize(
    ("lang", "expected"), [("fr", "Tu as rejoint **A** et **B** il y a"), ("en", "You joined **A** and **B** a few")]
)
def test_first_nudge_joins_two_communities_with_and(lang, expected):
    communities = [{"name": n, "link": "l"} for n in "AB"]
    assert expected in Templates(None, lang).render("nudge-first-post", {"first_name": "Léa", "communities": communities})


# -- the HTML report, as a director reads it --------------------------------------------------


def _world(tmp_path):
    from rse_cli.store import Store
    from tests.services.test_health import World

    return World(Store(str(tmp_path / "rse.db")))


def _audited(world, lang):
    """The audit of `world` and its HTML report, in `lang`."""
    from rse_cli.services import health
    from rse_cli.services.report import render_html
    from tests.services.test_health import MATRIX, NOW, settings

    report = health.audit(world.store, settings(lang=lang), now=NOW, addressing=MATRIX)
    return report, render_html(report, settings=settings(lang=lang))


def _report(tmp_path, lang):
    from tests.services.test_health import plant, uid

    world = _world(tmp_path)
    plant(world)
    # nine questions nobody answered: more examples than a finding lists
    h = world.community("aide", "Aide", members={uid("anim9"): 50, **{uid(f"q{i}"): 0 for i in range(9)}})
    for i in range(9):
        world.event(h["Général"], uid(f"q{i}"), 3 + i, body=f"Quelqu'un sait faire {i} ?")
    return _audited(world, lang)


def _visible(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<title>.*?</title>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_report_shows_no_finding_codes(tmp_path, lang):
    report, html = _report(tmp_path, lang)
    codes = {f.code for c in report.communities for f in c.findings} | {f.code for f in report.findings}
    assert codes
    shown = [code for code in codes if re.search(rf"\b{code}\b", _visible(html))]
    assert not shown  # `silent_animator` means nothing to a director
    assert all(f'data-code="{code}"' in html for code in codes)  # still there for whoever post-processes the file


@pytest.mark.parametrize(("lang", "one", "other"), [("fr", "critique", "critiques"), ("en", "warning", "warnings")])
def test_report_headline_labels_agree_with_their_counts(tmp_path, lang, one, other):
    report, html = _report(tmp_path, lang)
    kpis = {label: int(n) for n, label in re.findall(r'<div class="kpi[^"]*"><b[^>]*>(\d+)</b><span>([^<]+)</span>', html)}
    assert len(kpis) == 5, kpis
    count = kpis.get(one, kpis.get(other))
    assert count is not None
    assert (one in kpis) == L10n(lang).is_one(count)


@pytest.mark.parametrize(("lang", "ago"), [("fr", r"il y a \d+ jours?"), ("en", r"\d+ days? ago")])
def test_report_says_how_long_ago_the_last_message_was(tmp_path, lang, ago):
    _, html = _report(tmp_path, lang)
    assert re.search(rf"<b>(?:{ago}|today|aujourd&#39;hui)</b><span>(?:dernier message|last message)</span>", html)
    assert "jamais</b>" not in html and "never</b>" not in html


@pytest.mark.parametrize(
    ("lang", "ago", "finding"),
    [("fr", "il y a 43 jours", "Aucun message depuis 43 jours"), ("en", "43 days ago", "No message for 43 days")],
)
def test_report_tile_and_dormant_finding_count_the_same_days(tmp_path, lang, ago, finding):
    """A community silent for 43.7 days: its tile and its finding both say 43 (the tile said 44)."""
    from tests.services.test_health import uid

    world = _world(tmp_path)
    c = world.community("calme", "Calme", members={uid("a"): 300, uid("b"): 300})
    world.event(c["Général"], uid("a"), 43.7, body="Dernier message avant le silence")
    _, html = _audited(world, lang)
    assert f"<b>{ago}</b>" in html and finding in html


@pytest.mark.parametrize(("lang", "more"), [("fr", r"et \d+ autres?"), ("en", r"and \d+ more")])
def test_report_says_how_many_more_examples_a_finding_has(tmp_path, lang, more):
    report, html = _report(tmp_path, lang)
    assert any(len(f.evidence) > 6 for c in report.communities for f in c.findings)
    assert re.search(rf'<li class="muted">{more}</li>', html)
    assert '<li class="muted">+ ' not in html


@pytest.mark.parametrize(("lang", "words"), [("fr", "écri"), ("en", "write")])
def test_report_explains_the_absence_factor_in_words(tmp_path, lang, words):
    _, html = _report(tmp_path, lang)
    assert "facteur d&#39;absence" not in html and "absence factor" not in html
    assert re.search(rf"\d+ (?:personnes?|people|person) {words}", html)


def test_french_report_tiles_agree_with_zero_and_one(tmp_path):
    """French: 0 and 1 take the singular (« 0 message », « 1 contributeur »)."""
    _, html = _report(tmp_path, "fr")
    tiles = re.findall(r'<div class="metric"><b>(\d+)(?: <span>[^<]*</span>)?</b><span>([^<]+)</span>', html)
    assert tiles
    for n, label in tiles:
        if label in ("message", "messages", "contributeur", "contributeurs"):
            assert label.endswith("s") == (int(n) > 1), (n, label)
    assert ("0", "message") in tiles  # the dormant community: nothing written in the window


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_welcome_keeps_its_sentences_apart(lang):
    """The animator's sentence and the closing advice were glued together (« écrire.Un bon début »)."""
    from rse_cli.textformat import render

    animator = {"name": "Ann Roy", "link": "https://matrix.to/#/@ann:x"}
    communities = [{"name": "Accueil", "link": "https://matrix.to/#/#accueil:x"}]
    for manager in ("Paul Roy", None):
        text = Templates(None, lang).render(
            "welcome", {"first_name": "Léa", "manager": manager, "communities": communities, "animator": animator}
        )
        assert not re.search(r"[.!?][A-Z]", text), text
        html = render(text)[1]
        assert html.count("<p>") >= 4, html  # hello, welcome, invitation, animator and advice: paragraphs, not one run


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_weekly_question_stands_in_its_own_paragraph(lang):
    from rse_cli.textformat import render

    text = Templates(None, lang).render("weekly-question", {"question": "Quel outil vous fait gagner du temps ?"})
    assert "<p>Quel outil vous fait gagner du temps ?</p>" in render(text)[1]


def test_french_welcome_needs_no_inclusive_dot():
    """« invité·e » reads badly aloud and in screen readers: the welcome says it without a gender."""
    for n in (1, 2):
        communities = [{"name": f"C{i}", "link": "l"} for i in range(n)]
        text = Templates(None, "fr").render(
            "welcome", {"first_name": "Léa", "manager": None, "communities": communities, "animator": None}
        )
        assert "·" not in text and ("t'attend" + ("ent" if n > 1 else "")) in text
