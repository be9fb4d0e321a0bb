"""What a breaker tells its observers: decisions, transitions, rejections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ._config import BreakerState


@dataclass(frozen=True, slots=True)
class BreakerDecision:
    """The answer to "may I call now?"; an allowed decision is also the permit to report the outcome with."""

    name: str
    """The breaker that decided (e.g. ``server/tool``)."""
    allowed: bool
    """True when the call may go ahead; False means do not call (degrade instead)."""
    state: BreakerState
    """The breaker's state after deciding (HALF_OPEN for the admitted probe)."""
    retry_at: float | None = None
    """When refused: wall-clock epoch seconds after which a call may be admitted again; None when allowed."""
    retry_in_s: float | None = None
    """When refused: seconds from the decision until ``retry_at``."""
    probe: bool = False
    """True when this call is the single half-open probe whose outcome decides whether the breaker closes."""
    open_reason: str | None = None
    """When refused: why the breaker opened (``consecutive_failures``, ``failure_rate`` or ``probe_failed``)."""
    epoch: int = field(default=0, repr=False)
    """Which state period (or, half-open, which probe) admitted the call; outcomes from an earlier one are late
    and ignored."""


@dataclass(frozen=True, slots=True)
class BreakerTransition:
    """One state change, as reported to observers (span event, counter)."""

    name: str
    """The breaker that changed."""
    previous: BreakerState
    """State before the change."""
    state: BreakerState
    """State after the change."""
    reason: str
    """Why: consecutive_failures, failure_rate, open_elapsed, probe_succeeded, probe_failed, reset."""
    failures: int
    """Failures in the sliding window at the moment of the change (before it is cleared)."""
    calls: int
    """Outcomes in the sliding window at the moment of the change."""
    at: float
    """Wall-clock epoch seconds of the change."""
    retry_at: float | None = None
    """For a change to OPEN: wall-clock time the first probe will be admitted."""
    failure_reason: str | None = None
    """For a change to OPEN: the reason given with the failure that tripped it (e.g. ``timeout``)."""


class BreakerObserver(Protocol):
    """Receives what a breaker did; called outside the breaker's lock, in the caller's thread and context."""

    def on_transition(self, transition: BreakerTransition) -> None: ...

    def on_rejected(self, decision: BreakerDecision) -> None: ...
