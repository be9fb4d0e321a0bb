"""A meter provider that leaves out chosen histograms, for components that create them unconditionally.

obs-core's ``ContextWindowMonitor`` records one ``obs.context.tokens`` point
per section of every request: five histogram points per model call, the
single largest cost of tracing an agent run. The per-section counts are on
every chat span already, so the handler keeps that histogram off unless asked
(``OBS_LANGGRAPH_SECTION_METRICS=1``) by giving the monitor this provider;
everything else it records (fill ratio, threshold counter) passes through.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import metrics
from opentelemetry.metrics import (
    CallbackT,
    Counter,
    Histogram,
    NoOpHistogram,
    ObservableCounter,
    ObservableGauge,
    ObservableUpDownCounter,
    UpDownCounter,
    _Gauge,
)
from opentelemetry.util.types import Attributes

Callbacks = Sequence[CallbackT] | None


class MeterProviderWithout(metrics.MeterProvider):
    """Delegates to ``inner`` except that histograms named in ``dropped`` record nothing."""

    def __init__(self, inner: metrics.MeterProvider, dropped: frozenset[str]) -> None:
        self._inner = inner
        self._dropped = dropped

    def get_meter(
        self, name: str, version: str | None = None, schema_url: str | None = None, attributes: Attributes = None
    ) -> metrics.Meter:
        return _MeterWithout(self._inner.get_meter(name, version, schema_url, attributes), self._dropped)


class _MeterWithout(metrics.Meter):
    def __init__(self, inner: metrics.Meter, dropped: frozenset[str]) -> None:
        super().__init__(inner.name, inner.version, inner.schema_url)
        self._inner = inner
        self._dropped = dropped

    def create_histogram(
        self,
        name: str,
        unit: str = "",
        description: str = "",
        *,
        explicit_bucket_boundaries_advisory: Sequence[float] | None = None,
    ) -> Histogram:
        if name in self._dropped:
            return NoOpHistogram(name, unit=unit, description=description)
        return self._inner.create_histogram(
            name, unit, description, explicit_bucket_boundaries_advisory=explicit_bucket_boundaries_advisory
        )

    def create_counter(self, name: str, unit: str = "", description: str = "") -> Counter:
        return self._inner.create_counter(name, unit, description)

    def create_up_down_counter(self, name: str, unit: str = "", description: str = "") -> UpDownCounter:
        return self._inner.create_up_down_counter(name, unit, description)

    def create_gauge(self, name: str, unit: str = "", description: str = "") -> _Gauge:
        return self._inner.create_gauge(name, unit, description)

    def create_observable_counter(
        self, name: str, callbacks: Callbacks = None, unit: str = "", description: str = ""
    ) -> ObservableCounter:
        return self._inner.create_observable_counter(name, callbacks, unit, description)

    def create_observable_gauge(
        self, name: str, callbacks: Callbacks = None, unit: str = "", description: str = ""
    ) -> ObservableGauge:
        return self._inner.create_observable_gauge(name, callbacks, unit, description)

    def create_observable_up_down_counter(
        self, name: str, callbacks: Callbacks = None, unit: str = "", description: str = ""
    ) -> ObservableUpDownCounter:
        return self._inner.create_observable_up_down_counter(name, callbacks, unit, description)
