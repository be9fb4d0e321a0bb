"""Breakers by name, sharing one configuration and one set of instruments."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

from opentelemetry import metrics, trace

from ._breaker import BreakerSnapshot, CircuitBreaker
from ._clock import Clock
from ._config import BreakerConfig, BreakerState
from ._events import BreakerObserver
from ._telemetry import BreakerTelemetry


class BreakerRegistry:
    """One breaker per key (e.g. ``"server/tool"``), created on first use.

    Every breaker of a registry reports to the same instruments: the state
    gauge shows all of them, labelled ``obs.breaker.name``. ``overrides`` gives
    individual keys their own thresholds; the rest use ``config``.

    Keys come from traffic (a model that invents tool names invents keys), so
    the registry holds at most ``max_breakers``: past that, the least recently
    used *closed* breaker is forgotten (it has nothing to protect; an open or
    half-open one is kept while any closed one is left). Forgotten breakers
    are counted in ``evicted``.
    """

    def __init__(
        self,
        config: BreakerConfig | None = None,
        *,
        overrides: Mapping[str, BreakerConfig] | None = None,
        clock: Clock | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        tracer_provider: trace.TracerProvider | None = None,
        observers: Iterable[BreakerObserver] = (),
        max_breakers: int = 1024,
    ) -> None:
        if max_breakers < 1:
            raise ValueError(f"max_breakers must be at least 1, got {max_breakers}")
        self.config = config or BreakerConfig()
        self.max_breakers = max_breakers
        self.evicted = 0
        """Breakers forgotten to stay within ``max_breakers``."""
        self._overrides = dict(overrides or {})
        self._clock = clock
        self._lock = threading.Lock()
        self._breakers: OrderedDict[str, CircuitBreaker] = OrderedDict()
        self._telemetry = BreakerTelemetry(self._states, meter_provider=meter_provider, tracer_provider=tracer_provider)
        self._observers: tuple[BreakerObserver, ...] = (self._telemetry, *observers)

    def get(self, name: str) -> CircuitBreaker:
        """The breaker for ``name``, created closed on first use."""
        with self._lock:
            breaker = self._breakers.get(name)
            if breaker is not None:
                self._breakers.move_to_end(name)
                return breaker
            if len(self._breakers) >= self.max_breakers:
                self._evict_one()
            breaker = CircuitBreaker(
                name, self._overrides.get(name, self.config), clock=self._clock, observers=self._observers
            )
            self._breakers[name] = breaker
            return breaker

    def _evict_one(self) -> None:
        """Forget the least recently used closed breaker, else the least recently used one (lock held)."""
        victim = next((n for n, b in self._breakers.items() if b.state is BreakerState.CLOSED), None)
        if victim is None:
            victim = next(iter(self._breakers))
        del self._breakers[victim]
        self.evicted += 1

    def __contains__(self, name: object) -> bool:
        return name in self._breakers

    def __iter__(self) -> Iterator[CircuitBreaker]:
        with self._lock:
            return iter(list(self._breakers.values()))

    def __len__(self) -> int:
        return len(self._breakers)

    def snapshots(self) -> list[BreakerSnapshot]:
        """A consistent read of every breaker, sorted by name."""
        return [b.snapshot() for b in sorted(self, key=lambda b: b.name)]

    def reset(self) -> None:
        """Close every breaker (an operator's override)."""
        for breaker in self:
            breaker.reset()

    def _states(self) -> list[tuple[str, BreakerState]]:
        with self._lock:
            return [(name, b.state) for name, b in self._breakers.items()]
