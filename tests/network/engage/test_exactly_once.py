"""Exactly once without server idempotency (Yammer has no idempotency key): a run killed after the
POST and before its record finds its own message instead of sending it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rse_cli.store import Store

ROOT = Path(__file__).resolve().parents[3]


def _run(job: dict, *, die: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSE_")}
    if die:
        env["RSE_TEST_EXIT_AFTER_SEND"] = "70"
    return subprocess.run(
        [sys.executable, "-m", "tests.network.engage.child_send", json.dumps(job)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def job(engage_tenant, tmp_path):
    fake = engage_tenant.fake
    # the fake's clock stands at the real time: rse compares the server's dates with its own clock
    fake.clock.advance(max(0.0, time.time() - fake.clock.now()))
    fake.add_community("Ventes", owners=["camille@contoso.com"])
    return {
        "engage": {
            "tenant": fake.tenant_domain,
            "client_id": fake.client_id,
            "graph_url": fake.graph_url,
            "yammer_url": fake.yammer_url,
        },
        "graph": fake.token("camille@contoso.com", "graph"),
        "yammer": fake.token("camille@contoso.com", "yammer"),
        "store": str(tmp_path / "rse.db"),
        "action": "campaign.welcome",
        "target": "bienvenue:alice",
        "to": "alice@contoso.com",
        "text": "Bienvenue Alice ! Présentez-vous dans la communauté.",
    }


def test_a_dm_sent_by_a_run_killed_before_its_record_is_not_sent_again(engage_tenant, job):
    fake = engage_tenant.fake
    died = _run(job, die=True)
    assert died.returncode == 70, died.stderr
    assert len(fake.sent(private=True)) == 1  # the POST went through; the store never heard of it
    again = _run(job, die=False)
    assert again.returncode == 0, again.stderr
    answer = json.loads(again.stdout)
    assert answer == {"sent": False, "event_id": str(fake.sent(private=True)[0].id)}
    assert len(fake.sent(private=True)) == 1
    store = Store(job["store"])
    [entry] = [e for e in store.journal_entries() if e.outcome == "recovered"]
    assert "interrupted run" in entry.detail
    # a third run finds the record: not even a look-up
    before = len(fake.requests("yammer"))
    assert json.loads(_run(job, die=False).stdout)["sent"] is False
    assert len(fake.requests("yammer")) == before


def test_a_community_post_killed_before_its_record_is_not_posted_again(engage_tenant, job):
    fake = engage_tenant.fake
    job = {
        **job,
        "room": fake.community("Ventes").community_id,
        "action": "post",
        "target": "Ventes",
        "text": "Le point du lundi",
    }
    assert _run(job, die=True).returncode == 70
    assert _run(job, die=False).returncode == 0
    assert [m.body for m in fake.sent(community="Ventes")] == ["Le point du lundi"]


def test_a_send_that_never_happened_is_sent_by_the_next_run(engage_tenant, job):
    fake = engage_tenant.fake
    fake.fail_next("/messages", status=503, service="yammer", method="POST")
    failed = _run(job, die=False)
    assert failed.returncode != 0 and len(fake.sent(private=True)) == 0
    ok = _run(job, die=False)
    assert json.loads(ok.stdout)["sent"] is True
    assert len(fake.sent(private=True)) == 1
