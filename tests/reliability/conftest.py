"""Reliability tests: hostile templates, injection through names, strict input, fuzzing, redaction.

Fuzz tests run a bounded number of examples by default (fast); `-m fuzz` runs many more.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile("rse-default", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("rse-fuzz", max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def pytest_configure(config):
    # registered here too in case the project's pyproject does not list them yet
    config.addinivalue_line("markers", "fuzz: property-based fuzzing (many more examples when selected with -m fuzz)")
    config.addinivalue_line("markers", "slow: long loops (kill/resume), run in the full suite")
    selected = config.getoption("markexpr", default="") or ""
    settings.load_profile("rse-fuzz" if "fuzz" in selected and "not fuzz" not in selected else "rse-default")
