"""OpenTelemetry exporters that write spans, logs and metric points to the store.

They plug into the SDK like any exporter, so the store is one sink among
others (OTLP, console) and sees exactly what the other sinks see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk._logs import ReadableLogRecord
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics.export import (
    Gauge,
    Histogram,
    MetricExporter,
    MetricExportResult,
    MetricsData,
    Sum,
)
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import format_span_id, format_trace_id

from obs_core._guard import internal_guard
from obs_core.semconv import GEN_AI_PROMPT_NAME, GEN_AI_PROMPT_VERSION, OBS_PROMPT_HASH

from ._writer import Row, StoreWriter, to_json

_SERVICE_NAME = "service.name"


class SpanStoreExporter(SpanExporter):
    """Writes finished spans, their events and the prompt-version registry."""

    def __init__(self, writer: StoreWriter) -> None:
        self._writer = writer

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        span_rows: list[Row] = []
        event_rows: list[Row] = []
        prompt_rows: list[Row] = []
        resources: dict[int, tuple[str, str]] = {}  # a batch shares one or two resources: encode each once
        for span in spans:
            ctx = span.context
            if ctx is None:
                continue
            trace_id = format_trace_id(ctx.trace_id)
            span_id = format_span_id(ctx.span_id)
            attrs = dict(span.attributes or {})
            resource = resources.get(id(span.resource))
            if resource is None:
                plain = dict(span.resource.attributes) if span.resource is not None else {}
                resource = resources[id(span.resource)] = (str(plain.get(_SERVICE_NAME, "")), to_json(plain))
            links = span.links
            span_rows.append(
                (
                    trace_id,
                    span_id,
                    format_span_id(span.parent.span_id) if span.parent is not None else None,
                    span.name,
                    span.kind.name,
                    span.start_time or 0,
                    span.end_time or span.start_time or 0,
                    span.status.status_code.name,
                    span.status.description,
                    resource[0],
                    span.instrumentation_scope.name if span.instrumentation_scope else None,
                    to_json(attrs),
                    resource[1],
                    to_json(
                        [
                            {
                                "trace_id": format_trace_id(link.context.trace_id),
                                "span_id": format_span_id(link.context.span_id),
                                "attributes": dict(link.attributes or {}),
                            }
                            for link in links
                        ]
                    )
                    if links
                    else "[]",
                )
            )
            for event in span.events:
                event_rows.append(
                    (trace_id, span_id, event.name, event.timestamp, to_json(dict(event.attributes or {})))
                )
            prompt_hash = attrs.get(OBS_PROMPT_HASH)
            if isinstance(prompt_hash, str):
                name = attrs.get(GEN_AI_PROMPT_NAME)
                version = attrs.get(GEN_AI_PROMPT_VERSION)
                prompt_rows.append(
                    (
                        prompt_hash,
                        span.start_time or 0,
                        name if isinstance(name, str) else None,
                        version if isinstance(version, str) else None,
                    )
                )
        self._writer.write_spans(span_rows, event_rows, prompt_rows)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """The writer is shared; the runtime closes it after every exporter is flushed."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class LogStoreExporter(LogRecordExporter):
    """Writes log records (including events emitted through the Logs API)."""

    def __init__(self, writer: StoreWriter) -> None:
        self._writer = writer

    def export(self, batch: Sequence[ReadableLogRecord]) -> LogRecordExportResult:
        rows: list[Row] = []
        for item in batch:
            record = item.log_record
            body: Any = record.body
            rows.append(
                (
                    record.timestamp or record.observed_timestamp or 0,
                    format_trace_id(record.trace_id) if record.trace_id else None,
                    format_span_id(record.span_id) if record.span_id else None,
                    record.severity_number.value if record.severity_number is not None else None,
                    record.severity_text,
                    record.event_name or None,
                    body
                    if isinstance(body, str) or body is None
                    else to_json(body if isinstance(body, (dict, list, tuple)) else {"value": str(body)}),
                    to_json(dict(record.attributes or {})),
                    item.instrumentation_scope.name if item.instrumentation_scope else None,
                    str(item.resource.attributes.get(_SERVICE_NAME, "")) if item.resource else None,
                )
            )
        self._writer.write_logs(rows)
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        """The writer is shared; the runtime closes it."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class MetricStoreExporter(MetricExporter):
    """Writes cumulative metric points, one row per data point per collection.

    Each row keeps its series start and its resource: the latest row per
    (name, attributes, resource, start) is that series' total, and totals of
    different processes (``service.instance.id``) add up.
    """

    def __init__(self, writer: StoreWriter) -> None:
        super().__init__(preferred_temporality={}, preferred_aggregation={})
        self._writer = writer

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any) -> MetricExportResult:
        # The periodic reader would only log a failure; the guard also counts it
        # on obs.internal.errors like every other export path.
        written = False
        with internal_guard("export.metrics.store"):
            self._write(metrics_data)
            written = True
        return MetricExportResult.SUCCESS if written else MetricExportResult.FAILURE

    def _write(self, metrics_data: MetricsData) -> None:
        rows: list[Row] = []
        for resource_metrics in metrics_data.resource_metrics:
            plain = dict(resource_metrics.resource.attributes) if resource_metrics.resource is not None else {}
            service, resource = str(plain.get(_SERVICE_NAME, "")), to_json(plain)
            for scope_metrics in resource_metrics.scope_metrics:
                scope = scope_metrics.scope.name
                for metric in scope_metrics.metrics:
                    data = metric.data
                    if isinstance(data, Histogram):
                        for hp in data.data_points:
                            rows.append(
                                (
                                    hp.time_unix_nano,
                                    metric.name,
                                    metric.unit,
                                    "histogram",
                                    to_json(dict(hp.attributes or {})),
                                    None,
                                    hp.count,
                                    hp.sum,
                                    to_json(list(hp.explicit_bounds)),
                                    to_json(list(hp.bucket_counts)),
                                    scope,
                                    hp.start_time_unix_nano,
                                    service,
                                    resource,
                                )
                            )
                    elif isinstance(data, (Sum, Gauge)):
                        kind = (
                            "gauge"
                            if isinstance(data, Gauge)
                            else ("counter" if data.is_monotonic else "up_down_counter")
                        )
                        for np_ in data.data_points:
                            rows.append(
                                (
                                    np_.time_unix_nano,
                                    metric.name,
                                    metric.unit,
                                    kind,
                                    to_json(dict(np_.attributes or {})),
                                    float(np_.value),
                                    None,
                                    None,
                                    None,
                                    None,
                                    scope,
                                    np_.start_time_unix_nano,
                                    service,
                                    resource,
                                )
                            )
        if rows:
            self._writer.write_metric_points(rows)

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        """The writer is shared; the runtime closes it."""


__all__ = ["LogStoreExporter", "MetricStoreExporter", "SpanStoreExporter"]
