"""The audit, digests and briefs on the sandbox's seeded company, read as their recipients
would: every planted situation is found with its code, the healthy community (Ventes Ouest)
gets no warning, and what a director or a CEO reads names no veteran as a newcomer, no rse
post as a question, no introduction as an angle, and says "1 réponse", never "réponse(s)"."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest

from rse_cli.sandbox.plan import Membership, Message
from rse_cli.sandbox.server import synapse_available
from tests.sandbox.test_seed import sandbox  # noqa: F401 - module-scoped seeded sandbox, shared

pytestmark = pytest.mark.skipif(not synapse_available(), reason="Synapse is not installed")
WELCOME = "Présentez-vous en une phrase : quel est votre rôle ?"


@pytest.fixture(scope="module")
def seeded(sandbox):
    """The seeded sandbox, synced once, with the plan it was seeded from."""
    from rse_cli.sandbox.seed import seeded_plan
    from rse_cli.services.sandbox import sandbox_dir

    rse, _ = sandbox
    rse("sync")
    return rse, seeded_plan(sandbox_dir())


def _joins(plan, community_key: str) -> dict[str, int]:
    return {e.target: e.ts for e in plan.timelines[community_key] if isinstance(e, Membership) and e.membership == "join"}


def _name(plan, user_id: str) -> str:
    return plan.person(user_id).display_name


def test_seeded_company_audit(seeded):
    rse, _ = seeded
    report = rse.json("audit")
    by_name = {c["name"]: c for c in report["communities"]}
    codes = {name: {f["code"]: f["severity"] for f in c["findings"]} for name, c in by_name.items()}
    print({n: (by_name[n]["score"], by_name[n]["metrics"]["score_parts"], codes[n]) for n in by_name})
    assert not [s for s in codes["Ventes Ouest"].values() if s != "info"], codes["Ventes Ouest"]
    assert by_name["Ventes Ouest"]["band"] == "green"
    assert "dormant" in codes["Club Sport & Loisirs"]
    assert "silent_animator" in codes["Data & IA"] and "unanswered_questions" in codes["Data & IA"]
    assert "pending_invites" in codes["Accueil"]
    assert not [n for n, c in codes.items() if "no_animator" in c]  # every founder animates: none is "missing"
    assert [f["code"] for f in report["findings"]] == ["silent_leaders"]
    assert len(report["findings"][0]["evidence"]) >= 3
    assert by_name["Ventes Ouest"]["score"] == max(c["score"] for c in report["communities"])
    # a third or more of the questions waiting for 48 h is never green
    for c in report["communities"]:
        if c["metrics"]["unanswered_share"] >= 1 / 3 and c["metrics"]["questions"]:
            assert c["band"] != "green", (c["name"], c["score"])
    # insight metrics, in --json
    # Veille is carried by its two animators: over the whole history (the small seed posts little a month)
    [veille] = rse.json("audit", "veille", "--window", "60d")["communities"]
    assert veille["metrics"]["absence_factor"] <= 2 and "concentration" in {f["code"] for f in veille["findings"]}
    for c in report["communities"]:
        m = c["metrics"]
        assert sum(m["member_levels"].values()) == m["members"]
        assert set(m["newcomer_retention"]) == {"cohort", "posted", "active"}
    assert set(report["network"]["newcomer_retention"]) == {"cohort", "posted", "active"}


def test_veterans_are_never_newcomers_in_the_audit(seeded):
    """Founders and animators joined long ago (backdated): the audit counts no veteran as new."""
    rse, plan = seeded
    report = rse.json("audit", "--window", "30d")
    start = int((datetime.now(UTC) - timedelta(days=30)).timestamp() * 1000)
    for com in plan.communities:
        joins = _joins(plan, com.key)
        c = next(x for x in report["communities"] if x["name"] == com.name)
        assert c["metrics"]["new_members"] == sum(1 for ts in joins.values() if ts >= start), com.key
        assert joins[com.creator] < start


def test_one_vocabulary_across_table_history_csv_json_and_html(seeded, tmp_path):
    rse, _ = seeded
    out_csv, out_html = tmp_path / "a.csv", tmp_path / "a.html"
    table = rse("--lang", "fr", "audit", "ventes-ouest", "--csv", str(out_csv), "--html", str(out_html)).stdout
    [c] = rse.json("audit", "ventes-ouest")["communities"]
    m = c["metrics"]
    assert m["messages"] == m["posts"] + m["replies"]
    assert "MESSAGES" in table and re.search(rf"\b{m['messages']}\b", table)
    [row] = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert int(row["messages"]) == m["messages"]
    history = rse.json("audit", "history", "ventes-ouest")
    assert history[-1]["metrics"]["messages"] == m["messages"]
    assert "MESSAGES" in rse("audit", "history", "ventes-ouest").stdout
    html = out_html.read_text(encoding="utf-8")
    assert f"<b>{m['messages']}</b><span>messages</span>" in html.replace("\u202f", "").replace("\xa0", "")
    # levels and retention as pictures; no "(s)"; finding codes only as a discreet tag
    assert 'aria-label="Niveaux des membres (28 derniers jours)"' in html
    assert "(s)" not in html and "finding(s)" not in html


def test_rse_own_post_is_never_a_question_nor_activity_but_its_replies_count(seeded):
    rse, _ = seeded
    before = next(c for c in rse.json("audit", "accueil")["communities"])["metrics"]
    rse("post", "accueil/Général", "--text", WELCOME)
    rse("sync", "accueil")
    after = next(c for c in rse.json("audit", "accueil")["communities"])["metrics"]
    assert (after["posts"], after["questions"], after["messages"]) == (before["posts"], before["questions"], before["messages"])
    digest = rse("digest", "send", "-c", "accueil", "--period", "week", "--dry-run").stdout
    assert WELCOME not in digest and "Camille Champion" not in digest


def test_digests_greet_no_veteran_and_cite_the_seeds_waiting_questions(seeded):
    rse, plan = seeded
    since = int((datetime.now(UTC) - timedelta(days=30)).timestamp() * 1000)
    for com in plan.communities:
        text = rse("--lang", "fr", "digest", "send", "-c", com.key, "--period", "month", "--dry-run").stdout
        assert "(s)" not in text and not re.search(r"\b0 réponses\b|\b1 réponses\b", text), com.key
        welcome = text.split("👋", 1)[1].split("Un petit mot", 1)[0] if "👋" in text else ""
        joins = _joins(plan, com.key)
        veterans = [u for u, ts in joins.items() if ts < since]
        assert not [u for u in veterans if f"[{_name(plan, u)}]" in welcome], com.key
        assert f"[{_name(plan, com.creator)}]" not in welcome
    data = rse("--lang", "fr", "digest", "send", "-c", "data-ia", "--period", "week", "--dry-run").stdout
    # the digest lists the questions of the audit window still waiting, oldest first, ten at most
    lookback = int((datetime.now(UTC) - timedelta(days=30)).timestamp() * 1000)
    waiting = sorted(
        (q for q in plan.facts.unanswered_questions if q.community == "data-ia" and q.ts >= lookback), key=lambda q: q.ts
    )
    assert waiting and all(q.body[:60] in data for q in waiting[:10])
    assert "voir le message" in data and "https://" not in data.split("](")[0]


def test_a_leaders_brief_reads_right(seeded):
    """The CEO's brief over Accueil and Data & IA: newcomers are newcomers, questions are members'
    questions waiting for someone else, introductions are welcomed and never offered as angles."""
    rse, plan = seeded
    dg = plan.leaders[0]
    rse(
        "leaders",
        "add",
        dg,
        "--name",
        "Claire Dumas",
        "--pronoun",
        "elle",
        "--scope",
        "accueil",
        "--scope",
        "data-ia",
        "--lang",
        "fr",
    )
    brief = rse.json("leaders", "brief", dg, "--weeks", "4")
    text = brief["text"]
    since = int((datetime.now(UTC) - timedelta(weeks=4)).timestamp() * 1000)
    joined_recently = {u for key in ("accueil", "data-ia") for u, ts in _joins(plan, key).items() if ts >= since}
    intros = set()
    for com_key in ("accueil", "data-ia"):
        for key, timeline in plan.timelines.items():
            if key.startswith(f"{com_key}/"):
                firsts: dict[str, Message] = {}
                for e in timeline:
                    if isinstance(e, Message):
                        firsts.setdefault(e.sender, e)
                intros |= {m.body for m in firsts.values() if m.is_root and not m.is_question and m.sender in joined_recently}
    assert brief["newcomers"] and {n["user_id"] for n in brief["newcomers"]} <= joined_recently
    assert not [a for a in brief["angles"] if a["kind"] == "join" and a["text"] in intros]
    assert not [d for d in brief["discussions"] if d["text"] in intros]
    assert WELCOME not in text and all(q["author"] != "Camille Champion" for q in brief["waiting_questions"])
    waiting = {q.body[:100] for q in plan.facts.unanswered_questions}
    assert [q for q in brief["waiting_questions"] if q["text"][:100] in waiting]
    assert "(s)" not in text and "·e" not in text and "fière" in text
    assert "Bonjour Claire," in text and "[voir le message](" in text
    assert not re.search(r"\(https?://[^)]{0,200}\)\s*$", text.split("## Des angles")[0], re.MULTILINE) or "[voir" in text
    assert "ces équipes" in text  # two communities: plural scope
