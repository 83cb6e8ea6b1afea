"""pytest fixtures for the Viva Engage fake. Import them from a conftest.py:

    from tests.fakes.engage.fixture import engage_fake, engage_tenant  # noqa: F401

`engage_fake` is a fresh, empty tenant per test (its clock frozen: time moves only when the code under
test sleeps through `fake.clock.sleep` or the test calls `fake.clock.advance`). `engage_tenant` is the
same with the standard cast below, the champion signed in (tokens for both resources) and an All
Company community.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .fake import FakeEngage

CHAMPION = "camille@contoso.com"
ADMIN = "ada.admin@contoso.com"
PEOPLE = [
    ("alice@contoso.com", "Alice Martin"),
    ("bob@contoso.com", "Bob Durand"),
    ("carol@contoso.com", "Carol Petit"),
    ("dave@contoso.com", "Dave Leroy"),
    ("erin1@contoso.com", "Erin Moreau"),  # two people with the same name, as in the Matrix suite
    ("erin2@contoso.com", "Erin Moreau"),
]


@dataclass
class EngageTenant:
    fake: FakeEngage
    champion: str  # e-mail of the signed-in champion
    admin: str  # e-mail of a Verified Admin (and directory admin)
    graph_token: str  # the champion's Graph token
    yammer_token: str  # the champion's Yammer token


@pytest.fixture
def engage_fake(tmp_path) -> Iterator[FakeEngage]:
    fake = FakeEngage(tmp_path / "engage-fake", time_scale=0)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def populate(fake: FakeEngage) -> EngageTenant:
    """The standard cast: a champion, a verified admin, six people, the All Company community."""
    fake.add_user(CHAMPION, "Camille Martin", job_title="Change champion")
    fake.add_user(ADMIN, "Ada Admin", admin=True, directory_admin=True)
    for email, name in PEOPLE:
        fake.add_user(email, name)
    fake.add_community(
        "All Company", owners=[ADMIN], all_company=True, description="This is the default group for everyone in the network"
    )
    return EngageTenant(fake, CHAMPION, ADMIN, fake.token(CHAMPION, "graph"), fake.token(CHAMPION, "yammer"))


@pytest.fixture
def engage_tenant(engage_fake: FakeEngage) -> EngageTenant:
    return populate(engage_fake)
