"""A faithful fake of the Viva Engage APIs rse uses (Microsoft Graph communities and groups, the Yammer
REST API v1 with its Data Export, and the Microsoft identity platform's device code flow), served on
127.0.0.1 for the test suite. Start with fake.py; the pytest fixture is in fixture.py."""

from .clock import FakeClock
from .fake import DEFAULT_CLIENT_ID, DEFAULT_GRANTS, FakeEngage

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_GRANTS", "FakeClock", "FakeEngage"]
