"""What makes a breaker trip, and for how long it stays tripped."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass


class BreakerState(enum.Enum):
    """The three states of a circuit breaker; the value is what telemetry carries."""

    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"

    @property
    def gauge_value(self) -> int:
        """The number ``obs.breaker.state`` reports: 0 closed, 1 half_open, 2 open (higher is worse)."""
        return _GAUGE[self]


_GAUGE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """Thresholds of one breaker.

    The breaker opens on whichever rule fires first: the failure rate over the
    sliding window of the last ``window_size`` outcomes (once ``minimum_calls``
    outcomes are in it), or ``consecutive_failures`` failures in a row. What
    counts as a failure is the caller's decision (the MCP layer, for example,
    decides whether a tool's ``isError`` result counts); the breaker only
    counts what it is told.
    """

    window_size: int = 20
    """How many of the most recent outcomes the failure rate is computed over (the sliding window N)."""
    failure_rate_threshold: float = 0.5
    """Open when failures / outcomes in the window reach this share, in (0, 1]; 0.1 means "10% of the last N"."""
    minimum_calls: int = 10
    """Outcomes the window must hold before the rate rule may fire, so 1 failure out of 2 calls cannot trip it."""
    consecutive_failures: int = 5
    """Open after this many failures in a row, whatever the window says (K); 0 turns the rule off."""
    open_duration_s: float = 30.0
    """Seconds the breaker stays open (refusing calls) before it lets one probe through (the reset timeout)."""
    probe_timeout_s: float | None = None
    """Seconds a half-open probe may stay unreported before another caller may probe instead (a probe whose
    caller was cancelled never reports); None means ``open_duration_s``."""

    def __post_init__(self) -> None:
        if self.window_size < 1:
            raise ValueError(f"BreakerConfig.window_size must be >= 1, got {self.window_size}")
        if not 0.0 < self.failure_rate_threshold <= 1.0:
            raise ValueError(
                f"BreakerConfig.failure_rate_threshold must be in (0, 1], got {self.failure_rate_threshold}"
            )
        if not 1 <= self.minimum_calls <= self.window_size:
            raise ValueError(
                f"BreakerConfig.minimum_calls must be between 1 and window_size ({self.window_size}), "
                f"got {self.minimum_calls}"
            )
        if self.consecutive_failures < 0:
            raise ValueError(f"BreakerConfig.consecutive_failures must be >= 0, got {self.consecutive_failures}")
        # Finite, too: a NaN period never elapses (the breaker would stay open for good) and an infinite one
        # cannot be shown as a retry time.
        if not (math.isfinite(self.open_duration_s) and self.open_duration_s > 0):
            raise ValueError(f"BreakerConfig.open_duration_s must be a finite number > 0, got {self.open_duration_s}")
        if self.probe_timeout_s is not None and not (math.isfinite(self.probe_timeout_s) and self.probe_timeout_s > 0):
            raise ValueError(
                f"BreakerConfig.probe_timeout_s must be a finite number > 0 or None, got {self.probe_timeout_s}"
            )

    @property
    def effective_probe_timeout_s(self) -> float:
        """The probe timeout with its default applied."""
        return self.probe_timeout_s if self.probe_timeout_s is not None else self.open_duration_s
