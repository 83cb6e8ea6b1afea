"""The one fixture of the service-level end-to-end tests: `e2e`, parametrized over the networks.

`e2e.rse` runs the CLI as the champion on that network (environment variables, as cron would);
`e2e.driver` acts as other people and reads the network back (tests/network/conformance/drivers.py).

A test that still fails on a network other than Matrix only because rse itself assumes Matrix
carries `@pytest.mark.matrix_bound("what exactly, file:line")` (or, for some networks only,
`matrix_bound("…", networks=["memory-feed"])`): there it is a strict xfail, so the day rse is
fixed the test starts passing and the mark must go.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from rse_cli.network import base
from tests.conftest import Rse
from tests.network.conformance.drivers import DRIVERS, Driver

# every network with a driver (memory-feed: one feed per community, like Viva Engage)
NETWORKS = sorted(DRIVERS)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "matrix_bound(reason, networks=None): rse still assumes Matrix here; strict xfail on those networks (default: all but matrix)",
    )


@dataclass
class E2E:
    driver: Driver
    rse: Rse

    @property
    def id(self) -> str:
        return self.driver.id

    @property
    def caps(self) -> base.Capabilities:
        return base.connector(self.driver.settings.network).capabilities

    @property
    def addressing(self) -> base.Addressing:
        return base.addressing(self.driver.settings)

    def network(self) -> base.Network:
        return self.driver.connect()


@pytest.fixture(params=NETWORKS)
def e2e(request, isolated, monkeypatch) -> E2E:
    reasons = [
        m.args[0]
        for m in request.node.iter_markers("matrix_bound")
        if request.param != "matrix" and request.param in m.kwargs.get("networks", [request.param])
    ]
    if reasons:
        request.applymarker(pytest.mark.xfail(reason="services still Matrix-bound: " + "; ".join(reversed(reasons)), strict=True))
    driver = DRIVERS[request.param](request)
    for name, value in driver.env().items():
        monkeypatch.setenv(name, value)
    try:
        yield E2E(driver, Rse(isolated, CliRunner()))
    finally:
        close = getattr(driver, "close", None)
        if close is not None:
            close()
