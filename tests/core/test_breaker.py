"""The shared circuit breaker: state machine, concurrency, telemetry."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest
from obs_core import semconv as sc
from obs_core.breaker import (
    BreakerConfig,
    BreakerDecision,
    BreakerRegistry,
    BreakerState,
    BreakerTransition,
    CircuitBreaker,
    ManualClock,
)
from obs_core.testing import TelemetryCapture

WALL0 = 1_700_000_000.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start_wall=WALL0)


@pytest.fixture
def registry(capture: TelemetryCapture, clock: ManualClock) -> BreakerRegistry:
    config = BreakerConfig(window_size=10, failure_rate_threshold=0.5, minimum_calls=4, consecutive_failures=3)
    return BreakerRegistry(config, clock=clock, **_providers(capture))


def _providers(capture: TelemetryCapture) -> dict[str, Any]:
    return {"meter_provider": capture.meter_provider, "tracer_provider": capture.tracer_provider}


class Recorder:
    def __init__(self) -> None:
        self.transitions: list[BreakerTransition] = []
        self.rejected: list[BreakerDecision] = []

    def on_transition(self, transition: BreakerTransition) -> None:
        self.transitions.append(transition)

    def on_rejected(self, decision: BreakerDecision) -> None:
        self.rejected.append(decision)


def _state(breaker: CircuitBreaker) -> BreakerState:
    """Read the state through a call so the type checker does not narrow it across calls."""
    return breaker.state


def _fail(breaker: CircuitBreaker, times: int, reason: str = "error") -> None:
    for _ in range(times):
        decision = breaker.acquire()
        assert decision.allowed
        breaker.record_failure(reason, decision)


def _succeed(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        decision = breaker.acquire()
        assert decision.allowed
        breaker.record_success(decision)


# --- configuration --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"window_size": 0}, "window_size"),
        ({"failure_rate_threshold": 0.0}, "failure_rate_threshold"),
        ({"failure_rate_threshold": 1.5}, "failure_rate_threshold"),
        ({"minimum_calls": 30}, "minimum_calls"),
        ({"consecutive_failures": -1}, "consecutive_failures"),
        ({"open_duration_s": 0}, "open_duration_s"),
        ({"probe_timeout_s": 0}, "probe_timeout_s"),
        ({"open_duration_s": float("nan")}, "open_duration_s"),
        ({"open_duration_s": float("inf")}, "open_duration_s"),
        ({"probe_timeout_s": float("nan")}, "probe_timeout_s"),
        ({"failure_rate_threshold": float("nan")}, "failure_rate_threshold"),
    ],
)
def test_config_rejects_nonsense(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BreakerConfig(**kwargs)  # type: ignore[arg-type]


def test_probe_timeout_defaults_to_open_duration() -> None:
    assert BreakerConfig(open_duration_s=7).effective_probe_timeout_s == 7
    assert BreakerConfig(open_duration_s=7, probe_timeout_s=2).effective_probe_timeout_s == 2


# --- state machine ----------------------------------------------------------------------------


def test_consecutive_failures_open_and_refuse_with_retry_time(clock: ManualClock) -> None:
    recorder = Recorder()
    breaker = CircuitBreaker(
        "srv/tool", BreakerConfig(consecutive_failures=3, open_duration_s=30), clock=clock, observers=[recorder]
    )
    _fail(breaker, 2)
    assert _state(breaker) is BreakerState.CLOSED
    _fail(breaker, 1, reason="timeout")
    assert _state(breaker) is BreakerState.OPEN
    clock.advance(10)
    refused = breaker.acquire()
    assert refused == BreakerDecision(
        "srv/tool",
        False,
        BreakerState.OPEN,
        retry_at=WALL0 + 30,
        retry_in_s=20,
        open_reason="consecutive_failures",
        epoch=refused.epoch,
    )
    assert [(t.previous, t.state, t.reason, t.failure_reason) for t in recorder.transitions] == [
        (BreakerState.CLOSED, BreakerState.OPEN, "consecutive_failures", "timeout")
    ]
    assert recorder.rejected == [refused]


def test_a_success_resets_the_consecutive_count(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=3, failure_rate_threshold=1.0), clock=clock)
    for _ in range(5):
        _fail(breaker, 2)
        _succeed(breaker, 1)
    assert _state(breaker) is BreakerState.CLOSED
    assert breaker.snapshot().consecutive_failures == 0


def test_failure_rate_needs_the_minimum_volume(clock: ManualClock) -> None:
    config = BreakerConfig(window_size=10, failure_rate_threshold=0.1, minimum_calls=10, consecutive_failures=0)
    breaker = CircuitBreaker("b", config, clock=clock)
    _fail(breaker, 1)
    _succeed(breaker, 8)
    assert _state(breaker) is BreakerState.CLOSED  # 1 of 9: below the minimum volume
    _succeed(breaker, 1)
    assert _state(breaker) is BreakerState.CLOSED  # checked on failures only
    _fail(breaker, 1)
    assert _state(breaker) is BreakerState.OPEN  # 2 of 10 >= 10%
    assert breaker.acquire().open_reason == "failure_rate"


def test_the_window_slides(clock: ManualClock) -> None:
    config = BreakerConfig(window_size=4, failure_rate_threshold=0.75, minimum_calls=4, consecutive_failures=0)
    breaker = CircuitBreaker("b", config, clock=clock)
    _fail(breaker, 2)
    _succeed(breaker, 2)
    _succeed(breaker, 2)  # both failures slid out
    assert breaker.snapshot().failures == 0
    _fail(breaker, 2)
    assert breaker.snapshot().failures == 2
    assert _state(breaker) is BreakerState.CLOSED
    _fail(breaker, 1)
    assert _state(breaker) is BreakerState.OPEN


def test_full_cycle_closed_open_half_open_closed(clock: ManualClock) -> None:
    recorder = Recorder()
    config = BreakerConfig(consecutive_failures=2, open_duration_s=5)
    breaker = CircuitBreaker("b", config, clock=clock, observers=[recorder])
    _fail(breaker, 2)
    clock.advance(5)
    probe = breaker.acquire()
    assert (probe.allowed, probe.probe, probe.state) == (True, True, BreakerState.HALF_OPEN)
    second = breaker.acquire()
    assert (second.allowed, second.state, second.retry_at) == (False, BreakerState.HALF_OPEN, WALL0 + 10)
    breaker.record_success(probe)
    assert _state(breaker) is BreakerState.CLOSED
    assert breaker.snapshot().calls == 0
    assert [(t.state, t.reason) for t in recorder.transitions] == [
        (BreakerState.OPEN, "consecutive_failures"),
        (BreakerState.HALF_OPEN, "open_elapsed"),
        (BreakerState.CLOSED, "probe_succeeded"),
    ]


def test_failed_probe_reopens_for_a_full_period(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=1, open_duration_s=5), clock=clock)
    _fail(breaker, 1)
    clock.advance(6)
    probe = breaker.acquire()
    clock.advance(1)
    breaker.record_failure("tool_error", probe)
    refused = breaker.acquire()
    assert (refused.state, refused.retry_at, refused.open_reason) == (BreakerState.OPEN, WALL0 + 12, "probe_failed")


def test_late_outcomes_of_earlier_calls_are_ignored(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=1, open_duration_s=5), clock=clock)
    early = breaker.acquire()
    _fail(breaker, 1)
    clock.advance(5)
    probe = breaker.acquire()
    breaker.record_success(early)  # admitted while closed: must not close a half-open breaker
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.record_failure("late", early)
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.record_success(probe)
    assert _state(breaker) is BreakerState.CLOSED


def test_an_outcome_reported_with_a_refusal_is_ignored(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=1, open_duration_s=5), clock=clock)
    _fail(breaker, 1)
    clock.advance(5)
    probe = breaker.acquire()
    refused = breaker.acquire()
    assert (probe.allowed, refused.allowed) == (True, False)
    breaker.record_success(refused)  # only the probe may close it
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.record_failure("x", probe)
    assert _state(breaker) is BreakerState.OPEN


def test_outcomes_without_a_permit_apply_to_the_current_state(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=2, open_duration_s=1), clock=clock)
    breaker.record_failure()
    breaker.record_failure()
    assert _state(breaker) is BreakerState.OPEN
    breaker.record_success()  # ignored while open
    assert _state(breaker) is BreakerState.OPEN
    clock.advance(1)
    assert breaker.acquire().probe
    breaker.record_success()
    assert _state(breaker) is BreakerState.CLOSED


def test_release_frees_the_probe_slot(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=1, open_duration_s=5), clock=clock)
    _fail(breaker, 1)
    clock.advance(5)
    probe = breaker.acquire()
    assert not breaker.acquire().allowed
    breaker.release(probe)
    assert breaker.acquire().probe


def test_an_unreported_probe_times_out(clock: ManualClock) -> None:
    config = BreakerConfig(consecutive_failures=1, open_duration_s=5, probe_timeout_s=2)
    breaker = CircuitBreaker("b", config, clock=clock)
    _fail(breaker, 1)
    clock.advance(5)
    assert breaker.acquire().probe
    clock.advance(1)
    assert not breaker.acquire().allowed
    clock.advance(1)
    assert breaker.acquire().probe


def test_a_timed_out_probes_late_outcome_does_not_decide_for_its_successor(clock: ManualClock) -> None:
    config = BreakerConfig(consecutive_failures=1, open_duration_s=5, probe_timeout_s=2)
    breaker = CircuitBreaker("b", config, clock=clock)
    _fail(breaker, 1)
    clock.advance(5)
    abandoned = breaker.acquire()
    clock.advance(2)
    successor = breaker.acquire()
    assert (abandoned.probe, successor.probe) == (True, True)
    breaker.record_failure("late", abandoned)  # the abandoned probe reports after its successor took over
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.release(abandoned)  # nor may it free the successor's slot
    assert not breaker.acquire().allowed
    breaker.record_success(successor)
    assert _state(breaker) is BreakerState.CLOSED


def test_reset_closes(clock: ManualClock) -> None:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=1), clock=clock)
    _fail(breaker, 1)
    breaker.reset()
    assert breaker.snapshot() == breaker.snapshot().__class__("b", BreakerState.CLOSED, 0, 0, 0, None)


# --- concurrency ------------------------------------------------------------------------------


def _opened_then_elapsed(clock: ManualClock) -> CircuitBreaker:
    breaker = CircuitBreaker("b", BreakerConfig(consecutive_failures=1, open_duration_s=5), clock=clock)
    _fail(breaker, 1)
    clock.advance(5)
    return breaker


def test_half_open_admits_exactly_one_probe_across_threads(clock: ManualClock) -> None:
    breaker = _opened_then_elapsed(clock)
    start = threading.Barrier(16)
    decisions: list[BreakerDecision] = []
    lock = threading.Lock()

    def worker() -> None:
        start.wait()
        decision = breaker.acquire()
        with lock:
            decisions.append(decision)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(d.allowed for d in decisions) == 1
    assert [d.probe for d in decisions if d.allowed] == [True]


async def test_half_open_admits_exactly_one_probe_across_anyio_tasks(clock: ManualClock) -> None:
    breaker = _opened_then_elapsed(clock)
    decisions: list[BreakerDecision] = []

    async def caller() -> None:
        await anyio.sleep(0)
        decision = breaker.acquire()
        decisions.append(decision)
        if decision.allowed:
            await anyio.sleep(0)  # the probe is in flight while the others ask
            breaker.record_success(decision)

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(caller)
    assert sum(d.allowed for d in decisions) == 1
    assert _state(breaker) is BreakerState.CLOSED


def test_counts_stay_consistent_under_threads(clock: ManualClock) -> None:
    config = BreakerConfig(window_size=1000, minimum_calls=1000, consecutive_failures=0)
    breaker = CircuitBreaker("b", config, clock=clock)

    def worker(fail: bool) -> None:
        for _ in range(100):
            decision = breaker.acquire()
            if fail:
                breaker.record_failure("x", decision)
            else:
                breaker.record_success(decision)

    threads = [threading.Thread(target=worker, args=(i % 2 == 0,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    snap = breaker.snapshot()
    assert (snap.calls, snap.failures, snap.state) == (800, 400, BreakerState.CLOSED)


# --- telemetry --------------------------------------------------------------------------------


def test_transition_is_a_span_event_on_the_current_span(
    capture: TelemetryCapture, registry: BreakerRegistry, clock: ManualClock
) -> None:
    breaker = registry.get("git/git_status")
    tracer = capture.tracer_provider.get_tracer("test")
    _fail(breaker, 2)
    with tracer.start_as_current_span("tools/call git_status"):
        _fail(breaker, 1, reason="timeout")
    (span,) = capture.spans_named("tools/call git_status")
    (event,) = span.events
    assert event.name == sc.OBS_BREAKER_TRANSITION_EVENT
    assert dict(event.attributes or {}) == {
        sc.OBS_BREAKER_NAME: "git/git_status",
        sc.OBS_BREAKER_STATE: "open",
        sc.OBS_BREAKER_PREVIOUS_STATE: "closed",
        sc.OBS_BREAKER_REASON: "consecutive_failures",
        sc.OBS_BREAKER_WINDOW_FAILURES: 3,
        sc.OBS_BREAKER_WINDOW_CALLS: 3,
        sc.OBS_BREAKER_RETRY_AT: WALL0 + 30,
        sc.OBS_BREAKER_FAILURE_REASON: "timeout",
    }


def test_transition_outside_any_span_gets_its_own_span(capture: TelemetryCapture, registry: BreakerRegistry) -> None:
    _fail(registry.get("a"), 3)
    (span,) = capture.spans_named(sc.SPAN_BREAKER_TRANSITION)
    assert [e.name for e in span.events] == [sc.OBS_BREAKER_TRANSITION_EVENT]
    assert (span.attributes or {})[sc.OBS_BREAKER_STATE] == "open"


def test_gauge_transitions_and_rejections(
    capture: TelemetryCapture, registry: BreakerRegistry, clock: ManualClock
) -> None:
    healthy, broken = registry.get("srv/ok"), registry.get("srv/broken")
    _succeed(healthy, 1)
    _fail(broken, 3)
    assert not broken.acquire().allowed
    assert not broken.acquire().allowed
    gauge = {
        (p.attributes or {})[sc.OBS_BREAKER_NAME]: p.value
        for p in capture.metric_points(sc.OBS_BREAKER_STATE_GAUGE)
        if not hasattr(p, "bucket_counts")
    }
    assert gauge == {"srv/ok": 0, "srv/broken": 2}
    assert capture.metric_sum(sc.OBS_BREAKER_REJECTED, obs__breaker__name="srv/broken", obs__breaker__state="open") == 2
    clock.advance(30)
    _succeed(broken, 1)
    transitions = {
        (
            (p.attributes or {})[sc.OBS_BREAKER_PREVIOUS_STATE],
            (p.attributes or {})[sc.OBS_BREAKER_STATE],
        ): getattr(p, "value", None)
        for p in capture.metric_points(sc.OBS_BREAKER_TRANSITIONS)
    }
    assert transitions == {("closed", "open"): 1, ("open", "half_open"): 1, ("half_open", "closed"): 1}


def test_registry_shares_breakers_by_name_and_applies_overrides(capture: TelemetryCapture) -> None:
    special = BreakerConfig(consecutive_failures=1)
    registry = BreakerRegistry(overrides={"x/slow": special}, **_providers(capture))
    assert registry.get("x/slow") is registry.get("x/slow")
    assert registry.get("x/slow").config is special
    assert registry.get("x/other").config == BreakerConfig()
    assert "x/other" in registry
    assert len(registry) == 2
    assert [s.name for s in registry.snapshots()] == ["x/other", "x/slow"]
    _fail(registry.get("x/slow"), 1)
    registry.reset()
    assert {b.state for b in registry} == {BreakerState.CLOSED}


def test_registry_stays_bounded_when_names_come_from_traffic(capture: TelemetryCapture) -> None:
    # A model inventing tool names must not grow the registry (and the state gauge) without bound.
    registry = BreakerRegistry(BreakerConfig(consecutive_failures=1), max_breakers=3, **_providers(capture))
    tripped = registry.get("srv/flaky")
    _fail(tripped, 1)
    registry.get("srv/a")
    registry.get("srv/b")
    registry.get("srv/a")  # used again: "srv/b" is now the least recently used closed breaker
    registry.get("srv/invented-1")
    assert "srv/b" not in registry
    assert registry.get("srv/flaky") is tripped  # open breakers outlive closed ones
    for i in range(2, 50):
        registry.get(f"srv/invented-{i}")
    assert len(registry) == 3
    assert registry.evicted == 49  # "srv/b", then one per name past the bound
    assert "srv/flaky" in registry
    assert _state(registry.get("srv/flaky")) is BreakerState.OPEN
    gauge = {(p.attributes or {})[sc.OBS_BREAKER_NAME] for p in capture.metric_points(sc.OBS_BREAKER_STATE_GAUGE)}
    assert gauge == {b.name for b in registry}


def test_a_registry_of_only_open_breakers_forgets_the_least_recently_used(capture: TelemetryCapture) -> None:
    registry = BreakerRegistry(BreakerConfig(consecutive_failures=1), max_breakers=2, **_providers(capture))
    for name in ("s/a", "s/b", "s/c"):
        _fail(registry.get(name), 1)
    assert [b.name for b in registry] == ["s/b", "s/c"]
    assert registry.evicted == 1


def test_registry_rejects_a_bound_below_one() -> None:
    with pytest.raises(ValueError, match="max_breakers must be at least 1"):
        BreakerRegistry(max_breakers=0)


class Exploding:
    def on_transition(self, transition: BreakerTransition) -> None:
        raise RuntimeError("observer bug")

    def on_rejected(self, decision: BreakerDecision) -> None:
        raise RuntimeError("observer bug")


@pytest.fixture
def exploding_breaker(clock: ManualClock) -> CircuitBreaker:
    return CircuitBreaker("b", BreakerConfig(consecutive_failures=1), clock=clock, observers=[Exploding()])


@pytest.mark.usefixtures("guard_swallows")
def test_a_broken_observer_never_breaks_the_caller(exploding_breaker: CircuitBreaker) -> None:
    _fail(exploding_breaker, 1)
    assert _state(exploding_breaker) is BreakerState.OPEN
    assert not exploding_breaker.acquire().allowed
