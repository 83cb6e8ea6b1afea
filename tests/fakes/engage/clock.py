"""The fake's clock: everything time-based in the fake (rate-limit windows, token expiry,
community creation delay, message timestamps) reads it, so tests can run hours of Engage
time in milliseconds.

`time_scale` fake seconds pass per real second (0 freezes the clock: it then moves only by
`advance`/`sleep`, which makes a test's timing exact). Hand `clock.sleep` to the code under
test as its sleeper: it advances the fake clock instead of waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

# 2026-11-25 09:00:00 UTC: a fixed start so timestamps in failures are readable and stable.
DEFAULT_START = datetime(2026, 11, 25, 9, 0, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, *, start: float = DEFAULT_START, time_scale: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._start = start
        self._offset = 0.0
        self._mono0 = time.monotonic()
        self.time_scale = time_scale

    def now(self) -> float:
        """Seconds since the epoch, in the fake's time."""
        with self._lock:
            return self._start + self._offset + (time.monotonic() - self._mono0) * self.time_scale

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    def advance(self, seconds: float) -> None:
        """Move the fake time forward (never backward)."""
        if seconds < 0:
            raise ValueError("the fake clock does not go backward")
        with self._lock:
            self._offset += seconds

    # A sleeper with time.sleep's signature, for the code under test.
    sleep = advance

    def set_time_scale(self, time_scale: float) -> None:
        """Change the speed without jumping: the current fake time is kept."""
        with self._lock:
            now_mono = time.monotonic()
            self._offset += (now_mono - self._mono0) * self.time_scale
            self._mono0 = now_mono
            self.time_scale = time_scale
