"""The audit on the sandbox's seeded company: every planted situation is found with its code,
and the healthy community (Ventes Ouest) gets no warning."""

from __future__ import annotations

import pytest

from rse_cli.sandbox.server import synapse_available
from tests.sandbox.test_seed import sandbox  # noqa: F401 - module-scoped seeded sandbox, shared

pytestmark = pytest.mark.skipif(not synapse_available(), reason="Synapse is not installed")


def test_seeded_company_audit(sandbox):  # noqa: F811
    rse, _ = sandbox
    rse("sync")
    report = rse.json("audit")
    by_name = {c["name"]: c for c in report["communities"]}
    codes = {name: {f["code"]: f["severity"] for f in c["findings"]} for name, c in by_name.items()}
    print({n: (by_name[n]["score"], codes[n]) for n in by_name})
    assert not [s for s in codes["Ventes Ouest"].values() if s != "info"], codes["Ventes Ouest"]
    assert "dormant" in codes["Club Sport & Loisirs"]
    assert "silent_animator" in codes["Data & IA"] and "unanswered_questions" in codes["Data & IA"]
    veille = by_name["Veille marché"]["metrics"]
    print("veille", {k: veille[k] for k in ("members", "contributors", "posts", "replies", "top10_share", "participation")})
    assert "pending_invites" in codes["Accueil"]
    assert [f["code"] for f in report["findings"]] == ["silent_leaders"]
    assert len(report["findings"][0]["evidence"]) >= 3
    assert by_name["Ventes Ouest"]["score"] == max(c["score"] for c in report["communities"])
