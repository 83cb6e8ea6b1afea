"""Logging in: keep the device id so transaction ids stay meaningful across logins."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from rse_cli.config import Settings, default_config_path, write_profile
from rse_cli.credentials import store_token
from rse_cli.network.base import Network


class LoginResult(BaseModel):
    user_id: str
    device_id: str
    saved_in: str


def login(settings: Settings, network: Network, user: str, password: str, *, config_path: Path | None = None) -> LoginResult:
    if settings.user and not user.startswith("@") and settings.user.startswith(f"@{user}:"):
        user = settings.user
    same_account = settings.user is None or settings.user == user or settings.user.startswith(f"@{user}:")
    device = settings.device_id if same_account else None
    token, device_id, user_id = network.login(user, password, device)
    write_profile(config_path or default_config_path(), settings.profile,
                  {"homeserver": settings.homeserver, "user": user_id, "device_id": device_id})
    where = store_token(settings.profile, settings.homeserver or "", user_id, token)
    return LoginResult(user_id=user_id, device_id=device_id, saved_in=where)
