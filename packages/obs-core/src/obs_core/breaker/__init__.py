"""Circuit breakers shared by obs-mcp (per server/tool) and obs-langgraph (per tool node).

A breaker stops calling something that keeps failing and answers "not now,
retry at T" instead, so an agent degrades rather than storming a broken tool
with retries. It opens on a failure rate over a sliding window (with a
minimum volume) or on K consecutive failures; after ``open_duration_s`` it
lets exactly one probe through; the probe's outcome closes or re-opens it.

Framework-neutral and stable: the state machine knows nothing about MCP or
LangGraph, it is safe from threads and anyio tasks (no lock is ever held
across an ``await``), time is injectable, and telemetry goes through the
providers the caller passes:

- span event ``obs.breaker.transition`` on the current span at each change,
- observable gauge ``obs.breaker.state`` (0 closed, 1 half_open, 2 open),
- counters ``obs.breaker.transitions`` and ``obs.breaker.rejected``.

Typical use::

    registry = BreakerRegistry(BreakerConfig(consecutive_failures=3), meter_provider=mp)
    breaker = registry.get("git/git_status")
    decision = breaker.acquire()
    if not decision.allowed:
        return degraded(retry_at=decision.retry_at)
    try:
        result = call()
    except Exception as exc:
        breaker.record_failure(type(exc).__name__, decision)
        raise
    breaker.record_success(decision)
"""

from ._breaker import BreakerSnapshot, CircuitBreaker
from ._clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock
from ._config import BreakerConfig, BreakerState
from ._events import BreakerDecision, BreakerObserver, BreakerTransition
from ._registry import BreakerRegistry
from ._telemetry import BreakerTelemetry

__all__ = [
    "SYSTEM_CLOCK",
    "BreakerConfig",
    "BreakerDecision",
    "BreakerObserver",
    "BreakerRegistry",
    "BreakerSnapshot",
    "BreakerState",
    "BreakerTelemetry",
    "BreakerTransition",
    "CircuitBreaker",
    "Clock",
    "ManualClock",
    "SystemClock",
]
