"""Breaker telemetry: a span event per transition, a state gauge, transition and rejection counters.

Instruments are created per registry from the meter provider it was given
(never cached at import), so tests and apps with several providers get what
they configured. The gauge callback holds the registry weakly: a dropped
registry stops reporting instead of being kept alive by the meter.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Iterator

from opentelemetry import metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.util.types import AttributeValue

from obs_core import semconv as sc

from ._config import BreakerState
from ._events import BreakerDecision, BreakerTransition

StatesFn = Callable[[], Iterable[tuple[str, BreakerState]]]


class BreakerTelemetry:
    """Turns breaker events into OpenTelemetry signals; one per :class:`BreakerRegistry`."""

    def __init__(
        self,
        states: StatesFn,
        *,
        meter_provider: metrics.MeterProvider | None = None,
        tracer_provider: trace.TracerProvider | None = None,
    ) -> None:
        meter = (meter_provider or metrics.get_meter_provider()).get_meter("obs.breaker")
        self._tracer = (tracer_provider or trace.get_tracer_provider()).get_tracer("obs.breaker")
        self._transitions = meter.create_counter(
            sc.OBS_BREAKER_TRANSITIONS, unit="{transition}", description="Breaker state changes by new state."
        )
        self._rejected = meter.create_counter(
            sc.OBS_BREAKER_REJECTED, unit="{call}", description="Calls refused by an open breaker."
        )
        states_ref = weakref.WeakMethod(states) if hasattr(states, "__self__") else (lambda: states)
        meter.create_observable_gauge(
            sc.OBS_BREAKER_STATE_GAUGE,
            callbacks=[_gauge_callback(states_ref)],
            unit="1",
            description="Breaker state: 0 closed, 1 half_open, 2 open.",
        )

    def on_transition(self, transition: BreakerTransition) -> None:
        attrs = _transition_attributes(transition)
        self._transitions.add(
            1,
            {
                sc.OBS_BREAKER_NAME: transition.name,
                sc.OBS_BREAKER_STATE: transition.state.value,
                sc.OBS_BREAKER_PREVIOUS_STATE: transition.previous.value,
            },
        )
        span = trace.get_current_span()
        if span.is_recording():
            span.add_event(sc.OBS_BREAKER_TRANSITION_EVENT, attrs)
            return
        # No trace around the call that caused it: a short span of its own keeps the
        # transition visible in traces instead of only in metrics.
        own = self._tracer.start_span(sc.SPAN_BREAKER_TRANSITION, attributes=attrs)
        own.add_event(sc.OBS_BREAKER_TRANSITION_EVENT, attrs)
        own.end()

    def on_rejected(self, decision: BreakerDecision) -> None:
        self._rejected.add(1, {sc.OBS_BREAKER_NAME: decision.name, sc.OBS_BREAKER_STATE: decision.state.value})


def _transition_attributes(transition: BreakerTransition) -> dict[str, AttributeValue]:
    attrs: dict[str, AttributeValue] = {
        sc.OBS_BREAKER_NAME: transition.name,
        sc.OBS_BREAKER_STATE: transition.state.value,
        sc.OBS_BREAKER_PREVIOUS_STATE: transition.previous.value,
        sc.OBS_BREAKER_REASON: transition.reason,
        sc.OBS_BREAKER_WINDOW_FAILURES: transition.failures,
        sc.OBS_BREAKER_WINDOW_CALLS: transition.calls,
    }
    if transition.retry_at is not None:
        attrs[sc.OBS_BREAKER_RETRY_AT] = transition.retry_at
    if transition.failure_reason is not None:
        attrs[sc.OBS_BREAKER_FAILURE_REASON] = transition.failure_reason
    return attrs


def _gauge_callback(
    states_ref: Callable[[], StatesFn | None],
) -> Callable[[CallbackOptions], Iterator[Observation]]:
    def observe(_options: CallbackOptions) -> Iterator[Observation]:
        states = states_ref()
        if states is None:
            return
        for name, state in states():
            yield Observation(state.gauge_value, {sc.OBS_BREAKER_NAME: name})

    return observe
