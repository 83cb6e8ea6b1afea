"""An EngageNetwork pointed at the fake tenant, on the fake's clock (pacing and polling cost no real time)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from rse_cli.config import Settings
from tests.fakes.engage.fake import FakeEngage
from tests.fakes.engage.fixture import engage_fake, engage_tenant  # noqa: F401


def engage_settings(fake: FakeEngage, tmp_path: Path, **engage: Any) -> Settings:
    table = {
        "tenant": fake.tenant_domain,
        "client_id": fake.client_id,
        "authority": fake.authority,
        "graph_url": fake.graph_url,
        "yammer_url": fake.yammer_url,
        "poll_seconds": 31.0,
        **engage,
    }
    return Settings(network="engage", engage=table, store=str(tmp_path / "rse.db"), ca_bundle=fake.ca_file)


@dataclass
class Connected:
    fake: FakeEngage
    settings: Settings
    net: Any  # EngageNetwork


def connect(fake: FakeEngage, settings: Settings, email: str) -> Any:
    from rse_cli.network.engage import build
    from rse_cli.network.engage.settings import engage_settings as es

    graph, yammer = fake.token(email, "graph"), fake.token(email, "yammer")
    return build(
        settings,
        es(settings),
        graph_token=lambda fresh: graph,
        yammer_token=lambda fresh: yammer,
        sleep=fake.clock.sleep,
        clock=fake.clock.now,
    )


@pytest.fixture
def engage(engage_tenant, tmp_path) -> Iterator[Connected]:
    settings = engage_settings(engage_tenant.fake, tmp_path)
    net = connect(engage_tenant.fake, settings, engage_tenant.champion)
    yield Connected(engage_tenant.fake, settings, net)
    net.close()


@pytest.fixture
def profile(engage_tenant, cli):
    """A config file whose default profile is the fake tenant, as `rse config init` and the admin's values make it."""
    fake = engage_tenant.fake
    path = cli.home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        tomli_w.dumps(
            {
                "profile": "default",
                "profiles": {
                    "default": {
                        "network": "engage",
                        "ca_bundle": str(fake.ca_file),
                        "engage": {
                            "tenant": fake.tenant_domain,
                            "client_id": fake.client_id,
                            "authority": fake.authority,
                            "graph_url": fake.graph_url,
                            "yammer_url": fake.yammer_url,
                        },
                    }
                },
            }
        )
    )
    fake.auto_approve_as("camille@contoso.com", after_polls=1)
    return path
