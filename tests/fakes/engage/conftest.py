"""The fake's own tests use its fixtures (the suite-wide conftest imports them the same way)."""

from tests.fakes.engage.fixture import engage_fake, engage_tenant  # noqa: F401
