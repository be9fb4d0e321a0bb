"""Time sources: monotonic for durations, wall-clock for the ``retry_at`` callers show to people."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Where a breaker reads time; tests pass a :class:`ManualClock`."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards (open windows are measured here)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (``retry_at`` is reported on this clock)."""
        ...


class SystemClock:
    """The process clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to, so breaker tests never sleep or race the wall clock."""

    def __init__(self, *, start_monotonic: float = 1000.0, start_wall: float = 1_700_000_000.0) -> None:
        self._lock = threading.Lock()
        self._mono = start_monotonic
        self._wall = start_wall

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def time(self) -> float:
        with self._lock:
            return self._wall

    def advance(self, seconds: float) -> None:
        """Move both clocks forward together."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._mono += seconds
            self._wall += seconds


SYSTEM_CLOCK: Clock = SystemClock()
