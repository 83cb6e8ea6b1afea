"""The one fixture of the conformance suite: `net`, parametrized over every network under test.

`net.network` is a live connection as the champion; `net.driver` acts as other people and reads
the network back independently (see drivers.py). Add a network by adding a driver to DRIVERS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rse_cli.network import base
from tests.network.conformance.drivers import DRIVERS, Driver


@dataclass
class Net:
    driver: Driver
    network: base.Network

    @property
    def caps(self) -> base.Capabilities:
        return self.network.capabilities


@pytest.fixture(params=sorted(DRIVERS))
def net(request) -> Net:
    driver = DRIVERS[request.param](request)
    network = driver.connect()
    try:
        yield Net(driver, network)
    finally:
        network.close()
        close = getattr(driver, "close", None)  # drivers that own state drop it
        if close is not None:
            close()
