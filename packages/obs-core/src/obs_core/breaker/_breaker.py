"""The breaker's state machine: closed -> open -> half-open -> closed.

One ``threading.Lock`` guards the state and is only held for a few
arithmetic steps, never across an ``await`` or a user callback, so the same
breaker is safe from threads and from anyio tasks alike. Observers (span
events, counters) are notified after the lock is released, in the caller's
thread and context, which puts a transition's span event on the span of the
call that caused it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from obs_core._guard import internal_guard

from ._clock import SYSTEM_CLOCK, Clock
from ._config import BreakerConfig, BreakerState
from ._events import BreakerDecision, BreakerObserver, BreakerTransition


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    """A consistent read of one breaker, for status pages and tests."""

    name: str
    """The breaker's key."""
    state: BreakerState
    """Current state (an elapsed open period only turns half-open when the next call asks)."""
    calls: int
    """Outcomes in the sliding window."""
    failures: int
    """Failures among them."""
    consecutive_failures: int
    """Failures since the last success."""
    retry_at: float | None
    """While open: wall-clock time the next probe will be admitted."""


class CircuitBreaker:
    """Stops calling something that keeps failing, then probes it with one call at a time.

    Use: ``decision = breaker.acquire()``; when ``decision.allowed`` make the
    call and report it with ``record_success(decision)`` or
    ``record_failure(reason, decision)`` (or ``release(decision)`` when it
    ended with no outcome, e.g. cancelled); when refused, degrade and tell the
    caller ``decision.retry_at``. Passing the decision back lets the breaker
    ignore late outcomes of calls admitted before a state change.
    """

    def __init__(
        self,
        name: str,
        config: BreakerConfig | None = None,
        *,
        clock: Clock | None = None,
        observers: Iterable[BreakerObserver] = (),
    ) -> None:
        self.name = name
        self.config = config or BreakerConfig()
        self._clock = clock or SYSTEM_CLOCK
        self._observers = tuple(observers)
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._epoch = 0
        self._window: deque[bool] = deque(maxlen=self.config.window_size)
        self._failures = 0
        self._consecutive = 0
        self._open_until = 0.0
        self._open_reason: str | None = None
        self._probe_started: float | None = None

    @property
    def state(self) -> BreakerState:
        """The stored state; an elapsed open period turns half-open lazily, on the next :meth:`acquire`."""
        return self._state

    def snapshot(self) -> BreakerSnapshot:
        with self._lock:
            retry_at = self._wall_at(self._open_until) if self._state is BreakerState.OPEN else None
            return BreakerSnapshot(
                self.name, self._state, len(self._window), self._failures, self._consecutive, retry_at
            )

    def acquire(self) -> BreakerDecision:
        """Ask whether a call may go ahead now; see the class docstring for the protocol."""
        transition: BreakerTransition | None = None
        with self._lock:
            now = self._clock.monotonic()
            if self._state is BreakerState.OPEN and now >= self._open_until:
                transition = self._move(BreakerState.HALF_OPEN, "open_elapsed")
            if self._state is BreakerState.CLOSED:
                decision = BreakerDecision(self.name, True, BreakerState.CLOSED, epoch=self._epoch)
            elif self._state is BreakerState.HALF_OPEN:
                decision = self._half_open_decision(now)
            else:
                decision = self._refusal(self._open_until, now)
        if transition is not None:
            self._notify_transition(transition)
        if not decision.allowed:
            self._notify_rejected(decision)
        return decision

    def record_success(self, permit: BreakerDecision | None = None) -> None:
        """Report a successful call; a half-open probe's success closes the breaker."""
        transition: BreakerTransition | None = None
        with self._lock:
            if self._is_stale(permit):
                return
            if self._state is BreakerState.CLOSED:
                self._push(failed=False)
            elif self._state is BreakerState.HALF_OPEN:
                transition = self._move(BreakerState.CLOSED, "probe_succeeded")
        if transition is not None:
            self._notify_transition(transition)

    def record_failure(self, reason: str = "error", permit: BreakerDecision | None = None) -> None:
        """Report a failed call (``reason`` e.g. ``timeout``, ``tool_error``, an error code) and maybe open."""
        transition: BreakerTransition | None = None
        with self._lock:
            if self._is_stale(permit):
                return
            if self._state is BreakerState.CLOSED:
                self._push(failed=True)
                trip = self._trip_rule()
                if trip is not None:
                    transition = self._open(trip, reason)
            elif self._state is BreakerState.HALF_OPEN:
                transition = self._open("probe_failed", reason)
        if transition is not None:
            self._notify_transition(transition)

    def release(self, permit: BreakerDecision) -> None:
        """The admitted call ended without an outcome (cancelled): free the probe slot, count nothing."""
        with self._lock:
            if permit.probe and not self._is_stale(permit) and self._state is BreakerState.HALF_OPEN:
                self._probe_started = None

    def reset(self) -> None:
        """Force the breaker closed with an empty window (an operator's override)."""
        transition: BreakerTransition | None = None
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                transition = self._move(BreakerState.CLOSED, "reset")
            else:
                self._clear_window()
        if transition is not None:
            self._notify_transition(transition)

    # --- inside the lock ---------------------------------------------------------------

    def _half_open_decision(self, now: float) -> BreakerDecision:
        timeout = self.config.effective_probe_timeout_s
        if self._probe_started is not None:
            if now < self._probe_started + timeout:
                return self._refusal(self._probe_started + timeout, now)
            # The previous probe never reported within its timeout: a new probe takes over, and a
            # late outcome of the abandoned one must not decide for it (a new epoch makes it stale).
            self._epoch += 1
        self._probe_started = now
        return BreakerDecision(self.name, True, BreakerState.HALF_OPEN, probe=True, epoch=self._epoch)

    def _refusal(self, until: float, now: float) -> BreakerDecision:
        return BreakerDecision(
            self.name,
            False,
            self._state,
            retry_at=self._wall_at(until),
            retry_in_s=max(0.0, until - now),
            open_reason=self._open_reason,
            epoch=self._epoch,
        )

    def _is_stale(self, permit: BreakerDecision | None) -> bool:
        # A refusal is no permit: reporting an outcome with it (a caller's slip) must not move the breaker.
        return permit is not None and (not permit.allowed or permit.epoch != self._epoch)

    def _push(self, *, failed: bool) -> None:
        if len(self._window) == self._window.maxlen and self._window[0]:
            self._failures -= 1
        self._window.append(failed)
        if failed:
            self._failures += 1
            self._consecutive += 1
        else:
            self._consecutive = 0

    def _trip_rule(self) -> str | None:
        cfg = self.config
        if cfg.consecutive_failures and self._consecutive >= cfg.consecutive_failures:
            return "consecutive_failures"
        calls = len(self._window)
        if calls >= cfg.minimum_calls and self._failures / calls >= cfg.failure_rate_threshold:
            return "failure_rate"
        return None

    def _open(self, rule: str, failure_reason: str) -> BreakerTransition:
        self._open_until = self._clock.monotonic() + self.config.open_duration_s
        self._open_reason = rule
        return self._move(BreakerState.OPEN, rule, failure_reason=failure_reason)

    def _move(self, state: BreakerState, reason: str, *, failure_reason: str | None = None) -> BreakerTransition:
        transition = BreakerTransition(
            name=self.name,
            previous=self._state,
            state=state,
            reason=reason,
            failures=self._failures,
            calls=len(self._window),
            at=self._clock.time(),
            retry_at=self._wall_at(self._open_until) if state is BreakerState.OPEN else None,
            failure_reason=failure_reason,
        )
        self._state = state
        self._epoch += 1
        self._probe_started = None
        if state is not BreakerState.OPEN:
            self._open_reason = None
        if state is BreakerState.CLOSED:
            self._clear_window()
        return transition

    def _clear_window(self) -> None:
        self._window.clear()
        self._failures = 0
        self._consecutive = 0

    def _wall_at(self, monotonic_instant: float) -> float:
        return self._clock.time() + (monotonic_instant - self._clock.monotonic())

    # --- outside the lock ----------------------------------------------------------------

    def _notify_transition(self, transition: BreakerTransition) -> None:
        for observer in self._observers:
            with internal_guard("breaker.observer"):
                observer.on_transition(transition)

    def _notify_rejected(self, decision: BreakerDecision) -> None:
        for observer in self._observers:
            with internal_guard("breaker.observer"):
                observer.on_rejected(decision)
