"""Files rse writes that hold secrets or state (config, stored tokens, the sandbox's secrets)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_private"]


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically at mode 0600: a reader sees the old file or the whole new
    one, never half of it, and the bytes are never readable by others, not even for a moment
    (the temporary file is created 0600, not chmod-ed after)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # only when it does not exist yet
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        # a stale temporary file from a killed run keeps its old mode through O_CREAT: set it
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
