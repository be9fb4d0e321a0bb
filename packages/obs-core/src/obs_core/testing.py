"""Test support: real SDK providers that keep everything in memory.

Plugins take ``tracer_provider`` / ``meter_provider`` / ``logger_provider``
keyword arguments, so tests hand them a :class:`TelemetryCapture` instead of
touching the global providers. Assertions read whole attribute dicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider, ReadableLogRecord
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader, NumberDataPoint
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


class TelemetryCapture:
    """Tracer, meter and logger providers whose output tests can read back."""

    def __init__(self) -> None:
        self.span_exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.span_exporter))
        self.metric_reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.metric_reader])
        self.log_exporter = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call,unused-ignore]
        self.logger_provider = LoggerProvider()
        self.logger_provider.add_log_record_processor(SimpleLogRecordProcessor(self.log_exporter))

    @property
    def providers(self) -> dict[str, Any]:
        """Keyword arguments for any obs plugin constructor."""
        return {
            "tracer_provider": self.tracer_provider,
            "meter_provider": self.meter_provider,
            "logger_provider": self.logger_provider,
        }

    def spans(self) -> tuple[ReadableSpan, ...]:
        return tuple(self.span_exporter.get_finished_spans())

    def spans_named(self, name: str) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.name == name]

    def logs(self) -> Sequence[ReadableLogRecord]:
        return self.log_exporter.get_finished_logs()

    def metric_points(self, name: str) -> list[HistogramDataPoint | NumberDataPoint]:
        """Every data point of metric ``name`` from one collection."""
        return [point for metric in self._metrics() if metric.name == name for point in metric.data.data_points]

    def metric_names(self) -> set[str]:
        return {m.name for m in self._metrics()}

    def histogram_bounds(self, name: str) -> tuple[float, ...]:
        for point in self.metric_points(name):
            if isinstance(point, HistogramDataPoint):
                return tuple(point.explicit_bounds)
        raise AssertionError(f"no histogram points for {name}")

    def metric_sum(self, name: str, **attributes: Any) -> float:
        """Sum of counter values (or histogram counts) whose attributes include ``attributes``."""
        total = 0.0
        for point in self.metric_points(name):
            attrs: Mapping[str, Any] = point.attributes or {}
            if all(attrs.get(k.replace("__", ".")) == v for k, v in attributes.items()):
                total += point.count if isinstance(point, HistogramDataPoint) else point.value
        return total

    def _metrics(self) -> Iterator[Any]:
        data = self.metric_reader.get_metrics_data()
        if data is None:
            return
        for rm in data.resource_metrics:
            for sm in rm.scope_metrics:
                yield from sm.metrics

    def clear(self) -> None:
        self.span_exporter.clear()

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()
        self.logger_provider.shutdown()
