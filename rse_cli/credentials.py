"""Where access tokens live: the OS keyring when one is usable, else a 0600 file.

`RSE_TOKEN` (cron, CI) always wins and is never written anywhere.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from rse_cli.config import config_dir

SERVICE = "rse"


def _keyring():
    """The keyring module if a real backend is available, else None."""
    if os.environ.get("RSE_KEYRING", "").lower() in {"0", "no", "false", "off"}:
        return None
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring install must not break rse
        return None
    chained = getattr(backend, "backends", None)
    if isinstance(backend, (fail.Keyring, null.Keyring)) or (chained is not None and not chained):
        return None
    if getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def _file() -> Path:
    return config_dir() / "credentials.toml"


def _key(profile: str, homeserver: str, user: str) -> str:
    return f"{profile}|{homeserver}|{user}"


def _read_file() -> dict:
    path = _file()
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _write_file(doc: dict) -> None:
    import tomli_w

    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        tomli_w.dump(doc, fh)
    os.replace(tmp, path)


def store_token(profile: str, homeserver: str, user: str, token: str) -> str:
    """Save the token; returns where it went ("keyring" or the file path)."""
    kr = _keyring()
    if kr is not None:
        try:
            kr.set_password(SERVICE, _key(profile, homeserver, user), token)
            return "keyring"
        except Exception:
            pass  # locked or refused: fall back to the file
    doc = _read_file()
    doc[profile] = {"homeserver": homeserver, "user": user, "token": token}
    _write_file(doc)
    return str(_file())


def load_token(profile: str, homeserver: str | None, user: str | None) -> str | None:
    if homeserver and user:
        kr = _keyring()
        if kr is not None:
            try:
                token = kr.get_password(SERVICE, _key(profile, homeserver, user))
            except Exception:
                token = None
            if token:
                return token
    entry = _read_file().get(profile) or {}
    if entry.get("homeserver") == homeserver and entry.get("user") == user:
        return entry.get("token")
    return None


def forget_token(profile: str, homeserver: str | None, user: str | None) -> None:
    kr = _keyring()
    if kr is not None and homeserver and user:
        try:
            kr.delete_password(SERVICE, _key(profile, homeserver, user))
        except Exception:
            pass
    doc = _read_file()
    if doc.pop(profile, None) is not None:
        _write_file(doc)
