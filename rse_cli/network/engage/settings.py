"""The `[profiles.NAME.engage]` table: which tenant, which app registration, which endpoints.

    [profiles.contoso.engage]
    tenant = "contoso.onmicrosoft.com"      # or the tenant's GUID
    client_id = "00000000-0000-0000-0000-000000000000"   # the app the tenant admin registered

Everything else has Microsoft's public values by default; tests point the URLs at the fake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rse_cli.errors import ConfigError
from rse_cli.network.base import table_settings

if TYPE_CHECKING:
    from rse_cli.config import Settings

GRAPH_URL = "https://graph.microsoft.com/v1.0"
YAMMER_URL = "https://www.yammer.com/api/v1"
LOGIN_URL = "https://login.microsoftonline.com"
WEB_URL = "https://engage.cloud.microsoft/main"


class EngageSettings(BaseModel):
    """Connector settings of Viva Engage (validated when the profile is loaded)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tenant: str = Field(description="the tenant's primary domain (contoso.onmicrosoft.com) or GUID")
    client_id: str = Field(description="application (client) id of the app registered by the tenant admin")
    authority: str | None = Field(None, description="sign-in authority (default: https://login.microsoftonline.com/TENANT)")
    graph_url: str = GRAPH_URL
    yammer_url: str = YAMMER_URL
    web_url: str = Field(WEB_URL, description="prefix of links that open in Viva Engage's web client")
    dms_enabled: bool | None = Field(None, description="private messages allowed in this tenant (None: find out)")
    welcome_by_mention: bool = Field(False, description="welcome with an @mention in the community instead of a private message")
    # Yammer's documented limit: 10 requests in 30 s per user per app (rest-api-rate-limits);
    # only tests with a sped-up fake clock change these
    rate_requests: int = Field(10, ge=1)
    rate_window_seconds: float = Field(30.0, gt=0)
    # engagementAsyncOperation: "wait >30 seconds between checks" (resources/engagementasyncoperation)
    poll_seconds: float = Field(31.0, gt=0)
    creation_timeout_seconds: float = Field(600.0, gt=0)

    @field_validator("graph_url", "yammer_url", "web_url", "authority")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip().rstrip("/")
        if not v.startswith("https://") and not v.startswith("http://127.0.0.1"):
            raise ValueError("an https:// URL")
        return v

    @property
    def authority_url(self) -> str:
        return self.authority or f"{LOGIN_URL}/{self.tenant}"


def engage_settings(settings: Settings) -> EngageSettings:
    """The profile's `[profiles.NAME.engage]` table, validated (errors name the file, the table and
    the key); a profile without the table is told how to write it."""
    if not settings.table("engage"):
        raise ConfigError(
            f"{settings.source}: profile {settings.profile!r} has no [profiles.{settings.profile}.engage] table (tenant, client_id)",
            hint="run `rse config init --network engage --tenant contoso.onmicrosoft.com --client-id APP_ID`",
        )
    return table_settings(settings, "engage", EngageSettings)
