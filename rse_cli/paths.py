"""Where rse keeps its config and data: kept free of pydantic so start-up can read them cheaply."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

__all__ = ["config_dir", "data_dir", "default_config_path"]

APP = "rse"


def _platform_dir(kind: Literal["config", "data"]) -> Path:
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("APPDATA" if kind == "config" else "LOCALAPPDATA") or home / "AppData" / "Roaming"
        return Path(base) / APP
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / APP
    xdg = os.environ.get("XDG_CONFIG_HOME" if kind == "config" else "XDG_DATA_HOME")
    return Path(xdg) / APP if xdg else home / (".config" if kind == "config" else ".local/share") / APP


def config_dir() -> Path:
    return Path(os.environ["RSE_CONFIG_DIR"]) if os.environ.get("RSE_CONFIG_DIR") else _platform_dir("config")


def data_dir() -> Path:
    return Path(os.environ["RSE_DATA_DIR"]) if os.environ.get("RSE_DATA_DIR") else _platform_dir("data")


def default_config_path() -> Path:
    return config_dir() / "config.toml"
