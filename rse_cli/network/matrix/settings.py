"""The `[profiles.NAME.matrix]` table: settings only the Matrix connector understands."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["MatrixSettings"]


class MatrixSettings(BaseModel):
    """Validated when rse connects (errors name `[profiles.NAME.matrix] key`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # power levels that make someone an animator or a moderator of a community and its rooms
    animator_level: int = Field(50, ge=1, le=100)
    moderator_level: int = Field(75, ge=1, le=100)
    # prefix of the links rse prints and posts: matrix.to, or your Element's `/#/room/`
    client_url: str = "https://matrix.to/#/"
    # the device rse's logins reuse, so the server keeps deduplicating transaction ids
    device_id: str | None = None

    @field_validator("client_url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if not v.startswith(("http://", "https://")):
            raise ValueError("a URL starting with https://, such as https://matrix.to/#/")
        return v
